import { describe, expect, it } from "vitest";
import { describeZ, divergingColor, profileMatrix, quantiles } from "@/app/lib/profile";
import { makeCustomers, makeOverview, mallSchema } from "@/app/test/fixtures";

describe("profileMatrix", () => {
  it("standardises each segment's mean against the population, per numeric feature", () => {
    const overview = makeOverview(3);
    const rows = profileMatrix(mallSchema(), overview.segments, makeCustomers(3));
    expect(rows.map((r) => r.segment.id)).toEqual([0, 1, 2]);
    const ages = rows.map((r) => r.cells.find((c) => c.feature === "age")!.z!);
    // Segments 0, 1, 2 are 10 years apart: symmetric around the population mean.
    expect(ages[0]).toBeLessThan(0);
    expect(ages[1]).toBeCloseTo(0, 6);
    expect(ages[2]).toBeCloseTo(-ages[0]!, 6);
    expect(rows[0]!.cells[0]!.median).toBe(overview.segments[0]!.medians.age);
  });

  it("shows medians only (null z) without customers", () => {
    const rows = profileMatrix(mallSchema(), makeOverview(2).segments, null);
    expect(rows.every((r) => r.cells.every((c) => c.z === null && c.median !== null))).toBe(true);
  });
});

describe("helpers", () => {
  it("quartiles and words", () => {
    expect(quantiles([5, 1, 3, 2, 4])).toEqual({ min: 1, q1: 2, median: 3, q3: 4, max: 5 });
    expect(quantiles([])).toBeNull();
    expect(describeZ(1.26)).toBe("1.3 SD above the population mean");
    expect(describeZ(null)).toBe("no data");
    expect(divergingColor(0)).toBe("rgb(255, 255, 255)");
  });
});
