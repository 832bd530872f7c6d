/**
 * Everything the dashboard derives from the served model's schema: the scoring form's fields, the
 * CSV columns, the chart axes and the wording of labels and units. Components never name a
 * feature; they ask this module.
 */
import { formatPercent } from "@/app/lib/format";
import type { FeatureInfo, ModelSchema } from "@/app/lib/types";

/**
 * The built-in Mall schema's established wording, so that the Mall dashboard reads exactly as it
 * always has ("Income: 15 k$", "Median spending"), and the Gender select its form has always had
 * (the Mall API accepts gender, a describe column, next to the features). Only wording and that
 * one optional field depend on it: which features exist, their order, ranges and units, and what
 * the charts plot come from the schema as for any other model.
 */
const MALL_SHORT_LABELS: Readonly<Record<string, string>> = {
  age: "Age",
  annual_income: "Income",
  spending_score: "Spending",
};
const MALL_GENDER = "gender";
const MALL_GENDER_LEVELS = ["Female", "Male"];

/** A trailing "(…)" in a label, e.g. "k$" in "Annual income (k$)". */
const TRAILING_PAREN = /\s*\(([^()]+)\)\s*$/;
/** "1-100", "0–10": a range, not a unit. */
const RANGE = /^\s*-?\d+(\.\d+)?\s*[-–]\s*-?\d+(\.\d+)?\s*$/;

export function numericFeatures(schema: ModelSchema): FeatureInfo[] {
  return schema.features.filter((feature) => feature.kind === "numeric");
}

export function categoricalFeatures(schema: ModelSchema): FeatureInfo[] {
  return schema.features.filter((feature) => feature.kind === "categorical");
}

export function findFeature(schema: ModelSchema, name: string): FeatureInfo | undefined {
  return schema.features.find((feature) => feature.name === name);
}

/** "Age" → "age" inside a sentence; "PC2" and "Detergents_Paper" keep their capitals. */
export function lowerFirst(text: string): string {
  const firstWord = text.split(" ", 1)[0] ?? "";
  return /[A-Z]/.test(firstWord.slice(1)) ? text : text.charAt(0).toLowerCase() + text.slice(1);
}

/** The label without a trailing "(unit)": "Annual income (k$)" → "Annual income". */
export function baseLabel(feature: FeatureInfo): string {
  return feature.label.replace(TRAILING_PAREN, "") || feature.name;
}

/** The unit to print after a value: the declared one, else one written in the label ("k$"). */
export function unitOf(feature: FeatureInfo): string | null {
  if (feature.unit) return feature.unit;
  const inLabel = TRAILING_PAREN.exec(feature.label)?.[1];
  return inLabel && !RANGE.test(inLabel) ? inLabel : null;
}

/** What the form shows in brackets after the label: the unit, or the range the label states. */
export function unitHint(feature: FeatureInfo): string | null {
  return feature.unit ?? TRAILING_PAREN.exec(feature.label)?.[1] ?? null;
}

/** The short name used in hovers, 3D axes, chart titles and cards. */
export function shortLabel(schema: ModelSchema, feature: FeatureInfo): string {
  return (schema.kind === "mall" ? MALL_SHORT_LABELS[feature.name] : undefined) ?? baseLabel(feature);
}

/** The full label, with the unit unless the label already states it. */
export function fullLabel(feature: FeatureInfo): string {
  const unit = feature.unit;
  return unit && !feature.label.includes(unit) ? `${feature.label} (${unit})` : feature.label;
}

/** A number for a card or placeholder: whole numbers from 10 up, more digits for small values. */
export function formatValue(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  const size = Math.abs(value);
  const digits = size >= 10 || Number.isInteger(value) ? 0 : size >= 1 ? 1 : 2;
  return value.toLocaleString("en-US", { minimumFractionDigits: 0, maximumFractionDigits: digits });
}

export function withUnit(value: number | null | undefined, unit: string | null): string {
  const text = formatValue(value);
  return unit && text !== "—" ? `${text} ${unit}` : text;
}

/** "Female 57% · Male 43%", "1: 70% · 2: 30%": shares of each level, in the model's level order. */
export function formatShares(shares: Record<string, number>, levels: string[] | null = null): string {
  const order = (level: string) => {
    const index = levels?.indexOf(level) ?? -1;
    return index < 0 ? Number.MAX_SAFE_INTEGER : index;
  };
  return Object.entries(shares)
    .sort(([a], [b]) => order(a) - order(b) || a.localeCompare(b))
    .map(([level, share]) => `${level}${/^\d+$/.test(level) ? ":" : ""} ${formatPercent(share, 0)}`)
    .join(" · ");
}

// ---------------------------------------------------------------- the scoring form

export interface NumberField {
  kind: "numeric";
  name: string;
  label: string;
  hint: string | null;
  min: number | null;
  max: number | null;
  /** 1 when training saw only whole numbers, else "any". */
  step: number | "any";
  placeholder: string;
}

export interface ChoiceField {
  kind: "categorical";
  name: string;
  label: string;
  hint: string | null;
  options: { value: string; label: string }[];
}

export type FormField = NumberField | ChoiceField;

const OTHER = "other";

function numberField(feature: FeatureInfo): NumberField {
  const { validRange, seen } = feature;
  const whole = seen !== null && [seen.min, seen.max, seen.median].every(Number.isInteger);
  return {
    kind: "numeric",
    name: feature.name,
    label: baseLabel(feature),
    hint: unitHint(feature),
    min: validRange?.low ?? seen?.min ?? null,
    max: validRange?.high ?? seen?.max ?? null,
    step: whole ? 1 : "any",
    placeholder: seen ? formatValue(seen.median).replace(/,/g, "") : "",
  };
}

function choiceField(feature: FeatureInfo): ChoiceField {
  const levels = feature.levels ?? [];
  const options = levels.map((level) => ({ value: level, label: level }));
  if (feature.otherLevel && !levels.includes(OTHER)) {
    options.push({ value: OTHER, label: `${OTHER} (any other value)` });
  }
  return { kind: "categorical", name: feature.name, label: baseLabel(feature), hint: unitHint(feature), options };
}

/** The scoring form's fields, in schema order: exactly the model's features (see MALL_*). */
export function formFields(schema: ModelSchema): FormField[] {
  const fields = schema.features.map((feature) =>
    feature.kind === "numeric" ? numberField(feature) : choiceField(feature),
  );
  const mallGender =
    schema.kind === "mall" && schema.describe.includes(MALL_GENDER) && !findFeature(schema, MALL_GENDER);
  if (mallGender) {
    fields.unshift({
      kind: "categorical",
      name: MALL_GENDER,
      label: "Gender",
      hint: null,
      options: MALL_GENDER_LEVELS.map((level) => ({ value: level, label: level })),
    });
  }
  return fields;
}

/** The columns an uploaded CSV needs: every feature, by name (the label works as a header too). */
export function csvColumns(schema: ModelSchema): { name: string; label: string }[] {
  return schema.features.map((feature) => ({ name: feature.name, label: feature.label }));
}

// ---------------------------------------------------------------- the charts

export interface Axis {
  /** The key of the customers' values plotted on this axis (a feature name, or pc1..pc3). */
  key: string;
  /** Axis title in the 2D chart. */
  title: string;
  /** Axis title in the 3D chart (shorter: three of them share a small scene). */
  shortTitle: string;
  /** The name in the chart heading and hover ("Income"). */
  name: string;
  /** The name inside a sentence ("annual income"), for the chart's accessible label. */
  spoken: string;
  unit: string | null;
  /** Plotly number format for hovers (principal components are shown with 2 decimals). */
  format: string;
  /** A log axis: the model clusters the feature's log1p and training saw only positive values. */
  log: boolean;
}

export interface ChartSpec {
  plane: [Axis, Axis];
  /** Null when the model has only two features to plot. */
  space: [Axis, Axis, Axis] | null;
  pca: boolean;
}

function featureAxis(schema: ModelSchema, name: string): Axis {
  const feature = findFeature(schema, name);
  if (!feature) return { key: name, title: name, shortTitle: name, name, spoken: name, unit: null, format: "", log: false };
  const unit = unitOf(feature);
  const short = shortLabel(schema, feature);
  return {
    key: name,
    title: fullLabel(feature),
    shortTitle: unit ? `${short} (${unit})` : short,
    name: short,
    spoken: lowerFirst(baseLabel(feature)),
    unit,
    format: "",
    // Zero or negative values would silently vanish from a log axis, so only when none were seen.
    log: feature.transform === "log1p" && (feature.seen?.min ?? 0) > 0,
  };
}

function componentAxis(schema: ModelSchema, key: string): Axis {
  const index = Number(key.replace(/\D/g, "")) - 1;
  const share = schema.axes.explainedVariance?.[index];
  const name = key.toUpperCase();
  const title = share === undefined ? name : `${name} (${formatPercent(share, 0)} of variance)`;
  const spoken = `principal component ${index + 1}`;
  return { key, title, shortTitle: name, name, spoken, unit: null, format: ":.2f", log: false };
}

/**
 * What the 2D and 3D charts plot: axes.x × axes.y, and the API's 3D order when it gives one, else
 * axes.z first (Mall: age, income, spending) — principal components always in their own order.
 */
export function chartSpec(schema: ModelSchema): ChartSpec {
  const { axes } = schema;
  const pca = axes.source === "pca";
  const axis = (key: string) => (pca ? componentAxis(schema, key) : featureAxis(schema, key));
  const x = axis(axes.x);
  const y = axis(axes.y);
  let space: ChartSpec["space"] = null;
  if (axes.z) {
    const z = axis(axes.z);
    const [a, b, c] = (axes.three ?? []).map(axis);
    space = a && b && c ? [a, b, c] : pca ? [x, y, z] : [z, x, y];
  }
  return { plane: [x, y], space, pca };
}

/** Numeric features a hover shows besides the plotted axes (at most three, in schema order). */
export function hoverExtras(schema: ModelSchema, plotted: Axis[]): Axis[] {
  const keys = new Set(plotted.map((axis) => axis.key));
  return numericFeatures(schema)
    .filter((feature) => !keys.has(feature.name))
    .slice(0, 3)
    .map((feature) => featureAxis(schema, feature.name));
}
