"use client";

import { useMemo } from "react";
import { Plot } from "@/app/components/Plot";
import { formatNumber } from "@/app/lib/format";
import type { PlotData, PlotLayout } from "@/app/lib/plotly";
import type { KEvidence, KScore } from "@/app/lib/types";
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

interface Panel {
  title: string;
  better: string;
  digits: number;
  points: { k: number; value: number }[];
  percent?: boolean;
}

/** The panels: the four scores, then (when the card has them) how often each k wins and its stability. */
function panels(scores: KScore[], evidence: KEvidence | null): Panel[] {
  const sorted = [...scores].sort((a, b) => a.k - b.k);
  const out: Panel[] = METRICS.map((metric) => ({
    title: metric.title,
    better: metric.better,
    digits: metric.digits,
    points: sorted.flatMap((s) => (s[metric.key] === null ? [] : [{ k: s.k, value: s[metric.key] as number }])),
  }));
  const perK = [...(evidence?.perK ?? [])].sort((a, b) => a.k - b.k);
  if (perK.length > 0) {
    out.push({
      title: `Wins over ${evidence?.resamples ?? "the"} resamples`,
      better: "how often each k is best",
      digits: 0,
      percent: true,
      points: perK.map((p) => ({ k: p.k, value: p.frequency * 100 })),
    });
    const stable = perK.filter((p) => p.meanAri !== null);
    if (stable.length > 0) {
      out.push({
        title: "Stability (mean ARI)",
        better: "higher is steadier",
        digits: 2,
        points: stable.map((p) => ({ k: p.k, value: p.meanAri as number })),
      });
    }
  }
  return out.filter((panel) => panel.points.length > 0);
}

/** Small panels (one per score, plus k wins and stability), each with the chosen k as a large orange marker. */
export function kSelectionFigure(
  scores: KScore[],
  chosenK: number,
  columns: 1 | 2 = 2,
  evidence: KEvidence | null = null,
): { data: PlotData[]; layout: PlotLayout } {
  const present = panels(scores, evidence);
  const data: PlotData[] = [];
  const layout: PlotLayout = {
    grid: {
      rows: Math.ceil(present.length / columns),
      columns,
      pattern: "independent",
      ygap: columns === 1 ? 0.45 : 0.5,
      xgap: 0.18,
    },
    showlegend: false,
    margin: { l: 56, r: 16, t: 28, b: 40 },
    annotations: [],
  };
  present.forEach((panel, index) => {
    const suffix = index === 0 ? "" : String(index + 1);
    const xaxis = `x${suffix}`;
    const yaxis = `y${suffix}`;
    const { points } = panel;
    const chosen = points.find((p) => p.k === chosenK);
    const unit = panel.percent ? "%" : "";
    data.push({
      type: "scatter",
      mode: "lines+markers",
      x: points.map((p) => p.k),
      y: points.map((p) => p.value),
      xaxis,
      yaxis,
      name: panel.title,
      line: { color: LINE, ...(panel.percent ? { shape: "hvh" } : {}) },
      ...(panel.percent ? { fill: "tozeroy", fillcolor: "rgba(57,105,172,0.2)" } : {}),
      marker: { color: LINE, size: 6 },
      hovertemplate: `k=%{x}<br>${panel.title}: %{y:.${panel.digits}f}${unit}<extra></extra>`,
    });
    if (chosen) {
      data.push({
        type: "scatter",
        mode: "markers",
        x: [chosen.k],
        y: [chosen.value],
        xaxis,
        yaxis,
        name: `chosen k=${chosenK}`,
        marker: { color: CHOSEN, size: 14, symbol: "diamond", line: { color: "#fff", width: 1 } },
        hovertemplate: `chosen k=%{x}<br>${panel.title}: %{y:.${panel.digits}f}${unit}<extra></extra>`,
      });
    }
    layout[`xaxis${suffix}`] = { dtick: 1, title: { text: "k", standoff: 2 } };
    layout[`yaxis${suffix}`] = { zeroline: false, ...(panel.percent ? { range: [0, 100], ticksuffix: "%" } : {}) };
    (layout.annotations as unknown[]).push({
      text: `<b>${panel.title}</b> <span style="font-size:11px">(${panel.better})</span>`,
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
export function KSelectionChart({
  scores,
  chosenK,
  evidence = null,
}: {
  scores: KScore[];
  chosenK: number;
  evidence?: KEvidence | null;
}) {
  // On a phone the four panels stack in one column so each stays readable.
  const narrow = useMediaQuery("(max-width: 640px)");
  const figure = useMemo(() => kSelectionFigure(scores, chosenK, narrow ? 1 : 2, evidence), [scores, chosenK, narrow, evidence]);
  const perK = new Map((evidence?.perK ?? []).map((p) => [p.k, p]));
  const rows = Math.ceil((4 + (perK.size > 0 ? 2 : 0)) / (narrow ? 1 : 2));
  const sorted = [...scores].sort((a, b) => a.k - b.k);
  return (
    <section aria-labelledby="k-title" className="panel">
      <h2 id="k-title">Choosing k</h2>
      <p className="hint">
        Each k from the sweep, scored four ways{evidence && evidence.perK.length > 0 ? ", how often it wins over resamples and how stable it is" : ""}; the chosen <strong>k = {chosenK}</strong> is the orange
        diamond.
      </p>
      {evidence?.statement && (
        <p className={evidence.uncertain ? "warning" : "hint"} data-testid="k-certainty">
          <strong>How certain:</strong> {evidence.statement}
        </p>
      )}
      <Plot
        data={figure.data}
        layout={figure.layout}
        label={`Scores per number of segments k; chosen k is ${chosenK}`}
        testId="k-chart"
        height={narrow ? 220 * rows : 240 * rows}
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
                {perK.size > 0 && <th scope="col">Wins (of {evidence?.resamples ?? "?"})</th>}
                {perK.size > 0 && <th scope="col">Stability (mean ARI)</th>}
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
                  {perK.size > 0 && <td>{perK.has(score.k) ? `${perK.get(score.k)?.wins} (${formatNumber((perK.get(score.k)?.frequency ?? 0) * 100, 0)}%)` : "—"}</td>}
                  {perK.size > 0 && (
                    <td>
                      {perK.get(score.k)?.meanAri != null
                        ? `${formatNumber(perK.get(score.k)?.meanAri, 2)} (worst ${formatNumber(perK.get(score.k)?.minAri, 2)})`
                        : "—"}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
      {evidence && evidence.segments.length > 0 && (
        <details>
          <summary>Stability per segment</summary>
          <div className="table-wrap">
            <table data-testid="segment-stability-table">
              <thead>
                <tr>
                  <th scope="col">Segment</th>
                  <th scope="col">Bootstrap Jaccard</th>
                  <th scope="col">Reading (Hennig)</th>
                </tr>
              </thead>
              <tbody>
                {evidence.segments.map((s) => (
                  <tr key={s.segment}>
                    <th scope="row">#{s.segment}</th>
                    <td>{formatNumber(s.meanJaccard, 2)}</td>
                    <td>{s.reading}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="hint">≥ 0.85 highly stable, 0.75–0.85 stable, 0.6–0.75 a pattern, below 0.6 dissolved.</p>
        </details>
      )}
    </section>
  );
}
