import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CsvUpload, PREVIEW_ROWS, previewOrder } from "@/app/components/CsvUpload";
import { ApiError } from "@/app/lib/errors";
import type { ScoredCsv } from "@/app/lib/types";
import { mallSchema, wholesaleSchema } from "@/app/test/fixtures";

afterEach(cleanup);
beforeEach(() => {
  // jsdom has no object URLs; the download link only needs a stable string.
  URL.createObjectURL = vi.fn(() => "blob:scored");
  URL.revokeObjectURL = vi.fn();
});

function scored(rows: number, errors: ScoredCsv["errors"] = []): ScoredCsv {
  return {
    blob: new Blob(["x"]),
    filename: "customers_scored.csv",
    header: ["customer_id", "segment", "segment_name", "error"],
    rows: Array.from({ length: rows }, (_, i) => [String(i + 1), "0", "Segment name 0", ""]),
    rowCount: rows,
    errors,
  };
}

function upload(file: File) {
  fireEvent.change(screen.getByLabelText("CSV file"), { target: { files: [file] } });
  fireEvent.submit(screen.getByRole("button", { name: "Upload and score" }).closest("form")!);
}

describe("CsvUpload", () => {
  it("lists the served model's columns in its help", () => {
    render(<CsvUpload schema={wholesaleSchema()} scoreCsv={vi.fn()} />);
    expect(screen.getByTestId("csv-columns").textContent).toBe(
      "fresh, milk, grocery, frozen, detergents_paper, delicassen, channel, region",
    );
    const help = screen.getByTestId("csv-help").textContent ?? "";
    expect(help).toContain("Detergents paper");
    expect(help).not.toMatch(/\b(gender|age|annual_income|spending_score)\b/i);
  });

  it("lists the Mall model's features, and its labels as accepted headers", () => {
    render(<CsvUpload schema={mallSchema()} scoreCsv={vi.fn()} />);
    expect(screen.getByTestId("csv-columns").textContent).toBe("age, annual_income, spending_score");
    expect(screen.getByTestId("csv-help").textContent).toContain("Annual income (k$)");
  });

  it("asks for a file before sending anything", async () => {
    const scoreCsv = vi.fn();
    render(<CsvUpload schema={mallSchema()} scoreCsv={scoreCsv} />);
    fireEvent.submit(screen.getByRole("button", { name: "Upload and score" }).closest("form")!);
    expect((await screen.findByTestId("csv-error")).textContent).toBe("Choose a CSV file first.");
    expect(scoreCsv).not.toHaveBeenCalled();
  });

  it("previews the scored rows, lists per-row errors and offers the download", async () => {
    const errors = [
      { row: 3, reason: "age: 'abc' is not a number" },
      { row: 7, reason: "gender: unknown value 'X'" },
    ];
    const scoreCsv = vi.fn(async () => scored(45, errors));
    render(<CsvUpload schema={mallSchema()} scoreCsv={scoreCsv} />);
    const file = new File(["gender,age\n"], "customers.csv", { type: "text/csv" });
    upload(file);
    const link = await screen.findByTestId("csv-download");
    expect(scoreCsv).toHaveBeenCalledWith(file);
    expect(link.getAttribute("href")).toBe("blob:scored");
    expect(link.getAttribute("download")).toBe("customers_scored.csv");
    const table = screen.getByTestId("csv-preview");
    expect(table.querySelectorAll("tbody tr")).toHaveLength(PREVIEW_ROWS);
    expect(table.querySelector("caption")?.textContent).toBe("First 20 of 45 scored rows");
    const listed = screen.getByTestId("csv-errors");
    expect(listed.textContent).toContain("2 rows could not be scored");
    expect(listed.textContent).toContain("Row 3: age: 'abc' is not a number");
    expect(listed.textContent).toContain("Row 7: gender: unknown value 'X'");
  });

  it("shows a rejected upload's message", async () => {
    const scoreCsv = vi.fn(async () => {
      throw new ApiError("upload exceeds the limit of 10,485,760 bytes", 413);
    });
    render(<CsvUpload schema={mallSchema()} scoreCsv={scoreCsv} />);
    upload(new File(["x"], "big.csv"));
    expect((await screen.findByTestId("csv-error")).textContent).toBe(
      "upload exceeds the limit of 10,485,760 bytes",
    );
    expect(screen.queryByTestId("csv-result")).toBeNull();
  });
});

describe("previewOrder", () => {
  it("shows the API's appended columns first, then the file's columns in order", () => {
    const header = ["CustomerID", "Gender", "Age", "segment", "segment_name", "error"];
    expect(previewOrder(header).map((i) => header[i])).toEqual([
      "segment",
      "segment_name",
      "error",
      "CustomerID",
      "Gender",
      "Age",
    ]);
  });
});
