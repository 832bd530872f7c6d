import { describe, expect, it, vi } from "vitest";
import { createApi, downloadName, readScoredCsv, toCustomers, toOverview } from "@/app/lib/api";
import type { components } from "@/app/lib/api-types";
import { ApiError } from "@/app/lib/errors";

type Schemas = components["schemas"];

const profile = (id: number): Schemas["ClusterProfile"] => ({
  id,
  name: `Name ${id}`,
  description: "d",
  action: "a",
  size: 10 + id,
  share: 0.5,
  centroid: { age: 1, annual_income: 2, spending_score: 3 },
  medians: { age: 30, annual_income: 50, spending_score: 60 },
  gender_mix: { Female: 0.5, Male: 0.5 },
});

const clusters: Schemas["ClusterSummary"] = {
  model_version: "v1",
  k: 2,
  features: ["age", "annual_income", "spending_score"],
  rows_used: 21,
  k_selection: {
    scores: [
      { k: 2, silhouette: 0.5, silhouette_std: 0, calinski_harabasz: 10, davies_bouldin: 0.7, inertia: 9 },
      { k: 3, silhouette: 0.4, silhouette_std: 0, calinski_harabasz: 11, davies_bouldin: 0.8, inertia: 7 },
    ],
    best_k: 2,
    chosen_k: 2,
    pinned: false,
    reason: "k=2 wins",
  },
  silhouette: { overall: 0.51, per_segment: [0.5, 0.52] },
  stability: { resamples: 20, mean_ari: 0.9, std_ari: 0.1, min_ari: 0.6, verdict: "stable" },
  segments: [profile(0), profile(1)],
};

function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

describe("mapping the API's shapes", () => {
  it("builds the overview from /clusters and /health", () => {
    const overview = toOverview(clusters, { created_at: "2026-01-01T00:00:00Z" } as Schemas["Health"]);
    expect(overview).toMatchObject({
      customers: 21,
      k: 2,
      silhouette: 0.51,
      stability: { meanAri: 0.9, verdict: "stable", resamples: 20 },
      modelVersion: "v1",
      createdAt: "2026-01-01T00:00:00Z",
      reason: "k=2 wins",
    });
    expect(overview.segments.map((s) => s.id)).toEqual([0, 1]);
  });

  it("leaves customers with a missing coordinate out of the charts", () => {
    const sample = toCustomers({
      model_version: "v1",
      total: 3,
      returned: 2,
      sampled: true,
      customers: [
        { customer_id: "1", gender: "Male", age: 20, annual_income: 30, spending_score: 40, segment: 0 },
        { customer_id: "2", gender: null, age: null, annual_income: 30, spending_score: 40, segment: 1 },
      ],
    });
    expect(sample.customers.map((c) => c.customer_id)).toEqual(["1"]);
    expect(sample.total).toBe(3);
  });

  it("reads the scored CSV's error column as per-row errors (row 1 = first data row)", async () => {
    const text = "id,segment,segment_name,error\n1,0,A,\n2,,,\"age 'x' is not a number\"\n3,1,B,\n";
    const scored = await readScoredCsv(new Blob([text]), "f.csv");
    expect(scored.rowCount).toBe(3);
    expect(scored.errors).toEqual([{ row: 2, reason: "age 'x' is not a number" }]);
  });

  it("names the download after the API's Content-Disposition, or the upload", () => {
    expect(downloadName('attachment; filename="shop_segmented.csv"', "x.csv")).toBe("shop_segmented.csv");
    expect(downloadName(null, "my shop.csv")).toBe("my shop_segmented.csv");
  });
});

describe("createApi", () => {
  it("turns a 422 into an ApiError carrying the API's detail", async () => {
    const fetchImpl = vi.fn(async () =>
      jsonResponse({ detail: "age: Input should be less than or equal to 100", errors: [] }, 422),
    );
    const api = createApi("http://api.test", fetchImpl as unknown as typeof fetch);
    const failure = api.predict({ gender: "Male", age: 500, annual_income: 1, spending_score: 1 });
    await expect(failure).rejects.toThrow(new ApiError("age: Input should be less than or equal to 100", 422));
    await expect(failure).rejects.toMatchObject({ status: 422 });
  });

  it("reports an unreachable API with its address", async () => {
    const fetchImpl = vi.fn(async () => {
      throw new TypeError("Failed to fetch");
    });
    const api = createApi("http://api.test", fetchImpl as unknown as typeof fetch);
    await expect(api.overview()).rejects.toThrow(
      "Cannot reach the API at http://api.test (Failed to fetch). Is it running?",
    );
  });

  it("asks for the customers with a limit and posts the CSV as multipart", async () => {
    const seen: Request[] = [];
    const fetchImpl = vi.fn(async (request: Request) => {
      seen.push(request);
      if (request.url.includes("/customers")) {
        return jsonResponse({ model_version: "v1", total: 0, returned: 0, sampled: false, customers: [] });
      }
      return new Response("a,segment,segment_name,error\n1,0,A,\n", {
        headers: { "Content-Type": "text/csv", "Content-Disposition": 'attachment; filename="up_segmented.csv"' },
      });
    });
    const api = createApi("http://api.test", fetchImpl as unknown as typeof fetch);
    await api.customers();
    expect(seen[0]?.url).toBe("http://api.test/customers?limit=5000");
    const scored = await api.scoreCsv(new File(["a\n1\n"], "up.csv", { type: "text/csv" }));
    expect(seen[1]?.url).toBe("http://api.test/predict/csv?format=csv");
    expect(seen[1]?.headers.get("content-type")).toMatch(/^multipart\/form-data; boundary=/);
    expect(scored.filename).toBe("up_segmented.csv");
    expect(scored.rows).toEqual([["1", "0", "A", ""]]);
  });
});
