import { cleanup, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ScatterCharts, scatterTraces } from "@/app/components/ScatterCharts";
import { chartSpec, hoverExtras } from "@/app/lib/schema";
import {
  makeCustomers,
  makeOverview,
  makeWholesaleCustomers,
  makeWholesaleSegment,
  mallSchema,
  wholesaleSchema,
} from "@/app/test/fixtures";
import { fakePlotly, plotCalls } from "@/app/test/plotly-mock";

vi.mock("@/app/lib/plotly", () => ({ loadPlotly: async () => fakePlotly }));

afterEach(() => {
  cleanup();
  plotCalls.length = 0;
});

function lastLayout(testId: string): Record<string, unknown> {
  // The fake records (element, data); Plotly.react's third argument is the layout.
  const calls = fakePlotly.react.mock.calls as unknown as [HTMLElement, unknown, Record<string, unknown>][];
  return calls.filter(([element]) => element.dataset.testid === testId).at(-1)?.[2] ?? {};
}

describe("scatterTraces", () => {
  it("puts each customer in its segment's trace on the Mall model's 3D axes (age, income, spending)", () => {
    const overview = makeOverview(3);
    const spec = chartSpec(mallSchema());
    const view = { axes: spec.space!, extras: hoverExtras(mallSchema(), spec.space!), idLabel: "Customer" };
    const traces = scatterTraces(makeCustomers(3, 2).customers, overview.segments, null, view);
    expect(traces).toHaveLength(3);
    expect(traces[1]?.type).toBe("scatter3d");
    expect(traces[1]?.customdata).toEqual([["C1-0"], ["C1-1"]]);
    expect(traces[1]?.x).toEqual([30, 31]); // age
    expect(traces[1]?.y).toEqual([50, 51]); // income
    expect(traces[1]?.z).toEqual([35, 36]); // spending
  });

  it("hovers the Mall 2D chart as before: income and spending on the axes, age in the hover", () => {
    const schema = mallSchema();
    const spec = chartSpec(schema);
    const view = { axes: spec.plane, extras: hoverExtras(schema, spec.plane), idLabel: "Customer" };
    const [first] = scatterTraces(makeCustomers(1, 1).customers, makeOverview(1).segments, null, view);
    expect(first?.hovertemplate).toBe(
      "<b>Customer %{customdata[0]}</b><br>Income: %{x} k$<br>Spending: %{y}<br>Age: %{customdata[1]} years<extra>%{fullData.name}</extra>",
    );
    expect(first?.customdata).toEqual([["C0-0", 20]]);
  });

  it("leaves out a customer without a value on an axis, and marks the scored one", () => {
    const schema = wholesaleSchema();
    const spec = chartSpec(schema);
    const view = { axes: spec.plane, extras: hoverExtras(schema, spec.plane), idLabel: "Row" };
    const sample = makeWholesaleCustomers(2, 2);
    delete sample.customers[0]!.values.grocery;
    const marked = { values: { grocery: 7, detergents_paper: 8 }, segmentName: "#1 x" };
    const traces = scatterTraces(sample.customers, [0, 1].map((id) => makeWholesaleSegment(id)), marked, view);
    expect(traces[0]?.x).toEqual([121]);
    expect(traces.at(-1)).toMatchObject({ name: "New customer → #1 x", x: [7], y: [8] });
  });
});

describe("ScatterCharts", () => {
  it("plots the Mall model as before: income × spending and age × income × spending", async () => {
    render(<ScatterCharts sample={makeCustomers(3)} segments={makeOverview(3).segments} schema={mallSchema()} marked={null} />);
    expect(screen.getByRole("heading", { name: "Income vs spending" })).toBeTruthy();
    expect(screen.getByRole("heading", { name: "Age, income and spending (drag to rotate)" })).toBeTruthy();
    expect(screen.getByRole("figure", { name: /annual income against spending score/ })).toBeTruthy();
    await waitFor(() => expect(screen.getByTestId("scatter-3d").dataset.state).toBe("ready"));
    const plane = lastLayout("scatter-2d") as { xaxis: { title: { text: string } }; yaxis: { title: { text: string } } };
    expect([plane.xaxis.title.text, plane.yaxis.title.text]).toEqual(["Annual income (k$)", "Spending score (1-100)"]);
    expect(plane).not.toHaveProperty("xaxis.type");
    const scene = (lastLayout("scatter-3d") as { scene: Record<string, { title: { text: string } }> }).scene;
    expect([scene.xaxis?.title.text, scene.yaxis?.title.text, scene.zaxis?.title.text]).toEqual([
      "Age (years)",
      "Income (k$)",
      "Spending",
    ]);
  });

  it("plots a wholesale model on the schema's axes, numbering customers by row", async () => {
    const segments = [0, 1, 2].map((id) => makeWholesaleSegment(id));
    render(<ScatterCharts sample={makeWholesaleCustomers()} segments={segments} schema={wholesaleSchema()} marked={null} />);
    expect(screen.getByRole("heading", { name: "Grocery vs detergents paper" })).toBeTruthy();
    expect(screen.getByRole("heading", { name: "Fresh, grocery and detergents paper (drag to rotate)" })).toBeTruthy();
    await waitFor(() => expect(screen.getByTestId("scatter-2d").dataset.state).toBe("ready"));
    const trace = plotCalls.find((call) => call.element.dataset.testid === "scatter-2d")?.data[0];
    expect(trace?.hovertemplate).toContain("<b>Row %{customdata[0]}</b><br>Grocery: %{x} m.u.");
    expect(trace?.x).toEqual([120, 121, 122]);
    // log1p features that were always positive are drawn on log axes; the Mall's stay linear.
    const plane = lastLayout("scatter-2d") as { xaxis: { type?: string }; yaxis: { type?: string } };
    expect([plane.xaxis.type, plane.yaxis.type]).toEqual(["log", "log"]);
  });

  it("plots principal components with their share of the variance", async () => {
    const schema = wholesaleSchema({
      axes: { x: "pc1", y: "pc2", z: "pc3", source: "pca", explainedVariance: [0.44, 0.28, 0.12] },
    });
    const sample = makeWholesaleCustomers(1, 2);
    for (const [i, customer] of sample.customers.entries()) Object.assign(customer.values, { pc1: i, pc2: 1 - i, pc3: 0.5 });
    render(<ScatterCharts sample={sample} segments={[makeWholesaleSegment(0)]} schema={schema} marked={null} />);
    expect(screen.getByRole("heading", { name: "PC1 vs PC2" })).toBeTruthy();
    expect(screen.getByTestId("pca-note").textContent).toContain("84% of the variance");
    await waitFor(() => expect(screen.getByTestId("scatter-3d").dataset.state).toBe("ready"));
    const plane = lastLayout("scatter-2d") as { xaxis: { title: { text: string } } };
    expect(plane.xaxis.title.text).toBe("PC1 (44% of variance)");
    const scatter = plotCalls.find((call) => call.element.dataset.testid === "scatter-3d")?.data[0];
    expect([scatter?.x, scatter?.y, scatter?.z]).toEqual([[0, 1], [1, 0], [0.5, 0.5]]);
  });

  it("draws no 3D chart when the model has only two features to plot", () => {
    const base = mallSchema();
    const schema = { ...base, features: base.features.slice(1), axes: { ...base.axes, z: null } };
    render(<ScatterCharts sample={makeCustomers(2)} segments={makeOverview(2).segments} schema={schema} marked={null} />);
    expect(screen.getByTestId("scatter-2d")).toBeTruthy();
    expect(screen.queryByTestId("scatter-3d")).toBeNull();
  });
});
