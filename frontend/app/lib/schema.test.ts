import { describe, expect, it } from "vitest";
import { chartSpec, csvColumns, formatValue, formFields, lowerFirst, shortLabel, unitOf } from "@/app/lib/schema";
import type { FeatureInfo } from "@/app/lib/types";
import { mallSchema, wholesaleSchema } from "@/app/test/fixtures";

const feature = (label: string, unit: string | null = null): FeatureInfo => ({
  name: "x",
  kind: "numeric",
  label,
  unit,
  transform: "none",
  validRange: null,
  seen: null,
  levels: null,
  otherLevel: false,
});

describe("labels and units", () => {
  it("takes the declared unit, else one written in the label, but never a range", () => {
    expect(unitOf(feature("Fresh", "m.u."))).toBe("m.u.");
    expect(unitOf(feature("Annual income (k$)"))).toBe("k$");
    expect(unitOf(feature("Spending score (1-100)"))).toBeNull();
    expect(unitOf(feature("Recency"))).toBeNull();
  });

  it("uses the Mall dashboard's short names only for the Mall schema", () => {
    const income = mallSchema().features[1]!;
    expect(shortLabel(mallSchema(), income)).toBe("Income");
    expect(shortLabel(wholesaleSchema(), income)).toBe("Annual income");
  });

  it("lower-cases a label's first letter inside a sentence, but not an acronym", () => {
    expect(lowerFirst("Detergents paper")).toBe("detergents paper");
    expect(lowerFirst("PC2")).toBe("PC2");
    expect(lowerFirst("Detergents_Paper")).toBe("Detergents_Paper");
  });

  it("formats values as whole numbers from 10 up, with digits below", () => {
    expect([formatValue(12669), formatValue(61.5), formatValue(2.25), formatValue(0.125)]).toEqual([
      "12,669",
      "62",
      "2.3",
      "0.13",
    ]);
  });
});

describe("formFields", () => {
  it("keeps the Mall form's Gender select (a describe column the Mall API accepts) first", () => {
    expect(formFields(mallSchema()).map((field) => field.name)).toEqual([
      "gender",
      "age",
      "annual_income",
      "spending_score",
    ]);
  });

  it("does not add gender twice when the Mall model clusters on it", () => {
    const schema = mallSchema();
    schema.describe = [];
    schema.features.unshift({ ...feature("Gender"), name: "gender", kind: "categorical", levels: ["Female", "Male"] });
    expect(formFields(schema).filter((field) => field.name === "gender")).toHaveLength(1);
  });

  it("asks a custom schema for exactly its features", () => {
    const schema = wholesaleSchema({ describe: ["gender"] });
    expect(formFields(schema).map((field) => field.name)).toEqual(csvColumns(schema).map((column) => column.name));
  });
});

describe("chartSpec", () => {
  it("plots the Mall model on income × spending and age × income × spending", () => {
    const spec = chartSpec(mallSchema());
    expect(spec.plane.map((axis) => axis.key)).toEqual(["annual_income", "spending_score"]);
    expect(spec.space?.map((axis) => axis.key)).toEqual(["age", "annual_income", "spending_score"]);
    expect(spec.pca).toBe(false);
  });

  it("follows the API's 3D order when it gives one", () => {
    const schema = wholesaleSchema();
    schema.axes.three = ["milk", "grocery", "fresh"];
    expect(chartSpec(schema).space?.map((axis) => axis.key)).toEqual(["milk", "grocery", "fresh"]);
  });

  it("keeps principal components in order", () => {
    const spec = chartSpec(
      wholesaleSchema({ axes: { x: "pc1", y: "pc2", z: "pc3", source: "pca", explainedVariance: null } }),
    );
    expect(spec.space?.map((axis) => axis.title)).toEqual(["PC1", "PC2", "PC3"]);
  });
});
