import { describe, expect, it } from "vitest";
import { kSelectionFigure } from "@/app/components/KSelectionChart";
import { makeOverview } from "@/app/test/fixtures";

describe("kSelectionFigure", () => {
  it("draws every score per k and highlights the chosen k in each panel", () => {
    const overview = makeOverview(3);
    const { data } = kSelectionFigure(overview.scores, 3);
    const lines = data.filter((trace) => trace.mode === "lines+markers");
    const chosen = data.filter((trace) => trace.mode === "markers");
    expect(lines.map((trace) => trace.name)).toEqual([
      "Silhouette",
      "Calinski–Harabasz",
      "Davies–Bouldin",
      "Inertia (elbow)",
    ]);
    expect(lines[0]?.x).toEqual([2, 3, 4, 5]);
    expect(chosen).toHaveLength(4);
    expect(chosen.every((trace) => (trace.x as number[])[0] === 3)).toBe(true);
    expect(chosen[0]?.y).toEqual([0.4321]);
  });

  it("skips a score the API did not compute", () => {
    const scores = makeOverview(3).scores.map((s) => ({ ...s, inertia: null }));
    const { data } = kSelectionFigure(scores, 3);
    expect(data.some((trace) => trace.name === "Inertia (elbow)")).toBe(false);
  });
});
