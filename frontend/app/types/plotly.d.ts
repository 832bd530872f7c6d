// plotly.js ships no types for its partial bundles; the dashboard uses a small typed facade
// (app/lib/plotly.ts), so only the module needs declaring here.
declare module "plotly.js-gl3d-dist-min" {
  const Plotly: unknown;
  export default Plotly;
}
