/**
 * The dashboard's view of the data. Components depend on these small shapes only; app/lib/api.ts
 * builds them from the generated OpenAPI types, so a change in the API's schema fails the type
 * check in one place instead of in every component.
 *
 * Nothing here names a feature: which features exist, their labels, units and ranges, and which
 * ones the charts plot all come from the served model's schema (`ModelSchema`).
 */

export type FeatureKind = "numeric" | "categorical";

/** One model feature as `GET /model/schema` describes it. */
export interface FeatureInfo {
  name: string;
  kind: FeatureKind;
  /** Display label, e.g. "Annual income (k$)"; the name when the schema declares none. */
  label: string;
  unit: string | null;
  transform: "none" | "log1p";
  /** The declared valid range (values outside are refused by the API), if any. */
  validRange: { low: number; high: number } | null;
  /** What training saw (numeric features only). */
  seen: { min: number; max: number; median: number } | null;
  /** The levels the model knows (categorical features only). */
  levels: string[] | null;
  /** True when the model groups rare or unseen levels as `other`. */
  otherLevel: boolean;
}

/** Which columns the scatter plots use: two (or three) features, or principal components. */
export interface ChartAxes {
  x: string;
  y: string;
  z: string | null;
  /** The 3D chart's axes in display order, when the API gives them (else z, x, y). */
  three?: string[] | null;
  source: "features" | "pca";
  /** Share of variance per principal component (PCA axes only). */
  explainedVariance: number[] | null;
}

/** The served model's feature schema: what the form asks, the CSV needs and the charts plot. */
export interface ModelSchema {
  kind: "mall" | "custom" | "rfm";
  /** `customer_id`, or `row_id` when the table had no id column and customers are numbered by row. */
  idColumn: string;
  idGenerated: boolean;
  features: FeatureInfo[];
  /** Columns shown in profiles but never clustered (e.g. gender in the Mall schema). */
  describe: string[];
  axes: ChartAxes;
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
  /** Suggested marketing action; null where the features' meaning is unknown (no invented advice). */
  action: string | null;
  size: number;
  share: number;
  /** Median per numeric feature, keyed by feature name. */
  medians: Record<string, number>;
  /** Empty when the table has no gender column. */
  genderMix: Record<string, number>;
  /** Categorical feature → level → share of the segment's customers. */
  levelShares: Record<string, Record<string, number>>;
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

/** One training customer: a point of the scatter plots. */
export interface Customer {
  /** The customer id, or the row number when the model numbers customers by row. */
  id: string;
  segment: number;
  /** Every finite number the API sent for it: numeric features and, for PCA axes, pc1..pc3. */
  values: Record<string, number>;
}

export interface CustomerSample {
  customers: Customer[];
  /** Rows in the training data; more than customers.length when the API sampled them. */
  total: number;
}

/** A customer to score: feature name → number (numeric) or text (categorical). */
export type CustomerInput = Record<string, number | string>;

export interface Prediction {
  segmentId: number;
  segmentName: string;
  distance: number;
  runnerUpId: number | null;
  runnerUpName: string | null;
  runnerUpDistance: number | null;
  margin: number | null;
  outOfDistribution: boolean;
  /** Newer APIs: a confidence in [0, 1], null for out-of-distribution customers, with a note. */
  confidence?: number | null;
  confidenceNote?: string | null;
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

// ---------------------------------------------------------------- the segment workspace (issue 15)

/** How certain the choice of k is (`GET /model` → `k_certainty`, `stability_by_k`, `segment_stability`). */
export interface KEvidence {
  /** Per k: how often it won over the resamples (share 0–1), and the bootstrap stability of that k. */
  perK: { k: number; wins: number; frequency: number; meanAri: number | null; minAri: number | null; reading: string | null }[];
  resamples: number | null;
  chosenK: number | null;
  /** The one-standard-error rule's k. */
  oneSeK: number | null;
  uncertain: boolean | null;
  statement: string | null;
  /** Per segment: Hennig's clusterwise bootstrap Jaccard and its reading. */
  segments: { segment: number; meanJaccard: number; reading: string }[];
  /** Per segment id: share of revenue (RFM models only). */
  revenueShare: Record<number, number>;
}

/** The customers table's query: the same filters the CSV export takes. */
export interface CustomerQuery {
  segments: number[];
  search: string;
  /** Feature → inclusive bounds (either may be null). */
  ranges: Record<string, { low: number | null; high: number | null }>;
  sort: string | null;
  order: "asc" | "desc";
  page: number;
  pageSize: number;
}

export interface CustomerRow {
  id: string;
  segment: number;
  segmentName: string;
  values: Record<string, number | string | null>;
}

export interface CustomerPage {
  rows: CustomerRow[];
  total: number;
  population: number;
  page: number;
  pages: number;
}

export interface SegmentLabel {
  name?: string;
  action?: string;
}

/** `POST /schema/infer`: the upload's draft schema. */
export interface DraftColumn {
  header: string;
  name: string;
  role: "id" | "feature" | "describe" | "left_out";
  kind: "numeric" | "categorical" | null;
  transform: "none" | "log1p" | null;
  reason: string;
}

export interface SchemaDraft {
  filename: string;
  inputKind: "customers" | "transactions";
  rows: number;
  columns: DraftColumn[];
  idColumn: string | null;
  features: string[];
  categorical: string[];
  transforms: Record<string, "none" | "log1p">;
  notes: string[];
}

export interface TrainingChoice {
  features: string[];
  categorical: string[];
  transforms: Record<string, "none" | "log1p" | "auto">;
  kMin: number;
  kMax: number;
}

export interface SegmentBrief {
  id: number;
  name: string;
  size: number;
  share: number;
}

export interface RunProgress {
  runId: string;
  state: "running" | "done" | "failed" | "published" | "discarded";
  progress: number;
  stages: { name: string; state: "running" | "done"; seconds: number | null; stepsDone: number | null; stepsTotal: number | null; detail: string | null }[];
  error: string | null;
  modelVersion: string | null;
  k: number | null;
  scores: KScore[];
  reason: string | null;
  kWins: { k: number; wins: number; frequency: number }[];
  kStatement: string | null;
  comparison: {
    servedVersion: string | null;
    servedK: number | null;
    served: SegmentBrief[];
    fresh: SegmentBrief[];
    sameSchema: boolean;
    note: string;
    migration: { oldSegments: number[]; newSegments: number[]; counts: number[][]; inBoth: number; stayed: number } | null;
    migrationNotes: string[];
  } | null;
}

export interface PublishOutcome {
  modelVersion: string;
  previousVersion: string | null;
  k: number;
  warnings: string[];
}

// ---------------------------------------------------------------- history across retraining

/** `GET /runs`: one recorded training run. */
export interface RunSummary {
  modelVersion: string;
  createdAt: string;
  k: number;
  /** Runs of one lineage share segment ids (and your team's names). */
  lineageId: string;
  /** The model this run replaced; null for the first recorded run. */
  parentVersion: string | null;
  sourceName: string;
  engine: string;
  silhouette: number | null;
  meanAri: number | null;
  rowsUsed: number | null;
  /** The model the API serves right now. */
  served: boolean;
}

/** One page of `GET /runs` (newest first). */
export interface RunPage {
  runs: RunSummary[];
  limit: number;
  offset: number;
}

export type PsiFlag = "stable" | "moderate" | "major shift";

/** Population stability index of one feature (or of the segment shares) against the parent run. */
export interface PsiReading {
  name: string;
  kind: "numeric" | "categorical" | "segment";
  psi: number;
  flag: PsiFlag;
}

export interface ShareChange {
  segmentId: number;
  oldCount: number;
  newCount: number;
  oldShare: number;
  newShare: number;
  /** newShare - oldShare. */
  change: number;
}

/** Customers followed by id: previous segment (rows) → this run's segment (columns). */
export interface MigrationMatrix {
  oldSegments: number[];
  newSegments: number[];
  counts: number[][];
  inBoth: number;
  stayed: number;
  /** Customers only in the previous run, in total and per previous segment. */
  left: number;
  leftBySegment: number[];
  /** Customers only in this run, in total and per new segment. */
  arrived: number;
  arrivedBySegment: number[];
}

/** `GET /runs/{version}/migration`: who moved where since the parent model, and drift. */
export interface Migration {
  modelVersion: string;
  parentVersion: string | null;
  lineageId: string;
  status: "fresh" | "continued";
  reason: string;
  keptIds: number[];
  newIds: number[];
  retiredIds: number[];
  matrix: MigrationMatrix | null;
  shareChanges: ShareChange[];
  /** Null when the run's artifacts are gone (see driftSource) or there is no parent. */
  drift: { features: PsiReading[]; segments: PsiReading | null; parentRows: number; newRows: number } | null;
  driftSource: "artifacts" | "store";
  notes: string[];
}

/** `GET /customers/{id}/history`: one customer's segment in each recorded run, newest first. */
export interface CustomerSegmentHistory {
  customerId: string;
  runs: { modelVersion: string; createdAt: string; lineageId: string; segmentId: number; segmentName: string }[];
}
