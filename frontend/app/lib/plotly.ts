/**
 * Lazy access to Plotly. The partial "gl3d" bundle (scatter + scatter3d, ≈0.56 MB gzip instead of
 * ≈1.5 MB for the full bundle) is fetched only when the first chart mounts, so the overview and the
 * segment cards are usable before the charting code arrives.
 */

export type PlotData = Record<string, unknown>;
export type PlotLayout = Record<string, unknown>;
export type PlotConfig = Record<string, unknown>;

/** The few Plotly functions the dashboard calls. */
export interface PlotlyFacade {
  react(el: HTMLElement, data: PlotData[], layout: PlotLayout, config: PlotConfig): Promise<unknown>;
  purge(el: HTMLElement): void;
}

let loading: Promise<PlotlyFacade> | null = null;

export function loadPlotly(): Promise<PlotlyFacade> {
  loading ??= import("plotly.js-gl3d-dist-min").then((mod) => {
    const candidate = (mod as { default?: unknown }).default ?? mod;
    return candidate as PlotlyFacade;
  });
  return loading;
}
