import { cleanup, render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { SegmentCards } from "@/app/components/SegmentCards";
import { makeSegment, makeWholesaleSegment, mallSchema, wholesaleSchema } from "@/app/test/fixtures";

afterEach(cleanup);

function terms(card: HTMLElement): string[] {
  return within(card)
    .getAllByRole("term")
    .map((term) => term.textContent ?? "");
}

describe("SegmentCards", () => {
  it("shows the Mall medians (with their units), gender mix and action", () => {
    render(<SegmentCards segments={[makeSegment(1)]} schema={mallSchema()} />);
    const card = screen.getByTestId("segment-card");
    expect(terms(card)).toEqual(["Median age", "Median income", "Median spending", "Gender mix"]);
    const values = within(card)
      .getAllByRole("definition")
      .map((d) => d.textContent);
    expect(values).toEqual(["31 years", "50 k$", "25", "Female 60% · Male 40%"]);
    expect(within(card).getByTestId("segment-action").textContent).toBe("Suggested action: Action for segment 1.");
  });

  it("shows a wholesale segment's medians with units and its level shares, without invented advice", () => {
    render(<SegmentCards segments={[makeWholesaleSegment(0)]} schema={wholesaleSchema()} />);
    const card = screen.getByTestId("segment-card");
    expect(terms(card)).toEqual([
      "Median fresh",
      "Median milk",
      "Median grocery",
      "Median frozen",
      "Median detergents paper",
      "Median delicassen",
      "Channel",
      "Region",
    ]);
    expect(within(card).getByText("1,004 m.u.")).toBeTruthy(); // detergents_paper's median
    const shares = within(card).getAllByTestId("level-shares").map((row) => row.textContent);
    expect(shares).toEqual(["Channel1: 25% · 2: 75%", "Region1: 30% · 2: 20% · 3: 50%"]);
    expect(within(card).queryByTestId("segment-action")).toBeNull();
    expect(within(card).queryByText(/Suggested action/)).toBeNull();
    expect(within(card).queryByText("Gender mix")).toBeNull();
  });

  it("leaves out a gender mix the API did not send", () => {
    render(<SegmentCards segments={[makeSegment(0, { genderMix: {} })]} schema={mallSchema()} />);
    expect(screen.queryByText("Gender mix")).toBeNull();
  });
});
