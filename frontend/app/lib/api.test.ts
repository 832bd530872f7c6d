import { describe, expect, it, vi } from "vitest";
import {
  type ApiModelSchema,
  createApi,
  downloadName,
  readScoredCsv,
  toCustomers,
  toModelSchema,
  toOverview,
  toPrediction,
  toSegment,
} from "@/app/lib/api";
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

/** A /customers answer; points carry whatever the served model's features are. */
function customerList(total: number, customers: object[]): Schemas["CustomerList"] {
  const list = { model_version: "v1", total, returned: customers.length, sampled: customers.length < total, customers };
  return list as unknown as Schemas["CustomerList"];
}

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

  it("keeps each customer's finite numbers (a missing one is simply absent)", () => {
    const sample = toCustomers(
      customerList(3, [
        { customer_id: "1", gender: "Male", age: 20, annual_income: 30, spending_score: 40, segment: 0 },
        { customer_id: "2", gender: null, age: null, annual_income: 30, spending_score: 40, segment: 1 },
      ]),
    );
    expect(sample.customers).toEqual([
      { id: "1", segment: 0, values: { age: 20, annual_income: 30, spending_score: 40 } },
      { id: "2", segment: 1, values: { annual_income: 30, spending_score: 40 } },
    ]);
    expect(sample.total).toBe(3);
  });

  it("reads customers numbered by row, with any features and principal components", () => {
    const points = [{ row_id: 7, segment: 2, segment_name: "S", fresh: 12669, channel: "2", pc1: 0.5, pc2: -1 }];
    const sample = toCustomers(customerList(1, points));
    expect(sample.customers).toEqual([{ id: "7", segment: 2, values: { row_id: 7, fresh: 12669, pc1: 0.5, pc2: -1 } }]);
  });

  it("maps a segment keyed by any features, without an action, with level shares", () => {
    const wholesale = {
      ...profile(0),
      action: null,
      medians: { fresh: 8000, milk: 2000 },
      gender_mix: {},
      level_shares: { channel: { "1": 0.9, "2": 0.1 } },
    } as unknown as Schemas["ClusterProfile"];
    expect(toSegment(wholesale)).toMatchObject({
      action: null,
      medians: { fresh: 8000, milk: 2000 },
      genderMix: {},
      levelShares: { channel: { "1": 0.9, "2": 0.1 } },
    });
    expect(toSegment(profile(1))).toMatchObject({ action: "a", levelShares: {} });
  });

  it("maps the prediction's optional confidence", () => {
    const base: Schemas["Prediction"] = {
      segment: 1,
      segment_name: "B",
      distance: 0.1,
      runner_up: 0,
      runner_up_name: "A",
      runner_up_distance: 1,
      margin: 0.9,
      out_of_distribution: false,
      model_version: "v1",
    };
    expect(toPrediction(base).confidence).toBeUndefined();
    const withNote = { ...base, confidence: null, confidence_note: "far from every segment" } as Schemas["Prediction"];
    expect(toPrediction(withNote)).toMatchObject({ confidence: null, confidenceNote: "far from every segment" });
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

const wholesaleWire: ApiModelSchema = {
  schema_kind: "custom",
  id_column: "row_id",
  id_generated: true,
  features: [
    {
      name: "fresh",
      kind: "numeric",
      label: "Fresh",
      unit: null,
      transform: "log1p",
      valid_range: null,
      seen: { min: 3, max: 112151, median: 8504 },
      levels: null,
      other_level: false,
    },
    {
      name: "channel",
      kind: "categorical",
      label: "Channel",
      unit: null,
      transform: "none",
      valid_range: null,
      seen: null,
      levels: ["1", "2"],
      other_level: false,
    },
  ],
  describe: [],
  axes: { x: "pc1", y: "pc2", z: null, source: "pca", explained_variance: [0.44, 0.28] },
};

describe("the model schema", () => {
  it("maps /model/schema to the view's schema", () => {
    expect(toModelSchema(wholesaleWire)).toEqual({
      kind: "custom",
      idColumn: "row_id",
      idGenerated: true,
      features: [
        {
          name: "fresh",
          kind: "numeric",
          label: "Fresh",
          unit: null,
          transform: "log1p",
          validRange: null,
          seen: { min: 3, max: 112151, median: 8504 },
          levels: null,
          otherLevel: false,
        },
        {
          name: "channel",
          kind: "categorical",
          label: "Channel",
          unit: null,
          transform: "none",
          validRange: null,
          seen: null,
          levels: ["1", "2"],
          otherLevel: false,
        },
      ],
      describe: [],
      axes: { x: "pc1", y: "pc2", z: null, three: null, source: "pca", explainedVariance: [0.44, 0.28] },
    });
  });

  it("fetches GET /model/schema through the client", async () => {
    const seen: Request[] = [];
    const fetchImpl = vi.fn(async (request: Request) => {
      seen.push(request);
      return jsonResponse(wholesaleWire);
    });
    const schema = await createApi("http://api.test", fetchImpl as unknown as typeof fetch).getModelSchema();
    expect(seen[0]?.method).toBe("GET");
    expect(seen[0]?.url).toBe("http://api.test/model/schema");
    expect(schema.features.map((f) => f.name)).toEqual(["fresh", "channel"]);
  });

  it("reports a missing model (503) with the API's message", async () => {
    const fetchImpl = vi.fn(async () => jsonResponse({ detail: "No trained model" }, 503));
    const failure = createApi("http://api.test", fetchImpl as unknown as typeof fetch).getModelSchema();
    await expect(failure).rejects.toMatchObject({ status: 503, message: "No trained model" });
  });
});

describe("createApi", () => {
  it("posts exactly the form's fields to /predict", async () => {
    let body: unknown = null;
    const fetchImpl = vi.fn(async (request: Request) => {
      body = await request.json();
      return jsonResponse({
        segment: 0,
        segment_name: "A",
        distance: 0,
        runner_up: 1,
        runner_up_name: "B",
        runner_up_distance: 1,
        margin: 1,
        out_of_distribution: false,
        model_version: "v1",
      });
    });
    const api = createApi("http://api.test", fetchImpl as unknown as typeof fetch);
    await api.predict({ fresh: 12669, channel: "2" });
    expect(body).toEqual({ fresh: 12669, channel: "2" });
  });

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
