/** Synthetic data for component tests (made up here: never rows of the real customer data). */
import type { CustomerSample, Overview, Prediction, Segment } from "@/app/lib/types";

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
    silhouette: 0.5,
    ...overrides,
  };
}

export function makeOverview(k = 3): Overview {
  const segments = Array.from({ length: k }, (_, id) => makeSegment(id));
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
        customer_id: `C${segment}-${i}`,
        gender: i % 2 === 0 ? "Female" : "Male",
        age: 20 + segment * 10 + i,
        annual_income: 30 + segment * 20 + i,
        spending_score: 10 + segment * 25 + i,
        segment,
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
