import { describe, expect, it } from "vitest";
import { caughtMessage, errorMessage, networkErrorMessage } from "@/app/lib/errors";

describe("errorMessage", () => {
  it("names the field of a FastAPI validation error, without the 'body' prefix", () => {
    const body = {
      detail: [{ loc: ["body", "age"], msg: "Input should be less than or equal to 100", type: "x" }],
    };
    expect(errorMessage(body, 422)).toBe("age: Input should be less than or equal to 100");
  });

  it("joins several issues and keeps list positions", () => {
    const body = {
      detail: [
        { loc: ["body", "customers", 3, "gender"], msg: "unknown gender 'x'" },
        { loc: ["body", "age"], msg: "Field required" },
      ],
    };
    expect(errorMessage(body, 422)).toBe("customers.3.gender: unknown gender 'x'; age: Field required");
  });

  it("returns a plain detail string as is", () => {
    expect(errorMessage({ detail: "No model is trained. Run make train." }, 503)).toBe(
      "No model is trained. Run make train.",
    );
  });

  it("falls back to the status when the body says nothing useful", () => {
    expect(errorMessage({}, 500)).toBe("The API answered HTTP 500.");
    expect(errorMessage(undefined, 0)).toBe("The API could not be reached.");
  });

  it("explains an unreachable API", () => {
    expect(networkErrorMessage("http://127.0.0.1:8000", new TypeError("Failed to fetch"))).toBe(
      "Cannot reach the API at http://127.0.0.1:8000 (Failed to fetch). Is it running?",
    );
  });
});

describe("caughtMessage", () => {
  it("reads an Error's message and turns anything else into text", () => {
    expect(caughtMessage(new Error("the API is not reachable"))).toBe("the API is not reachable");
    expect(caughtMessage("plain text")).toBe("plain text");
    expect(caughtMessage(404)).toBe("404");
  });
});
