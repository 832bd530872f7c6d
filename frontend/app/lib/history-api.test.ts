import { describe, expect, it } from "vitest";
import { createApi, toMigration, toRunSummary } from "@/app/lib/api";
import { HISTORY, jsonResponse, MIGRATION, routedFetch, runInfo } from "@/app/test/history-fixtures";

describe("the history calls", () => {
  it("read the run's scores defensively (a missing score is null)", () => {
    expect(toRunSummary(runInfo(2, { scores: { silhouette: 0.5, mean_ari: "n/a" } }))).toMatchObject({
      modelVersion: "v2",
      parentVersion: "v1",
      silhouette: 0.5,
      meanAri: null,
      rowsUsed: null,
      served: false,
    });
  });

  it("take the share changes from the matrix when the report has none of its own", () => {
    const inner = [{ segment_id: 7, old_count: 1, new_count: 2, old_share: 0.1, new_share: 0.2, change: 0.1 }];
    const report = { ...MIGRATION, share_changes: [], migration: { ...MIGRATION.migration!, share_changes: inner } };
    const migration = toMigration(report);
    expect(migration.shareChanges).toEqual([{ segmentId: 7, oldCount: 1, newCount: 2, oldShare: 0.1, newShare: 0.2, change: 0.1 }]);
    expect(migration.matrix).toMatchObject({ left: 6, arrived: 9, leftBySegment: [4, 2], arrivedBySegment: [1, 3, 5] });
    expect(migration.drift?.segments).toEqual({ name: "segment", kind: "segment", psi: 0.31, flag: "major shift" });
  });

  it("put the version and customer id in the path, escaped", async () => {
    const fetchImpl = routedFetch([
      [/\/migration$/, () => jsonResponse(MIGRATION)],
      [/\/history$/, () => jsonResponse(HISTORY)],
    ]);
    const api = createApi("http://api", fetchImpl as unknown as typeof fetch);
    await api.migration("aa5be064-2026-11-29");
    await api.customerHistory("C 1/2");
    const paths = fetchImpl.mock.calls.map(([request]) => new URL(request.url).pathname);
    expect(paths).toEqual(["/runs/aa5be064-2026-11-29/migration", "/customers/C%201%2F2/history"]);
  });
});
