/** Number and date formatting shared by the cards, tables and charts (one locale: en-US). */

export function formatNumber(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  return value.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

export function formatPercent(share: number | null | undefined, digits = 1): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return "—";
  return `${(share * 100).toFixed(digits)}%`;
}

/** "2026-11-26T21:35:15Z" → "2026-11-26 21:35 UTC"; anything unparsable is shown as given. */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

const MINUS = "\u2212";

/** A signed difference: "+3", "−2", "0" (the sign always shown, a true minus sign). */
export function formatSigned(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  // What rounds to zero gets no sign ("0.0", never "−0.0").
  if (Number(Math.abs(value).toFixed(digits)) === 0) return formatNumber(0, digits);
  return `${value > 0 ? "+" : MINUS}${formatNumber(Math.abs(value), digits)}`;
}

/** A change of share in percentage points: 0.031 → "+3.1 pp", -0.02 → "−2.0 pp". */
export function formatPoints(change: number | null | undefined, digits = 1): string {
  if (change === null || change === undefined || !Number.isFinite(change)) return "—";
  return `${formatSigned(change * 100, digits)} pp`;
}
