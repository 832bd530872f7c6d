import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ScoreForm } from "@/app/components/ScoreForm";
import { ApiError } from "@/app/lib/errors";
import { makePrediction } from "@/app/test/fixtures";

afterEach(cleanup);

function fill(values: Record<string, string>) {
  for (const [label, value] of Object.entries(values)) {
    fireEvent.change(screen.getByLabelText(new RegExp(label)), { target: { value } });
  }
}

describe("ScoreForm", () => {
  it("labels every field", () => {
    render(<ScoreForm predict={vi.fn()} onScored={vi.fn()} />);
    for (const label of [/Gender/, /Age/, /Annual income/, /Spending score/]) {
      expect(screen.getByLabelText(label)).toBeTruthy();
    }
  });

  it("sends the typed values and shows the segment and confidence figures", async () => {
    const predict = vi.fn(async () => makePrediction());
    const onScored = vi.fn();
    render(<ScoreForm predict={predict} onScored={onScored} />);
    fireEvent.change(screen.getByLabelText(/Gender/), { target: { value: "Male" } });
    fill({ Age: "41", "Annual income": "55.5", "Spending score": "12" });
    fireEvent.click(screen.getByRole("button", { name: "Score" }));
    expect((await screen.findByTestId("prediction-segment")).textContent).toBe("#1 Segment name 1");
    expect(predict).toHaveBeenCalledWith({ gender: "Male", age: 41, annual_income: 55.5, spending_score: 12 });
    expect(onScored).toHaveBeenCalledOnce();
    expect(screen.getByText("0.95")).toBeTruthy(); // margin
    expect(screen.getByText(/#2 Segment name 2 \(1\.37\)/)).toBeTruthy(); // runner-up
    expect(screen.queryByTestId("ood-warning")).toBeNull();
  });

  it("warns when the customer is out of distribution", async () => {
    const predict = vi.fn(async () => makePrediction({ outOfDistribution: true }));
    render(<ScoreForm predict={predict} onScored={vi.fn()} />);
    fill({ Age: "90", "Annual income": "900", "Spending score": "1" });
    fireEvent.click(screen.getByRole("button", { name: "Score" }));
    expect((await screen.findByTestId("ood-warning")).textContent).toContain("Out of distribution");
  });

  it("leaves empty fields out and shows the API's message as is", async () => {
    const predict = vi.fn(async () => {
      throw new ApiError("age: Field required", 422);
    });
    const onScored = vi.fn();
    render(<ScoreForm predict={predict} onScored={onScored} />);
    fill({ "Annual income": "50", "Spending score": "50" });
    fireEvent.click(screen.getByRole("button", { name: "Score" }));
    expect((await screen.findByTestId("score-error")).textContent).toBe("age: Field required");
    expect(predict).toHaveBeenCalledWith({ gender: "Female", annual_income: 50, spending_score: 50 });
    expect(onScored).not.toHaveBeenCalled();
  });
});
