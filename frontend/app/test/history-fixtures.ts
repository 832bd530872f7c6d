/** Made-up API answers for the history views, and a fetch that serves them by path. */
import { vi } from "vitest";
import type { components } from "@/app/lib/api-types";

type Schemas = components["schemas"];

export function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

/** `v3` (served) continues `v2`'s lineage; `v2` started a fresh one after `v1`; `v1` is the first run. */
export function runInfo(index: number, overrides: Partial<Schemas["RunInfo"]> = {}): Schemas["RunInfo"] {
  return {
    model_version: `v${index}`,
    created_at: `2026-01-0${index}T10:00:00Z`,
    k: 3 + index,
    lineage_id: index === 1 ? "lineage-a" : "lineage-b",
    parent_version: index === 1 ? null : `v${index - 1}`,
    schema_hash: "hash",
    data_sha256: "sha",
    engine: "scikit-learn",
    source_name: `customers-${index}.csv`,
    scores: { silhouette: 0.4 + index / 100, mean_ari: 0.9, rows_used: 100 * index },
    served: false,
    ...overrides,
  };
}

export const RUNS: Schemas["RunInfo"][] = [runInfo(3, { served: true }), runInfo(2), runInfo(1)];

export const MIGRATION: Schemas["MigrationReport"] = {
  model_version: "v3",
  parent_version: "v2",
  lineage_id: "lineage-b",
  status: "continued",
  reason: "same feature schema as the previous model v2",
  kept_ids: [0, 1],
  new_ids: [2],
  retired_ids: [4],
  migration: {
    old_segments: [0, 1],
    new_segments: [0, 1, 2],
    counts: [
      [22, 3, 1],
      [2, 40, 7],
    ],
    in_both: 75,
    stayed: 62,
    only_old: 6,
    only_old_by_segment: [4, 2],
    only_new: 9,
    only_new_by_segment: [1, 3, 5],
  },
  share_changes: [
    { segment_id: 0, old_count: 30, new_count: 25, old_share: 0.3, new_share: 0.25, change: -0.05 },
    { segment_id: 1, old_count: 51, new_count: 46, old_share: 0.51, new_share: 0.46, change: -0.05 },
    { segment_id: 2, old_count: 0, new_count: 13, old_share: 0, new_share: 0.13, change: 0.13 },
  ],
  drift: {
    bins: 10,
    epsilon: 0.0001,
    parent_rows: 81,
    new_rows: 84,
    segments: { name: "segment", kind: "segment", psi: 0.31, flag: "major shift", bins: [], expected: [], actual: [] },
    features: [
      { name: "age", kind: "numeric", psi: 0.04, flag: "stable", bins: [], expected: [], actual: [] },
      { name: "annual_income", kind: "numeric", psi: 0.17, flag: "moderate", bins: [], expected: [], actual: [] },
    ],
  },
  drift_source: "artifacts",
  notes: ["segment 4 was retired: no new segment matched it"],
};

export const HISTORY: Schemas["CustomerHistory"] = {
  customer_id: "1",
  runs: [
    { model_version: "v3", created_at: "2026-01-03T10:00:00Z", lineage_id: "lineage-b", segment_id: 2, segment_name: "Weekend regulars" },
    { model_version: "v2", created_at: "2026-01-02T10:00:00Z", lineage_id: "lineage-b", segment_id: 1, segment_name: "Careful spenders" },
  ],
};

type Route = (url: URL) => Response | Promise<Response>;

/** A fetch answering by path (first matching pattern wins); anything else is a 404 with a detail. */
export function routedFetch(routes: [RegExp, Route][]) {
  return vi.fn(async (request: Request) => {
    const url = new URL(request.url);
    for (const [pattern, route] of routes) if (pattern.test(url.pathname)) return route(url);
    return jsonResponse({ detail: `no route ${url.pathname}` }, 404);
  });
}

/** `GET /runs` paging over RUNS by limit and offset, as the API does. */
export function pagedRuns(url: URL): Response {
  const limit = Number(url.searchParams.get("limit") ?? 50);
  const offset = Number(url.searchParams.get("offset") ?? 0);
  return jsonResponse({ runs: RUNS.slice(offset, offset + limit), limit, offset });
}
