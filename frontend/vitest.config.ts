import { defineConfig } from "vitest/config";

// Component tests run in jsdom. Plotly needs WebGL/canvas, which jsdom lacks, so tests mock the
// lazy Plotly loader (app/lib/plotly.ts) and the real charts are covered by the browser e2e tests.
export default defineConfig({
  oxc: { jsx: { runtime: "automatic" } },
  resolve: { tsconfigPaths: true },
  test: {
    environment: "jsdom",
    include: ["app/**/*.test.{ts,tsx}"],
    restoreMocks: true,
  },
});
