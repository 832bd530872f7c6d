"use client";

import { useEffect, useRef, useState } from "react";
import { loadPlotly, type PlotConfig, type PlotData, type PlotLayout } from "@/app/lib/plotly";

type Status = "loading" | "ready" | "error";

interface PlotProps {
  data: PlotData[];
  layout: PlotLayout;
  /** Accessible name of the chart (screen readers get this instead of the canvas). */
  label: string;
  testId: string;
  height?: number;
}

const CONFIG: PlotConfig = {
  responsive: true,
  displaylogo: false,
  // The image download would try no network, but keep the bar small on phones.
  modeBarButtonsToRemove: ["select2d", "lasso2d", "toImage"],
};

/**
 * One Plotly chart. Plotly is loaded on first mount; `data-state` turns "ready" once the chart has
 * drawn, which the browser tests use to time "charts interactive".
 */
export function Plot({ data, layout, label, testId, height = 420 }: PlotProps) {
  const ref = useRef<HTMLDivElement>(null);
  const [status, setStatus] = useState<Status>("loading");

  useEffect(() => {
    let cancelled = false;
    const element = ref.current;
    if (!element) return;
    loadPlotly()
      .then((plotly) => {
        performance.mark(`plot:${testId}:draw`);
        return plotly.react(element, data, { height, autosize: true, ...layout }, CONFIG);
      })
      .then(() => {
        // Marks let the browser tests and the devtools show where the time goes per chart.
        performance.mark(`plot:${testId}:ready`);
        if (!cancelled) setStatus("ready");
      })
      .catch(() => {
        if (!cancelled) setStatus("error");
      });
    return () => {
      cancelled = true;
    };
  }, [data, layout, height, testId]);

  useEffect(() => {
    const element = ref.current;
    return () => {
      if (element) void loadPlotly().then((plotly) => plotly.purge(element)).catch(() => undefined);
    };
  }, []);

  return (
    <div className="plot" role="figure" aria-label={label}>
      {status === "loading" && <p className="plot-status">Loading chart…</p>}
      {status === "error" && (
        <p className="plot-status error">This chart could not be drawn in this browser.</p>
      )}
      <div ref={ref} data-testid={testId} data-state={status} style={{ minHeight: height }} />
    </div>
  );
}
