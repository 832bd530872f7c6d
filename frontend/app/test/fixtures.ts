/** Synthetic data for component tests (made up here: never rows of the real customer data). */
import type { CustomerSample, FeatureInfo, ModelSchema, Overview, Prediction, Segment } from "@/app/lib/types";

function numeric(name: string, label: string, unit: string | null, seen: [number, number, number], overrides: Partial<FeatureInfo> = {}): FeatureInfo {
  const [min, max, median] = seen;
  return {
    name,
    kind: "numeric",
    label,
    unit,
    transform: "none",
    validRange: null,
    seen: { min, max, median },
    levels: null,
    otherLevel: false,
    ...overrides,
  };
}

function categorical(name: string, label: string, levels: string[], otherLevel = false): FeatureInfo {
  return { name, kind: "categorical", label, unit: null, transform: "none", validRange: null, seen: null, levels, otherLevel };
}

/** The built-in Mall schema as the API describes it (made-up seen ranges). */
export function mallSchema(): ModelSchema {
  return {
    kind: "mall",
    idColumn: "customer_id",
    idGenerated: false,
    features: [
      numeric("age", "Age", "years", [18, 70, 36], { validRange: { low: 0, high: 120 } }),
      numeric("annual_income", "Annual income (k$)", "k$", [15, 137, 61.5], { validRange: { low: 0, high: 10_000 } }),
      numeric("spending_score", "Spending score (1-100)", null, [1, 99, 50], { validRange: { low: 1, high: 100 } }),
    ],
    describe: ["gender"],
    axes: { x: "annual_income", y: "spending_score", z: "age", source: "features", explainedVariance: null },
  };
}

export const WHOLESALE_NUMERIC = ["fresh", "milk", "grocery", "frozen", "detergents_paper", "delicassen"];

/** A wholesale-like schema: six log-transformed spend columns, two categoricals, rows numbered. */
export function wholesaleSchema(overrides: Partial<ModelSchema> = {}): ModelSchema {
  const labels: Record<string, string> = {
    fresh: "Fresh",
    milk: "Milk",
    grocery: "Grocery",
    frozen: "Frozen",
    detergents_paper: "Detergents paper",
    delicassen: "Delicassen",
  };
  return {
    kind: "custom",
    idColumn: "row_id",
    idGenerated: true,
    features: [
      ...WHOLESALE_NUMERIC.map((name, i) =>
        numeric(name, labels[name] ?? name, "m.u.", [3, 100_000 + i, 3_600 + 100 * i], { transform: "log1p" }),
      ),
      categorical("channel", "Channel", ["1", "2"]),
      categorical("region", "Region", ["1", "2", "3"], true),
    ],
    describe: [],
    axes: { x: "grocery", y: "detergents_paper", z: "fresh", source: "features", explainedVariance: null },
    ...overrides,
  };
}

export function makeWholesaleSegment(id: number, overrides: Partial<Segment> = {}): Segment {
  return makeSegment(id, {
    name: `high Grocery · low Fresh ${id}`,
    action: null,
    medians: Object.fromEntries(WHOLESALE_NUMERIC.map((name, i) => [name, 1_000 * (id + 1) + i])),
    genderMix: {},
    levelShares: { channel: { "2": 0.75, "1": 0.25 }, region: { "3": 0.5, "1": 0.3, "2": 0.2 } },
    ...overrides,
  });
}

export function makeWholesaleCustomers(k = 3, perSegment = 3): CustomerSample {
  const customers = [];
  let row = 1;
  for (let segment = 0; segment < k; segment += 1) {
    for (let i = 0; i < perSegment; i += 1) {
      const values = Object.fromEntries(WHOLESALE_NUMERIC.map((name, j) => [name, 100 * (segment + 1) + 10 * j + i]));
      customers.push({ id: String(row), segment, values: { ...values, row_id: row } });
      row += 1;
    }
  }
  return { customers, total: customers.length };
}

export function makeSegment(id: number, overrides: Partial<Segment> = {}): Segment {
  return {
    id,
    name: `Segment name ${id}`,
    description: `Description of segment ${id}.`,
    action: `Action for segment ${id}.`,
    size: 10 * (id + 1),
    share: 0.25,
    medians: { age: 30 + id, annual_income: 40 + 10 * id, spending_score: 20 + 5 * id },
    genderMix: { Female: 0.6, Male: 0.4 },
    levelShares: {},
    silhouette: 0.5,
    ...overrides,
  };
}

export function makeOverview(k = 3, segment: (id: number) => Segment = makeSegment): Overview {
  const segments = Array.from({ length: k }, (_, id) => segment(id));
  return {
    customers: segments.reduce((sum, s) => sum + s.size, 0),
    k,
    silhouette: 0.4321,
    stability: { meanAri: 0.91, verdict: "very stable", resamples: 20 },
    reason: `k=${k} has the highest mean silhouette`,
    modelVersion: "abcdef12-2026-01-02",
    createdAt: "2026-01-02T03:04:05Z",
    scores: [2, 3, 4, 5].map((kk) => ({
      k: kk,
      silhouette: kk === k ? 0.4321 : 0.3,
      calinski_harabasz: 100 + kk,
      davies_bouldin: 1 / kk,
      inertia: 500 / kk,
    })),
    segments,
  };
}

export function makeCustomers(k = 3, perSegment = 4): CustomerSample {
  const customers = [];
  for (let segment = 0; segment < k; segment += 1) {
    for (let i = 0; i < perSegment; i += 1) {
      customers.push({
        id: `C${segment}-${i}`,
        segment,
        values: { age: 20 + segment * 10 + i, annual_income: 30 + segment * 20 + i, spending_score: 10 + segment * 25 + i },
      });
    }
  }
  return { customers, total: customers.length };
}

export function makePrediction(overrides: Partial<Prediction> = {}): Prediction {
  return {
    segmentId: 1,
    segmentName: "Segment name 1",
    distance: 0.42,
    runnerUpId: 2,
    runnerUpName: "Segment name 2",
    runnerUpDistance: 1.37,
    margin: 0.95,
    outOfDistribution: false,
    modelVersion: "abcdef12-2026-01-02",
    ...overrides,
  };
}
