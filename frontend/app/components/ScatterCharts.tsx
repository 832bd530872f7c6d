"use client";

import { useMemo } from "react";
import { Plot } from "@/app/components/Plot";
import { segmentColor } from "@/app/lib/colors";
import { formatNumber } from "@/app/lib/format";
import type { PlotData, PlotLayout } from "@/app/lib/plotly";
import { type Axis, chartSpec, hoverExtras, lowerFirst } from "@/app/lib/schema";
import type { Customer, CustomerSample, ModelSchema, Segment } from "@/app/lib/types";

/** A scored customer to mark in the charts: its feature values and its segment. */
export interface MarkedPoint {
  values: Record<string, number>;
  segmentName: string;
}

/** One hover line per axis and extra feature, e.g. "Income: %{x} k$". */
function hoverTemplate(axes: Axis[], extras: Axis[], idLabel: string): string {
  const slots = ["x", "y", "z"];
  const lines = [
    `<b>${idLabel} %{customdata[0]}</b>`,
    ...axes.map((axis, i) => `${axis.name}: %{${slots[i]}${axis.format}}${axis.unit ? ` ${axis.unit}` : ""}`),
    ...extras.map((axis, i) => `${axis.name}: %{customdata[${i + 1}]}${axis.unit ? ` ${axis.unit}` : ""}`),
  ];
  return `${lines.join("<br>")}<extra>%{fullData.name}</extra>`;
}

function bySegment(customers: Customer[]): Map<number, Customer[]> {
  const groups = new Map<number, Customer[]>();
  for (const customer of customers) {
    const group = groups.get(customer.segment);
    if (group) group.push(customer);
    else groups.set(customer.segment, [customer]);
  }
  return groups;
}

/** What one chart plots: its axes, the hover's extra features and how a customer is named. */
export interface ScatterView {
  axes: Axis[];
  extras: Axis[];
  idLabel: string;
}

/**
 * One trace per segment, so clicking a legend entry hides or shows that segment. A customer
 * without a value on one of the axes is left out; the marked customer is drawn when its values
 * cover the axes (never for principal components, which the form does not have).
 */
export function scatterTraces(
  customers: Customer[],
  segments: Segment[],
  marked: MarkedPoint | null,
  view: ScatterView,
): PlotData[] {
  const { axes, extras, idLabel } = view;
  const dims = axes.length === 2 ? 2 : 3;
  const slots = ["x", "y", "z"] as const;
  const complete = (values: Record<string, number>) => axes.every((axis) => values[axis.key] !== undefined);
  const coordinates = (members: { values: Record<string, number> }[]) =>
    Object.fromEntries(axes.map((axis, i) => [slots[i], members.map((m) => m.values[axis.key])]));
  const customdata = (id: string, values: Record<string, number>) => [id, ...extras.map((a) => values[a.key] ?? null)];
  const hovertemplate = hoverTemplate(axes, extras, idLabel);
  const groups = bySegment(customers.filter((customer) => complete(customer.values)));
  const traces: PlotData[] = [...segments]
    .sort((a, b) => a.id - b.id)
    .map((segment) => {
      const members = groups.get(segment.id) ?? [];
      return {
        name: `#${segment.id} ${segment.name}`,
        mode: "markers",
        type: dims === 2 ? "scatter" : "scatter3d",
        customdata: members.map((c) => customdata(c.id, c.values)),
        marker: { color: segmentColor(segment.id), size: dims === 2 ? 8 : 4, opacity: 0.85 },
        hovertemplate,
        ...coordinates(members),
      };
    });
  if (marked && complete(marked.values)) {
    traces.push({
      name: `New customer → ${marked.segmentName}`,
      mode: "markers",
      type: dims === 2 ? "scatter" : "scatter3d",
      customdata: [customdata("new", marked.values)],
      marker:
        dims === 2
          ? { symbol: "star", size: 22, color: "#111", line: { color: "#fff", width: 2 } }
          : { symbol: "diamond", size: 10, color: "#111" },
      hovertemplate,
      ...coordinates([marked]),
    });
  }
  return traces;
}

// Below the plot, anchored by its top so it never overlaps the x-axis title, however it wraps.
const LEGEND = { orientation: "h", yanchor: "top", y: -0.22, x: 0, font: { size: 11 } };
const MARGIN = { l: 56, r: 16, t: 16, b: 8 };

/** Plotly's default axis type unless the axis is logarithmic. */
function logType(axis: Axis | undefined): { type?: "log" } {
  return axis?.log ? { type: "log" } : {};
}

function layout2d([x, y]: Axis[]): PlotLayout {
  return {
    uirevision: "keep",
    margin: { ...MARGIN, b: 48 },
    xaxis: { title: { text: x?.title }, zeroline: false, ...logType(x) },
    yaxis: { title: { text: y?.title }, zeroline: false, ...logType(y) },
    legend: LEGEND,
    hovermode: "closest",
  };
}

function layout3d([x, y, z]: Axis[]): PlotLayout {
  return {
    uirevision: "keep",
    margin: { l: 0, r: 0, t: 8, b: 0 },
    scene: {
      xaxis: { title: { text: x?.shortTitle }, ...logType(x) },
      yaxis: { title: { text: y?.shortTitle }, ...logType(y) },
      zaxis: { title: { text: z?.shortTitle }, ...logType(z) },
      camera: { eye: { x: 1.45, y: 1.45, z: 0.85 } },
    },
    legend: { ...LEGEND, y: 0 },
  };
}

/** "Income vs spending"; "Age, income and spending". */
function heading(axes: Axis[]): string {
  const [first, ...rest] = axes.map((axis, i) => (i === 0 ? axis.name : lowerFirst(axis.name)));
  if (rest.length === 1) return `${first} vs ${rest[0]}`;
  return `${first}, ${rest.slice(0, -1).join(", ")} and ${rest.at(-1)}`;
}

function spoken(axes: Axis[]): string {
  const names = axes.map((axis) => axis.spoken);
  return names.length === 2
    ? `${names[0]} against ${names[1]}`
    : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

interface ScatterChartsProps {
  sample: CustomerSample;
  segments: Segment[];
  schema: ModelSchema;
  marked: MarkedPoint | null;
}

/**
 * The customers on the schema's axes, coloured by segment: 2D on axes.x × axes.y, 3D on
 * axes.z × axes.x × axes.y (Mall: income × spending and age × income × spending), or on the first
 * principal components when no pair of features separates the segments.
 */
export function ScatterCharts({ sample, segments, schema, marked }: ScatterChartsProps) {
  const spec = useMemo(() => chartSpec(schema), [schema]);
  const idLabel = schema.idGenerated ? "Row" : "Customer";
  const view2d = useMemo(
    () => ({ axes: spec.plane, extras: hoverExtras(schema, spec.plane), idLabel }),
    [schema, spec, idLabel],
  );
  const view3d = useMemo(
    () => (spec.space ? { axes: spec.space, extras: hoverExtras(schema, spec.space), idLabel } : null),
    [schema, spec, idLabel],
  );
  const data2d = useMemo(
    () => scatterTraces(sample.customers, segments, marked, view2d),
    [sample, segments, marked, view2d],
  );
  const data3d = useMemo(
    () => (view3d ? scatterTraces(sample.customers, segments, marked, view3d) : null),
    [sample, segments, marked, view3d],
  );
  const layout2 = useMemo(() => layout2d(spec.plane), [spec]);
  const layout3 = useMemo(() => (spec.space ? layout3d(spec.space) : null), [spec]);
  const sampled = sample.total > sample.customers.length;
  const variance = schema.axes.explainedVariance?.slice(0, spec.space ? 3 : 2).reduce((a, b) => a + b, 0);
  return (
    <section aria-labelledby="scatter-title" className="panel">
      <h2 id="scatter-title">Customers by segment</h2>
      <p className="hint">
        Hover a point for the customer; click a legend entry to hide or show a segment
        {sampled
          ? `. Showing a random sample of ${formatNumber(sample.customers.length)} of ${formatNumber(sample.total)} customers.`
          : "."}
      </p>
      {spec.pca && (
        <p className="hint" data-testid="pca-note">
          No pair of features separates the segments well, so the axes are the first principal
          components of the standardised features
          {variance === undefined ? "" : ` (together ${formatNumber(variance * 100)}% of the variance)`}.
        </p>
      )}
      <div className="charts">
        <div className="chart">
          <h3>{heading(spec.plane)}</h3>
          <Plot
            data={data2d}
            layout={layout2}
            label={`Scatter plot of ${spoken(spec.plane)}, coloured by segment`}
            testId="scatter-2d"
          />
        </div>
        {spec.space && data3d && layout3 && (
          <div className="chart">
            <h3>{heading(spec.space)} (drag to rotate)</h3>
            <Plot
              data={data3d}
              layout={layout3}
              label={`3D scatter plot of ${spoken(spec.space)}, coloured by segment`}
              testId="scatter-3d"
            />
          </div>
        )}
      </div>
    </section>
  );
}
