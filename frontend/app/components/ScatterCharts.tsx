"use client";

import { useMemo } from "react";
import { Plot } from "@/app/components/Plot";
import { segmentColor } from "@/app/lib/colors";
import { formatNumber } from "@/app/lib/format";
import type { PlotData, PlotLayout } from "@/app/lib/plotly";
import type { Customer, CustomerSample, FeatureValues, Segment } from "@/app/lib/types";

export interface MarkedPoint extends FeatureValues {
  segmentName: string;
}

const HOVER_2D =
  "<b>Customer %{customdata[0]}</b><br>Income: %{x} k$<br>Spending: %{y}<br>Age: %{customdata[1]}<extra>%{fullData.name}</extra>";
const HOVER_3D =
  "<b>Customer %{customdata[0]}</b><br>Age: %{x}<br>Income: %{y} k$<br>Spending: %{z}<extra>%{fullData.name}</extra>";

function bySegment(customers: Customer[]): Map<number, Customer[]> {
  const groups = new Map<number, Customer[]>();
  for (const customer of customers) {
    const group = groups.get(customer.segment);
    if (group) group.push(customer);
    else groups.set(customer.segment, [customer]);
  }
  return groups;
}

/** One trace per segment, so clicking a legend entry hides or shows that segment. */
export function scatterTraces(
  customers: Customer[],
  segments: Segment[],
  marked: MarkedPoint | null,
  dims: 2 | 3,
): PlotData[] {
  const groups = bySegment(customers);
  const traces: PlotData[] = [...segments]
    .sort((a, b) => a.id - b.id)
    .map((segment) => {
      const members = groups.get(segment.id) ?? [];
      const common = {
        name: `#${segment.id} ${segment.name}`,
        mode: "markers",
        customdata: members.map((c) => [c.customer_id, c.age]),
        marker: { color: segmentColor(segment.id), size: dims === 2 ? 8 : 4, opacity: 0.85 },
      };
      return dims === 2
        ? {
            ...common,
            type: "scatter",
            x: members.map((c) => c.annual_income),
            y: members.map((c) => c.spending_score),
            hovertemplate: HOVER_2D,
          }
        : {
            ...common,
            type: "scatter3d",
            x: members.map((c) => c.age),
            y: members.map((c) => c.annual_income),
            z: members.map((c) => c.spending_score),
            hovertemplate: HOVER_3D,
          };
    });
  if (marked) {
    const point = {
      name: `New customer → ${marked.segmentName}`,
      mode: "markers",
      customdata: [["new", marked.age]],
    };
    traces.push(
      dims === 2
        ? {
            ...point,
            type: "scatter",
            x: [marked.annual_income],
            y: [marked.spending_score],
            marker: { symbol: "star", size: 22, color: "#111", line: { color: "#fff", width: 2 } },
            hovertemplate: HOVER_2D,
          }
        : {
            ...point,
            type: "scatter3d",
            x: [marked.age],
            y: [marked.annual_income],
            z: [marked.spending_score],
            marker: { symbol: "diamond", size: 10, color: "#111" },
            hovertemplate: HOVER_3D,
          },
    );
  }
  return traces;
}

// Below the plot, anchored by its top so it never overlaps the x-axis title, however it wraps.
const LEGEND = { orientation: "h", yanchor: "top", y: -0.22, x: 0, font: { size: 11 } };
const MARGIN = { l: 56, r: 16, t: 16, b: 8 };

const LAYOUT_2D: PlotLayout = {
  uirevision: "keep",
  margin: { ...MARGIN, b: 48 },
  xaxis: { title: { text: "Annual income (k$)" }, zeroline: false },
  yaxis: { title: { text: "Spending score (1–100)" }, zeroline: false },
  legend: LEGEND,
  hovermode: "closest",
};

const LAYOUT_3D: PlotLayout = {
  uirevision: "keep",
  margin: { l: 0, r: 0, t: 8, b: 0 },
  scene: {
    xaxis: { title: { text: "Age" } },
    yaxis: { title: { text: "Income (k$)" } },
    zaxis: { title: { text: "Spending" } },
    camera: { eye: { x: 1.45, y: 1.45, z: 0.85 } },
  },
  legend: { ...LEGEND, y: 0 },
};

interface ScatterChartsProps {
  sample: CustomerSample;
  segments: Segment[];
  marked: MarkedPoint | null;
}

/** The customers in income × spending (2D) and age × income × spending (3D), coloured by segment. */
export function ScatterCharts({ sample, segments, marked }: ScatterChartsProps) {
  const data2d = useMemo(
    () => scatterTraces(sample.customers, segments, marked, 2),
    [sample, segments, marked],
  );
  const data3d = useMemo(
    () => scatterTraces(sample.customers, segments, marked, 3),
    [sample, segments, marked],
  );
  const sampled = sample.total > sample.customers.length;
  return (
    <section aria-labelledby="scatter-title" className="panel">
      <h2 id="scatter-title">Customers by segment</h2>
      <p className="hint">
        Hover a point for the customer; click a legend entry to hide or show a segment
        {sampled
          ? `. Showing a random sample of ${formatNumber(sample.customers.length)} of ${formatNumber(sample.total)} customers.`
          : "."}
      </p>
      <div className="charts">
        <div className="chart">
          <h3>Income vs spending</h3>
          <Plot
            data={data2d}
            layout={LAYOUT_2D}
            label="Scatter plot of annual income against spending score, coloured by segment"
            testId="scatter-2d"
          />
        </div>
        <div className="chart">
          <h3>Age, income and spending (drag to rotate)</h3>
          <Plot
            data={data3d}
            layout={LAYOUT_3D}
            label="3D scatter plot of age, annual income and spending score, coloured by segment"
            testId="scatter-3d"
          />
        </div>
      </div>
    </section>
  );
}
