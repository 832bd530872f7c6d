/**
 * The profile heatmap's numbers: for every segment and numeric feature, how far the segment's mean
 * lies from the population's mean, in population standard deviations (a standardised difference).
 *
 * Computed from the customers the dashboard already loads for the scatter (`GET /customers`: every
 * customer up to 5,000, else a fixed-seed sample), in the space the model clusters in — log1p for
 * log-transformed features, so one big spender does not paint a whole segment. The API has no
 * population standard deviation, and the schema's seen min/median/max cannot give one; the sample can.
 * The hover shows the segment's exact median from `GET /clusters`.
 */
import type { CustomerSample, FeatureInfo, ModelSchema, Segment } from "@/app/lib/types";

export interface ProfileCell {
  feature: string;
  /** Standardised difference from the population mean; null when the sample has no values. */
  z: number | null;
  median: number | null;
}

export interface ProfileRow {
  segment: Segment;
  cells: ProfileCell[];
}

function transformed(feature: FeatureInfo, value: number): number {
  return feature.transform === "log1p" ? Math.log1p(Math.max(value, 0)) : value;
}

export function profileMatrix(schema: ModelSchema, segments: Segment[], sample: CustomerSample | null): ProfileRow[] {
  const features = schema.features.filter((feature) => feature.kind === "numeric");
  const stats = features.map((feature) => {
    const all: number[] = [];
    const bySegment = new Map<number, number[]>();
    for (const customer of sample?.customers ?? []) {
      const raw = customer.values[feature.name];
      if (raw === undefined || !Number.isFinite(raw)) continue;
      const value = transformed(feature, raw);
      all.push(value);
      const group = bySegment.get(customer.segment);
      if (group) group.push(value);
      else bySegment.set(customer.segment, [value]);
    }
    const mean = all.reduce((sum, v) => sum + v, 0) / (all.length || 1);
    const variance = all.reduce((sum, v) => sum + (v - mean) ** 2, 0) / Math.max(all.length - 1, 1);
    return { feature, mean, sd: Math.sqrt(variance), bySegment, n: all.length };
  });
  return [...segments]
    .sort((a, b) => a.id - b.id)
    .map((segment) => ({
      segment,
      cells: stats.map(({ feature, mean, sd, bySegment, n }) => {
        const values = bySegment.get(segment.id) ?? [];
        const segmentMean = values.reduce((sum, v) => sum + v, 0) / (values.length || 1);
        const z = n > 1 && sd > 0 && values.length > 0 ? (segmentMean - mean) / sd : null;
        return { feature: feature.name, z, median: segment.medians[feature.name] ?? null };
      }),
    }));
}

/** A diverging colour (blue below, white at, orange above the population), saturating at ±2 SD. */
export function divergingColor(z: number | null): string {
  if (z === null || !Number.isFinite(z)) return "#f1f1f1";
  const t = Math.max(-1, Math.min(1, z / 2));
  const [r, g, b] = t < 0 ? [33, 102, 172] : [214, 96, 77];
  const mix = (c: number) => Math.round(255 + (c - 255) * Math.abs(t));
  return `rgb(${mix(r)}, ${mix(g)}, ${mix(b)})`;
}

/** Dark text on light cells, white on saturated ones. */
export function textColor(z: number | null): string {
  return z !== null && Math.abs(z) > 1.2 ? "#fff" : "#1a1a1a";
}

export function describeZ(z: number | null): string {
  if (z === null) return "no data";
  const size = Math.abs(z);
  if (size < 0.1) return "at the population mean";
  return `${size.toFixed(1)} SD ${z > 0 ? "above" : "below"} the population mean`;
}

/** Quartiles (and ends) of a list of numbers: the comparison's box plots. */
export function quantiles(values: number[]): { min: number; q1: number; median: number; q3: number; max: number } | null {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const at = (p: number) => {
    const position = (sorted.length - 1) * p;
    const low = Math.floor(position);
    const high = Math.ceil(position);
    return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
  };
  return { min: sorted[0]!, q1: at(0.25), median: at(0.5), q3: at(0.75), max: sorted[sorted.length - 1]! };
}
