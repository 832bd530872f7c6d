/**
 * The dashboard's view of the data. Components depend on these small shapes only; app/lib/api.ts
 * builds them from the generated OpenAPI types, so a change in the API's schema fails the type
 * check in one place instead of in every component.
 */

export type Feature = "age" | "annual_income" | "spending_score";

export interface FeatureValues {
  age: number;
  annual_income: number;
  spending_score: number;
}

export interface KScore {
  k: number;
  silhouette: number;
  calinski_harabasz: number | null;
  davies_bouldin: number | null;
  inertia: number | null;
}

export interface Segment {
  id: number;
  name: string;
  description: string;
  action: string;
  size: number;
  share: number;
  medians: FeatureValues;
  genderMix: Record<string, number>;
  silhouette: number | null;
}

export interface Overview {
  customers: number;
  k: number;
  silhouette: number;
  stability: { meanAri: number; verdict: string; resamples: number } | null;
  reason: string;
  modelVersion: string;
  createdAt: string | null;
  scores: KScore[];
  segments: Segment[];
}

export interface Customer extends FeatureValues {
  customer_id: string;
  gender: string;
  segment: number;
}

export interface CustomerSample {
  customers: Customer[];
  /** Rows in the training data; more than customers.length when the API sampled them. */
  total: number;
}

export interface CustomerInput extends FeatureValues {
  gender: string;
}

export interface Prediction {
  segmentId: number;
  segmentName: string;
  distance: number;
  runnerUpId: number | null;
  runnerUpName: string | null;
  runnerUpDistance: number | null;
  margin: number | null;
  outOfDistribution: boolean;
  modelVersion: string;
}

export interface ScoredCsv {
  /** The scored file exactly as the API returned it, for the download link. */
  blob: Blob;
  filename: string;
  header: string[];
  rows: string[][];
  rowCount: number;
  errors: { row: number; reason: string }[];
}
