"use client";

import { useMemo } from "react";
import { Plot } from "@/app/components/Plot";
import { formatNumber } from "@/app/lib/format";
import type { PlotData, PlotLayout } from "@/app/lib/plotly";
import type { KScore } from "@/app/lib/types";
import { useMediaQuery } from "@/app/lib/useMediaQuery";

type Metric = "silhouette" | "calinski_harabasz" | "davies_bouldin" | "inertia";

const METRICS: { key: Metric; title: string; better: string; digits: number }[] = [
  { key: "silhouette", title: "Silhouette", better: "higher is better", digits: 3 },
  { key: "calinski_harabasz", title: "Calinski–Harabasz", better: "higher is better", digits: 1 },
  { key: "davies_bouldin", title: "Davies–Bouldin", better: "lower is better", digits: 3 },
  { key: "inertia", title: "Inertia (elbow)", better: "look for the bend", digits: 1 },
];

const LINE = "#3969AC";
const CHOSEN = "#D55E00";

/** Four small panels (one per score), each with the chosen k drawn as a large orange marker. */
export function kSelectionFigure(
  scores: KScore[],
  chosenK: number,
  columns: 1 | 2 = 2,
): { data: PlotData[]; layout: PlotLayout } {
  const sorted = [...scores].sort((a, b) => a.k - b.k);
  const present = METRICS.filter((metric) => sorted.some((s) => s[metric.key] !== null));
  const data: PlotData[] = [];
  const layout: PlotLayout = {
    grid: {
      rows: Math.ceil(present.length / columns),
      columns,
      pattern: "independent",
      ygap: columns === 1 ? 0.45 : 0.35,
      xgap: 0.18,
    },
    showlegend: false,
    margin: { l: 56, r: 16, t: 28, b: 40 },
    annotations: [],
  };
  present.forEach((metric, index) => {
    const suffix = index === 0 ? "" : String(index + 1);
    const xaxis = `x${suffix}`;
    const yaxis = `y${suffix}`;
    const points = sorted.filter((s) => s[metric.key] !== null);
    const chosen = points.find((s) => s.k === chosenK);
    data.push({
      type: "scatter",
      mode: "lines+markers",
      x: points.map((s) => s.k),
      y: points.map((s) => s[metric.key]),
      xaxis,
      yaxis,
      name: metric.title,
      line: { color: LINE },
      marker: { color: LINE, size: 6 },
      hovertemplate: `k=%{x}<br>${metric.title}: %{y:.${metric.digits}f}<extra></extra>`,
    });
    if (chosen) {
      data.push({
        type: "scatter",
        mode: "markers",
        x: [chosen.k],
        y: [chosen[metric.key]],
        xaxis,
        yaxis,
        name: `chosen k=${chosenK}`,
        marker: { color: CHOSEN, size: 14, symbol: "diamond", line: { color: "#fff", width: 1 } },
        hovertemplate: `chosen k=%{x}<br>${metric.title}: %{y:.${metric.digits}f}<extra></extra>`,
      });
    }
    layout[`xaxis${suffix}`] = { dtick: 1, title: { text: "k", standoff: 2 } };
    layout[`yaxis${suffix}`] = { zeroline: false };
    (layout.annotations as unknown[]).push({
      text: `<b>${metric.title}</b> <span style="font-size:11px">(${metric.better})</span>`,
      xref: `${xaxis} domain`,
      yref: `${yaxis} domain`,
      x: 0,
      y: 1.18,
      xanchor: "left",
      showarrow: false,
    });
  });
  return { data, layout };
}

/** Why this k: every score per k, as a chart and as a table (the table is the accessible copy). */
export function KSelectionChart({ scores, chosenK }: { scores: KScore[]; chosenK: number }) {
  // On a phone the four panels stack in one column so each stays readable.
  const narrow = useMediaQuery("(max-width: 640px)");
  const figure = useMemo(() => kSelectionFigure(scores, chosenK, narrow ? 1 : 2), [scores, chosenK, narrow]);
  const sorted = [...scores].sort((a, b) => a.k - b.k);
  return (
    <section aria-labelledby="k-title" className="panel">
      <h2 id="k-title">Choosing k</h2>
      <p className="hint">
        Each k from the sweep, scored four ways; the chosen <strong>k = {chosenK}</strong> is the orange
        diamond.
      </p>
      <Plot
        data={figure.data}
        layout={figure.layout}
        label={`Scores per number of segments k; chosen k is ${chosenK}`}
        testId="k-chart"
        height={narrow ? 880 : 480}
      />
      <details>
        <summary>Score table</summary>
        <div className="table-wrap">
          <table data-testid="k-table">
            <thead>
              <tr>
                <th scope="col">k</th>
                {METRICS.map((metric) => (
                  <th scope="col" key={metric.key}>
                    {metric.title}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {sorted.map((score) => (
                <tr key={score.k} className={score.k === chosenK ? "chosen" : undefined}>
                  <th scope="row">
                    {score.k}
                    {score.k === chosenK ? " (chosen)" : ""}
                  </th>
                  {METRICS.map((metric) => (
                    <td key={metric.key}>{formatNumber(score[metric.key], metric.digits)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </section>
  );
}
