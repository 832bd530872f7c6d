import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Dashboard, type DashboardApi } from "@/app/components/Dashboard";
import { toCustomerHistory, toMigration, toRunPage } from "@/app/lib/api";
import { ApiError } from "@/app/lib/errors";
import {
  makeCustomers,
  makeOverview,
  makePrediction,
  makeWholesaleCustomers,
  makeWholesaleSegment,
  mallSchema,
  WHOLESALE_NUMERIC,
  wholesaleSchema,
} from "@/app/test/fixtures";
import { HISTORY, MIGRATION, RUNS } from "@/app/test/history-fixtures";
import { fakePlotly, plotCalls } from "@/app/test/plotly-mock";

vi.mock("@/app/lib/plotly", () => ({ loadPlotly: async () => fakePlotly }));

afterEach(() => {
  cleanup();
  plotCalls.length = 0;
});

function fakeApi(overrides: Partial<DashboardApi> = {}): DashboardApi {
  return {
    overview: vi.fn(async () => makeOverview(4)),
    getModelSchema: vi.fn(async () => mallSchema()),
    customers: vi.fn(async () => makeCustomers(4)),
    predict: vi.fn(async () => makePrediction()),
    scoreCsv: vi.fn(async () => {
      throw new Error("not used");
    }),
    ...overrides,
  };
}

describe("Dashboard", () => {
  it("shows the overview and one card per segment", async () => {
    render(<Dashboard api={fakeApi()} />);
    expect(await screen.findByTestId("stat-k")).toHaveProperty("textContent", "4");
    expect(screen.getByTestId("stat-silhouette").textContent).toBe("0.432");
    expect(screen.getByTestId("stat-stability").textContent).toContain("very stable");
    expect(screen.getByTestId("stat-version").textContent).toBe("abcdef12-2026-01-02");
    const cards = screen.getAllByTestId("segment-card");
    expect(cards).toHaveLength(4);
    expect(within(cards[2]!).getByRole("heading").textContent).toBe("#2 Segment name 2");
    expect(within(cards[2]!).getByText(/Action for segment 2/)).toBeTruthy();
  });

  it("draws the 2D, 3D and k charts with one trace per segment", async () => {
    render(<Dashboard api={fakeApi()} />);
    await waitFor(() => expect(screen.getByTestId("scatter-3d").dataset.state).toBe("ready"));
    const scatter2d = plotCalls.find((call) => call.element.dataset.testid === "scatter-2d");
    expect(scatter2d?.data.map((trace) => trace.name)).toEqual([
      "#0 Segment name 0",
      "#1 Segment name 1",
      "#2 Segment name 2",
      "#3 Segment name 3",
    ]);
    await waitFor(() => expect(screen.getByTestId("k-chart").dataset.state).toBe("ready"));
  });

  it("shows how to train when the API has no model (503)", async () => {
    const api = fakeApi({
      overview: vi.fn(async () => {
        throw new ApiError("No trained model: run `python backend/src/main.py`.", 503);
      }),
    });
    render(<Dashboard api={api} />);
    const empty = await screen.findByTestId("empty-state");
    expect(empty.textContent).toContain("No trained model: run `python backend/src/main.py`.");
    expect(empty.textContent).toContain("make train");
    expect(screen.queryAllByTestId("segment-card")).toHaveLength(0);
  });

  it("shows other API errors and retries on request", async () => {
    const overview = vi
      .fn<DashboardApi["overview"]>()
      .mockRejectedValueOnce(new ApiError("Cannot reach the API at this server. Is it running?", 0))
      .mockResolvedValue(makeOverview(2));
    render(<Dashboard api={fakeApi({ overview })} />);
    expect((await screen.findByTestId("load-error")).textContent).toContain("Cannot reach the API");
    fireEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findAllByTestId("segment-card")).toHaveLength(2);
  });

  it("marks a scored customer in both scatter charts", async () => {
    render(<Dashboard api={fakeApi()} />);
    await screen.findAllByTestId("segment-card");
    fireEvent.change(screen.getByLabelText(/Age/), { target: { value: "33" } });
    fireEvent.change(screen.getByLabelText(/Annual income/), { target: { value: "70" } });
    fireEvent.change(screen.getByLabelText(/Spending score/), { target: { value: "60" } });
    fireEvent.click(screen.getByRole("button", { name: "Score" }));
    await screen.findByTestId("prediction");
    await waitFor(() => {
      const last2d = plotCalls.filter((c) => c.element.dataset.testid === "scatter-2d").at(-1);
      const star = last2d?.data.at(-1);
      expect(star?.name).toBe("New customer → #1 Segment name 1");
      expect(star?.x).toEqual([70]);
      expect(star?.y).toEqual([60]);
    });
  });

  it("builds itself from a wholesale model's schema", async () => {
    const api = fakeApi({
      overview: vi.fn(async () => makeOverview(3, makeWholesaleSegment)),
      getModelSchema: vi.fn(async () => wholesaleSchema()),
      customers: vi.fn(async () => makeWholesaleCustomers(3)),
    });
    render(<Dashboard api={api} />);
    const cards = await screen.findAllByTestId("segment-card");
    expect(cards).toHaveLength(3);
    expect(screen.getByTestId("id-note").textContent).toContain("numbered by row");
    expect(within(cards[0]!).queryByTestId("segment-action")).toBeNull();
    const form = screen.getByRole("button", { name: "Score" }).closest("form")!;
    const names = [...form.querySelectorAll("input, select")].map((field) => field.getAttribute("name"));
    expect(names).toEqual([...WHOLESALE_NUMERIC, "channel", "region"]);
    expect(screen.queryByLabelText(/Gender/)).toBeNull();
    expect(screen.getByTestId("csv-columns").textContent).toContain("detergents_paper");
    await waitFor(() => expect(screen.getByTestId("scatter-2d").dataset.state).toBe("ready"));
    expect(screen.getByRole("heading", { name: "Grocery vs detergents paper" })).toBeTruthy();
  });

  it("marks a scored wholesale customer on the schema's axes", async () => {
    const api = fakeApi({
      overview: vi.fn(async () => makeOverview(3, makeWholesaleSegment)),
      getModelSchema: vi.fn(async () => wholesaleSchema()),
      customers: vi.fn(async () => makeWholesaleCustomers(3)),
    });
    render(<Dashboard api={api} />);
    await screen.findAllByTestId("segment-card");
    const values = { Fresh: "5", Milk: "6", Grocery: "700", Frozen: "8", "Detergents paper": "900", Delicassen: "10" };
    for (const [label, value] of Object.entries(values)) {
      fireEvent.change(screen.getByRole("spinbutton", { name: new RegExp(`^${label}`) }), { target: { value } });
    }
    fireEvent.click(screen.getByRole("button", { name: "Score" }));
    await screen.findByTestId("prediction");
    expect(api.predict).toHaveBeenCalledWith(expect.objectContaining({ grocery: 700, channel: "1", region: "1" }));
    await waitFor(() => {
      const last2d = plotCalls.filter((c) => c.element.dataset.testid === "scatter-2d").at(-1);
      expect(last2d?.data.at(-1)).toMatchObject({ x: [700], y: [900] });
    });
  });

  it("shows the error when the schema cannot be loaded", async () => {
    const api = fakeApi({
      getModelSchema: vi.fn(async () => {
        throw new ApiError("The API answered HTTP 500.", 500);
      }),
    });
    render(<Dashboard api={api} />);
    expect((await screen.findByTestId("load-error")).textContent).toBe("The API answered HTTP 500.");
  });

  it("links the history from the section menu and shows the runs after the customers", async () => {
    const api = fakeApi({
      runs: vi.fn(async (offset: number, limit: number) => toRunPage({ runs: RUNS.slice(offset, offset + limit), limit, offset })),
      migration: vi.fn(async () => toMigration(MIGRATION)),
      customerHistory: vi.fn(async () => toCustomerHistory(HISTORY)),
    });
    render(<Dashboard api={api} />);
    const nav = await screen.findByRole("navigation", { name: "Sections" });
    expect(within(nav).getByRole("link", { name: "History" }).getAttribute("href")).toBe("#history");
    expect(within(nav).getByRole("link", { name: "Customer history" }).getAttribute("href")).toBe("#customer-history");
    const history = await screen.findByTestId("runs-table");
    expect(api.runs).toHaveBeenCalledWith(0, 20);
    expect(within(history).getAllByTestId("served-badge")).toHaveLength(1);
    expect(screen.getByRole("heading", { name: "A customer across runs" })).toBeTruthy();
  });

  it("leaves the history out when the API offers no history calls", async () => {
    render(<Dashboard api={fakeApi()} />);
    const nav = await screen.findByRole("navigation", { name: "Sections" });
    expect(within(nav).queryByRole("link", { name: "History" })).toBeNull();
    expect(screen.queryByTestId("run-history")).toBeNull();
  });
});
