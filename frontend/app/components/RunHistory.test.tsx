import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { lineageStatus, RunHistory } from "@/app/components/RunHistory";
import { createApi, toRunSummary } from "@/app/lib/api";
import { jsonResponse, MIGRATION, pagedRuns, routedFetch, RUNS, runInfo } from "@/app/test/history-fixtures";

afterEach(cleanup);

function renderHistory(fetchImpl: ReturnType<typeof routedFetch>, pageSize = 2) {
  const api = createApi("http://api", fetchImpl as unknown as typeof fetch);
  render(<RunHistory loadRuns={api.runs} loadMigration={api.migration} pageSize={pageSize} />);
}

function rows() {
  return screen.getAllByTestId("run-row");
}

describe("RunHistory", () => {
  it("lists the runs newest first, marks the served one and pages with limit and offset", async () => {
    const fetchImpl = routedFetch([[/^\/runs$/, pagedRuns]]);
    renderHistory(fetchImpl);
    expect(screen.getByRole("status").textContent).toContain("Loading the runs");
    await screen.findByTestId("runs-table");
    expect(rows().map((row) => row.dataset.version)).toEqual(["v3", "v2"]);
    expect(within(rows()[0]!).getByTestId("served-badge").textContent).toBe("served");
    expect(within(rows()[1]!).queryByTestId("served-badge")).toBeNull();
    expect(screen.getAllByTestId("served-badge")).toHaveLength(1);
    expect(rows()[0]!.textContent).toContain("2026-01-03 10:00 UTC");
    expect(within(rows()[0]!).getByTestId("run-lineage").textContent).toBe("continued · lineage-b");
    // v2's parent (v1) is on the next page: its status is unknown until then.
    expect(within(rows()[1]!).getByTestId("run-lineage").textContent).toBe("— · lineage-b");

    fireEvent.click(screen.getByRole("button", { name: "Load more runs" }));
    await waitFor(() => expect(rows()).toHaveLength(3));
    expect(rows().map((row) => row.dataset.version)).toEqual(["v3", "v2", "v1"]);
    expect(within(rows()[1]!).getByTestId("run-lineage").textContent).toBe("fresh lineage · lineage-b");
    expect(within(rows()[2]!).getByTestId("run-lineage").textContent).toBe("first run · lineage-a");
    // The last page was short: nothing more to load.
    expect(screen.queryByRole("button", { name: "Load more runs" })).toBeNull();
    const asked = fetchImpl.mock.calls.map(([request]) => new URL(request.url).search);
    expect(asked).toEqual(["?limit=2&offset=0", "?limit=2&offset=2"]);
  });

  it("shows a selected run's migration: ids, counts, matrix, share changes and drift flags", async () => {
    const fetchImpl = routedFetch([
      [/^\/runs$/, pagedRuns],
      [/^\/runs\/v3\/migration$/, () => jsonResponse(MIGRATION)],
    ]);
    renderHistory(fetchImpl, 20);
    fireEvent.click(await screen.findByRole("button", { name: "v3" }));
    expect(screen.getByRole("button", { name: "v3" }).getAttribute("aria-pressed")).toBe("true");
    const panel = screen.getByTestId("run-migration");
    await within(panel).findByTestId("migration-matrix");
    expect(within(panel).getByTestId("migration-status").textContent).toBe(
      "Continued lineage lineage-b · previous model v2",
    );
    expect(within(panel).getByTestId("migration-ids").textContent).toBe("Kept ids#0, #1New ids#2Retired ids#4");
    expect(within(panel).getByTestId("count-in-both").textContent).toBe("75");
    expect(within(panel).getByTestId("count-stayed").textContent).toBe("62");
    expect(within(panel).getByTestId("count-left").textContent).toBe("6");
    expect(within(panel).getByTestId("count-arrived").textContent).toBe("9");

    const matrix = within(panel).getByTestId("migration-matrix");
    const cells = [...matrix.querySelectorAll("tbody tr")].map((tr) =>
      [...tr.querySelectorAll("th, td")].map((cell) => cell.textContent),
    );
    expect(cells).toEqual([
      ["#0", "22", "3", "1", "4"],
      ["#1", "2", "40", "7", "2"],
      ["arrived", "1", "3", "5", ""],
    ]);

    const shares = within(panel).getAllByTestId("share-change").map((row) => row.textContent);
    expect(shares).toEqual([
      "#030.0% (30)25.0% (25)\u22125.0 pp (\u22125)",
      "#151.0% (51)46.0% (46)\u22125.0 pp (\u22125)",
      "#20.0% (0)13.0% (13)+13.0 pp (+13)",
    ]);

    const drift = within(panel).getAllByTestId("drift-row").map((row) => row.textContent);
    expect(drift).toEqual([
      "Segment sharessegment0.310major shift",
      "agenumeric0.040stable",
      "annual_incomenumeric0.170moderate",
    ]);
    expect(within(panel).getByText("segment 4 was retired: no new segment matched it")).toBeTruthy();
  });

  it("says there is nothing to compare with when the migration is a 404", async () => {
    const fetchImpl = routedFetch([
      [/^\/runs$/, pagedRuns],
      [/^\/runs\/v1\/migration$/, () => jsonResponse({ detail: "no run 'v1' is recorded (GET /runs lists them)" }, 404)],
    ]);
    renderHistory(fetchImpl, 20);
    fireEvent.click(await screen.findByRole("button", { name: "v1" }));
    expect((await screen.findByTestId("migration-none")).textContent).toBe(
      "No previous model to compare with: no run 'v1' is recorded (GET /runs lists them)",
    );
    expect(screen.queryByTestId("migration-error")).toBeNull();
  });

  it("explains a first run whose report has no matrix", async () => {
    const first = { ...MIGRATION, parent_version: null, status: "fresh" as const, migration: null, share_changes: [], drift: null, notes: [] };
    const fetchImpl = routedFetch([
      [/^\/runs$/, pagedRuns],
      [/^\/runs\/v1\/migration$/, () => jsonResponse({ ...first, reason: "no previous run is recorded for this run" })],
    ]);
    renderHistory(fetchImpl, 20);
    fireEvent.click(await screen.findByRole("button", { name: "v1" }));
    expect((await screen.findByTestId("no-matrix")).textContent).toContain("No previous model to compare with");
    expect(screen.getByTestId("migration-status").textContent).toContain("Fresh lineage");
    expect(screen.queryByTestId("drift-table")).toBeNull();
  });

  it("shows the API's one-line detail when a call fails", async () => {
    const fetchImpl = routedFetch([
      [/^\/runs$/, () => jsonResponse({ detail: "the run store is unavailable: disk full" }, 503)],
    ]);
    renderHistory(fetchImpl);
    expect((await screen.findByTestId("runs-error")).textContent).toBe("the run store is unavailable: disk full");

    cleanup();
    const failing = routedFetch([
      [/^\/runs$/, pagedRuns],
      [/migration$/, () => jsonResponse({ detail: "reading memberships failed: database is locked" }, 500)],
    ]);
    renderHistory(failing, 20);
    fireEvent.click(await screen.findByRole("button", { name: "v2" }));
    expect((await screen.findByTestId("migration-error")).textContent).toBe("reading memberships failed: database is locked");
  });

  it("keeps the listed runs when loading more fails", async () => {
    let calls = 0;
    const fetchImpl = routedFetch([
      [/^\/runs$/, (url) => (calls++ === 0 ? pagedRuns(url) : jsonResponse({ detail: "offset: too large" }, 422))],
    ]);
    renderHistory(fetchImpl);
    fireEvent.click(await screen.findByRole("button", { name: "Load more runs" }));
    expect((await screen.findByTestId("runs-more-error")).textContent).toBe("offset: too large");
    expect(rows()).toHaveLength(2);
  });
});

describe("lineageStatus", () => {
  it("reads first, continued and fresh from the listed parents", () => {
    const runs = RUNS.map(toRunSummary);
    expect(runs.map((run) => lineageStatus(run, runs))).toEqual(["continued", "fresh lineage", "first run"]);
    const orphan = toRunSummary(runInfo(5, { parent_version: "v4" }));
    expect(lineageStatus(orphan, runs)).toBeNull();
  });
});
