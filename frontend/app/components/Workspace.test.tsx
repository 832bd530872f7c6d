import { act, cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CustomersTable } from "@/app/components/CustomersTable";
import { ScoreForm } from "@/app/components/ScoreForm";
import { SegmentCards } from "@/app/components/SegmentCards";
import { SegmentCompare } from "@/app/components/SegmentCompare";
import { TrainPanel, type TrainingApi } from "@/app/components/TrainPanel";
import { saveApiKey } from "@/app/lib/apiKey";
import { ApiError } from "@/app/lib/errors";
import type { CustomerPage, RunProgress, SchemaDraft } from "@/app/lib/types";
import { makeCustomers, makeOverview, makePrediction, mallSchema } from "@/app/test/fixtures";

afterEach(() => {
  cleanup();
  saveApiKey(null);
  vi.useRealTimers();
});

const page: CustomerPage = {
  rows: [{ id: "C4-1", segment: 4, segmentName: "S4", values: { age: 33, annual_income: 80, spending_score: 90 } }],
  total: 1,
  population: 200,
  page: 1,
  pages: 1,
};

describe("CustomersTable", () => {
  it("asks the server for the chosen segment and links the export of exactly that view", async () => {
    const loadPage = vi.fn(async () => page);
    const exportUrl = vi.fn((q: { segments: number[] }) => `/x?segments=${q.segments.join(",")}`);
    render(<CustomersTable schema={mallSchema()} segments={makeOverview(5).segments} loadPage={loadPage} exportUrl={exportUrl} />);
    expect(await screen.findByText(/1 of 200 customers/)).toBeTruthy();
    fireEvent.change(screen.getByTestId("filter-segment"), { target: { value: "4" } });
    await waitFor(() => expect(loadPage).toHaveBeenLastCalledWith(expect.objectContaining({ segments: [4], page: 1 })));
    expect(screen.getByTestId("export-link").getAttribute("href")).toBe("/x?segments=4");
    expect(screen.getByTestId("export-link").textContent).toContain("segment #4");
    fireEvent.click(screen.getByRole("button", { name: "Age" }));
    await waitFor(() => expect(loadPage).toHaveBeenLastCalledWith(expect.objectContaining({ sort: "age", order: "asc" })));
    expect(screen.getByRole("columnheader", { name: /Age/ }).getAttribute("aria-sort")).toBe("ascending");
  });

  it("says what went wrong when the API refuses", async () => {
    const loadPage = vi.fn(async () => {
      throw new Error("range: unknown column");
    });
    render(<CustomersTable schema={mallSchema()} segments={makeOverview(2).segments} loadPage={loadPage} exportUrl={() => "/"} />);
    expect((await screen.findByTestId("customers-table-error")).textContent).toContain("range: unknown column");
  });
});

describe("SegmentCards editing", () => {
  it("asks for the key once, sends it, and forgets a refused one", async () => {
    const rename = vi.fn(async () => undefined);
    const onChanged = vi.fn();
    render(<SegmentCards segments={makeOverview(2).segments} schema={mallSchema()} editing={{ rename, onChanged }} />);
    const card = screen.getAllByTestId("segment-card")[1]!;
    fireEvent.click(within(card).getByRole("button", { name: /Rename segment 1/ }));
    fireEvent.change(within(card).getByLabelText("Name"), { target: { value: "Loyal" } });
    fireEvent.click(within(card).getByRole("button", { name: "Save" }));
    expect((await within(card).findByTestId("segment-edit-error")).textContent).toContain("API key");
    expect(rename).not.toHaveBeenCalled();
    fireEvent.change(within(card).getByLabelText(/API key/), { target: { value: "k" } });
    fireEvent.click(within(card).getByRole("button", { name: "Use key" }));
    expect(window.sessionStorage.getItem("segmentation-api-key")).toBe("k");
    expect(window.localStorage.length).toBe(0);
    rename.mockRejectedValueOnce(new ApiError("invalid API key", 401));
    fireEvent.click(within(card).getByRole("button", { name: "Save" }));
    expect((await within(card).findByTestId("segment-edit-error")).textContent).toContain("refused");
    expect(window.sessionStorage.getItem("segmentation-api-key")).toBeNull();
    fireEvent.change(within(card).getByLabelText(/API key/), { target: { value: "right" } });
    fireEvent.click(within(card).getByRole("button", { name: "Use key" }));
    fireEvent.click(within(card).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(onChanged).toHaveBeenCalledOnce());
    expect(rename).toHaveBeenLastCalledWith(1, { name: "Loyal" }, "right");
  });
});

describe("SegmentCompare", () => {
  it("shows both segments' sizes and loads each one's customers for the distributions", async () => {
    const loadSample = vi.fn(async (segment: number) => ({
      customers: makeCustomers(3).customers.filter((c) => c.segment === segment),
      total: 4,
    }));
    const segments = makeOverview(3).segments;
    render(<SegmentCompare schema={mallSchema()} segments={segments} evidence={null} pair={[0, 2]} onPair={() => undefined} loadSample={loadSample} />);
    const sizes = screen.getAllByTestId("compare-size");
    expect(sizes.map((s) => s.textContent)).toEqual(["10 (25.0%)", "30 (25.0%)"]);
    await waitFor(() => expect(loadSample).toHaveBeenCalledTimes(2));
    expect(await screen.findAllByText(/middle half \d/)).toHaveLength(6);
  });
});

describe("ScoreForm what-if", () => {
  it("scores the medians at once, then re-scores (debounced) as a slider moves", async () => {
    const predict = vi.fn(async () => makePrediction());
    const onScored = vi.fn();
    render(<ScoreForm schema={mallSchema()} predict={predict} onScored={onScored} />);
    fireEvent.click(screen.getByTestId("what-if"));
    await waitFor(() => expect(predict).toHaveBeenCalledTimes(1));
    expect(predict).toHaveBeenLastCalledWith({ gender: "Female", age: 36, annual_income: 61.5, spending_score: 50 });
    vi.useFakeTimers();
    const slider = screen.getByTestId("slider-spending_score");
    fireEvent.input(slider, { target: { value: "90" } });
    fireEvent.input(slider, { target: { value: "95" } });
    expect((screen.getByRole("spinbutton", { name: /Spending score/ }) as HTMLInputElement).value).toBe("95");
    await act(async () => {
      vi.advanceTimersByTime(300);
    });
    vi.useRealTimers();
    await waitFor(() => expect(predict).toHaveBeenCalledTimes(2));
    expect(predict).toHaveBeenLastCalledWith({ gender: "Female", age: 36, annual_income: 61.5, spending_score: 95 });
    expect(onScored).toHaveBeenCalledTimes(2);
  });
});

const draft: SchemaDraft = {
  filename: "wholesale.csv",
  inputKind: "customers",
  rows: 440,
  columns: [
    { header: "Channel", name: "channel", role: "feature", kind: "categorical", transform: null, reason: "a code" },
    { header: "Fresh", name: "fresh", role: "feature", kind: "numeric", transform: "log1p", reason: "skewed" },
  ],
  idColumn: null,
  features: ["channel", "fresh"],
  categorical: ["channel"],
  transforms: { fresh: "log1p" },
  notes: [],
};

function run(state: RunProgress["state"]): RunProgress {
  return {
    runId: "job-1",
    state,
    progress: state === "running" ? 0.5 : 1,
    stages: [{ name: "Loading data", state: "done", seconds: 0.1, stepsDone: null, stepsTotal: null, detail: null }],
    error: null,
    modelVersion: state === "running" ? null : "new-v",
    k: 2,
    scores: [],
    reason: null,
    kWins: [{ k: 2, wins: 50, frequency: 1 }],
    kStatement: "k=2 won 50 of 50",
    comparison:
      state === "running"
        ? null
        : {
            servedVersion: "old-v",
            servedK: 6,
            served: [{ id: 0, name: "Old", size: 10, share: 1 }],
            fresh: [{ id: 0, name: "New", size: 5, share: 1 }],
            sameSchema: true,
            note: "continued",
            migration: { oldSegments: [0], newSegments: [0], counts: [[5]], inBoth: 5, stayed: 5 },
            migrationNotes: [],
          },
  };
}

describe("TrainPanel", () => {
  it("uploads, shows the draft, trains with the chosen columns, polls, compares and publishes", async () => {
    saveApiKey("key");
    const statuses = [run("running"), run("done")];
    const api: TrainingApi = {
      inferSchema: vi.fn(async () => draft),
      startRun: vi.fn(async () => "job-1"),
      runStatus: vi.fn(async () => statuses.shift() ?? run("done")),
      publishRun: vi.fn(async () => ({ modelVersion: "new-v", previousVersion: "old-v", k: 2, warnings: [] })),
      discardRun: vi.fn(async () => undefined),
    };
    const onPublished = vi.fn();
    render(<TrainPanel api={api} onPublished={onPublished} />);
    const file = new File(["Channel,Fresh\n1,2\n"], "wholesale.csv", { type: "text/csv" });
    fireEvent.change(screen.getByLabelText(/Customer table/), { target: { files: [file] } });
    fireEvent.click(screen.getByRole("button", { name: "Read the table" }));
    expect(await screen.findAllByTestId("draft-column")).toHaveLength(2);
    fireEvent.click(screen.getByLabelText("Cluster on Channel"));
    fireEvent.click(screen.getByRole("button", { name: "Start training" }));
    await waitFor(() => expect(api.startRun).toHaveBeenCalled());
    expect(api.startRun).toHaveBeenCalledWith(file, expect.objectContaining({ features: ["fresh"], kMin: 2, kMax: 8 }), "key");
    expect(await screen.findByTestId("run-comparison", {}, { timeout: 4000 })).toBeTruthy();
    expect(screen.getByTestId("migration-table").textContent).toContain("5");
    fireEvent.click(screen.getByTestId("publish-run"));
    expect((await screen.findByTestId("publish-result")).textContent).toContain("new-v");
    expect(api.publishRun).toHaveBeenCalledWith("job-1", "key");
    expect(onPublished).toHaveBeenCalledOnce();
  });

  it("shows the one-line reason of a failed run", async () => {
    saveApiKey("key");
    const failed = { ...run("failed"), error: "no usable rows", comparison: null };
    const api: TrainingApi = {
      inferSchema: vi.fn(async () => draft),
      startRun: vi.fn(async () => "job-1"),
      runStatus: vi.fn(async () => failed),
      publishRun: vi.fn(),
      discardRun: vi.fn(),
    };
    render(<TrainPanel api={api} onPublished={() => undefined} />);
    const file = new File(["a\n1\n"], "t.csv", { type: "text/csv" });
    fireEvent.change(screen.getByLabelText(/Customer table/), { target: { files: [file] } });
    fireEvent.click(screen.getByRole("button", { name: "Read the table" }));
    fireEvent.click(await screen.findByRole("button", { name: "Start training" }));
    expect((await screen.findByTestId("run-failed", {}, { timeout: 4000 })).textContent).toContain("no usable rows");
  });
});
