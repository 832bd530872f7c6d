import { cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ScoreForm } from "@/app/components/ScoreForm";
import { ApiError } from "@/app/lib/errors";
import { makePrediction, mallSchema, WHOLESALE_NUMERIC, wholesaleSchema } from "@/app/test/fixtures";

afterEach(cleanup);

function fill(values: Record<string, string>) {
  for (const [label, value] of Object.entries(values)) {
    fireEvent.change(screen.getByLabelText(new RegExp(label)), { target: { value } });
  }
}

function fieldNames(): string[] {
  const form = screen.getByRole("button", { name: "Score" }).closest("form")!;
  return [...form.querySelectorAll("input, select")].map((element) => element.getAttribute("name") ?? "");
}

describe("ScoreForm on the Mall model", () => {
  it("labels every field as before, from the schema", () => {
    render(<ScoreForm schema={mallSchema()} predict={vi.fn()} onScored={vi.fn()} />);
    expect(fieldNames()).toEqual(["gender", "age", "annual_income", "spending_score"]);
    expect(screen.getByLabelText("Gender")).toBeTruthy();
    expect(screen.getByLabelText("Age (years)")).toBeTruthy();
    expect(screen.getByLabelText("Annual income (k$)")).toBeTruthy();
    expect(screen.getByLabelText("Spending score (1-100)")).toBeTruthy();
  });

  it("bounds the numbers by the declared valid range", () => {
    render(<ScoreForm schema={mallSchema()} predict={vi.fn()} onScored={vi.fn()} />);
    const spending = screen.getByLabelText(/Spending score/);
    expect([spending.getAttribute("min"), spending.getAttribute("max")]).toEqual(["1", "100"]);
    expect(spending.getAttribute("placeholder")).toBe("50");
  });

  it("sends the typed values and shows the segment and confidence figures", async () => {
    const predict = vi.fn(async () => makePrediction());
    const onScored = vi.fn();
    render(<ScoreForm schema={mallSchema()} predict={predict} onScored={onScored} />);
    fireEvent.change(screen.getByLabelText(/Gender/), { target: { value: "Male" } });
    fill({ Age: "41", "Annual income": "55.5", "Spending score": "12" });
    fireEvent.click(screen.getByRole("button", { name: "Score" }));
    expect((await screen.findByTestId("prediction-segment")).textContent).toBe("#1 Segment name 1");
    expect(predict).toHaveBeenCalledWith({ gender: "Male", age: 41, annual_income: 55.5, spending_score: 12 });
    expect(onScored).toHaveBeenCalledOnce();
    expect(screen.getByText("0.95")).toBeTruthy(); // margin
    expect(screen.getByText(/#2 Segment name 2 \(1\.37\)/)).toBeTruthy(); // runner-up
    expect(screen.queryByTestId("ood-warning")).toBeNull();
    expect(screen.queryByTestId("prediction-confidence")).toBeNull(); // the API sent none
  });

  it("shows the API's confidence and its note when it sends them", async () => {
    const predict = vi.fn(async () => makePrediction({ confidence: 0.83, confidenceNote: "Share of bootstrap fits that agree." }));
    render(<ScoreForm schema={mallSchema()} predict={predict} onScored={vi.fn()} />);
    fill({ Age: "30", "Annual income": "50", "Spending score": "50" });
    fireEvent.click(screen.getByRole("button", { name: "Score" }));
    expect((await screen.findByTestId("prediction-confidence")).textContent).toBe("83%");
    expect(screen.getByText("Share of bootstrap fits that agree.")).toBeTruthy();
  });

  it("warns when the customer is out of distribution", async () => {
    const predict = vi.fn(async () => makePrediction({ outOfDistribution: true, confidence: null }));
    render(<ScoreForm schema={mallSchema()} predict={predict} onScored={vi.fn()} />);
    fill({ Age: "90", "Annual income": "900", "Spending score": "1" });
    fireEvent.click(screen.getByRole("button", { name: "Score" }));
    expect((await screen.findByTestId("ood-warning")).textContent).toContain("Out of distribution");
    expect(screen.queryByTestId("prediction-confidence")).toBeNull();
  });

  it("leaves empty fields out and shows the API's message as is", async () => {
    const predict = vi.fn(async () => {
      throw new ApiError("age: Field required", 422);
    });
    const onScored = vi.fn();
    render(<ScoreForm schema={mallSchema()} predict={predict} onScored={onScored} />);
    fill({ "Annual income": "50", "Spending score": "50" });
    fireEvent.click(screen.getByRole("button", { name: "Score" }));
    expect((await screen.findByTestId("score-error")).textContent).toBe("age: Field required");
    expect(predict).toHaveBeenCalledWith({ gender: "Female", annual_income: 50, spending_score: 50 });
    expect(onScored).not.toHaveBeenCalled();
  });
});

describe("ScoreForm on a wholesale model", () => {
  it("shows exactly the wholesale fields and none of the Mall ones", () => {
    render(<ScoreForm schema={wholesaleSchema()} predict={vi.fn()} onScored={vi.fn()} />);
    expect(fieldNames()).toEqual([...WHOLESALE_NUMERIC, "channel", "region"]);
    for (const mall of [/Gender/, /Age/, /Annual income/, /Spending score/]) {
      expect(screen.queryByLabelText(mall)).toBeNull();
    }
    expect(screen.getByLabelText("Detergents paper (m.u.)").getAttribute("type")).toBe("number");
  });

  it("bounds the numbers by the range seen in training when none is declared", () => {
    render(<ScoreForm schema={wholesaleSchema()} predict={vi.fn()} onScored={vi.fn()} />);
    const fresh = screen.getByLabelText(/Fresh/);
    expect([fresh.getAttribute("min"), fresh.getAttribute("max"), fresh.getAttribute("step")]).toEqual([
      "3",
      "100000",
      "1",
    ]);
    expect(fresh.getAttribute("placeholder")).toBe("3600");
  });

  it("offers the model's levels for a categorical feature (and `other` where the model has it)", () => {
    render(<ScoreForm schema={wholesaleSchema()} predict={vi.fn()} onScored={vi.fn()} />);
    const options = (label: string) =>
      within(screen.getByLabelText(label)).getAllByRole("option").map((o) => (o as HTMLOptionElement).value);
    expect(screen.getByLabelText("Channel").tagName).toBe("SELECT");
    expect(options("Channel")).toEqual(["1", "2"]);
    expect(options("Region")).toEqual(["1", "2", "3", "other"]);
  });

  it("sends exactly the wholesale features: numbers as numbers, categories as text", async () => {
    const predict = vi.fn(async () => makePrediction());
    const onScored = vi.fn();
    render(<ScoreForm schema={wholesaleSchema()} predict={predict} onScored={onScored} />);
    fill({ Fresh: "12669", Milk: "9656", Grocery: "7561", Frozen: "214", "Detergents paper": "2674", Delicassen: "1338" });
    fireEvent.change(screen.getByLabelText("Region"), { target: { value: "3" } });
    fireEvent.click(screen.getByRole("button", { name: "Score" }));
    await screen.findByTestId("prediction");
    const body = {
      fresh: 12669,
      milk: 9656,
      grocery: 7561,
      frozen: 214,
      detergents_paper: 2674,
      delicassen: 1338,
      channel: "1",
      region: "3",
    };
    expect(predict).toHaveBeenCalledWith(body);
    expect(onScored).toHaveBeenCalledWith(body, makePrediction());
  });

  it("says the new customer is not marked when the charts plot principal components", () => {
    const schema = wholesaleSchema({
      axes: { x: "pc1", y: "pc2", z: "pc3", source: "pca", explainedVariance: [0.44, 0.28, 0.12] },
    });
    render(<ScoreForm schema={schema} predict={vi.fn()} onScored={vi.fn()} />);
    expect(screen.getByText(/plot principal components/)).toBeTruthy();
  });
});
