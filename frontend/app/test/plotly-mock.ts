/** A stand-in for the lazy Plotly loader: jsdom has no WebGL, and the tests check our traces. */
import { vi } from "vitest";
import type { PlotData } from "@/app/lib/plotly";

export const plotCalls: { element: HTMLElement; data: PlotData[] }[] = [];

export const fakePlotly = {
  react: vi.fn(async (element: HTMLElement, data: PlotData[]) => {
    plotCalls.push({ element, data });
  }),
  purge: vi.fn(),
};
