import { cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { CustomerHistory } from "@/app/components/CustomerHistory";
import { createApi } from "@/app/lib/api";
import { HISTORY, jsonResponse, routedFetch } from "@/app/test/history-fixtures";

afterEach(cleanup);

function renderLookup() {
  const fetchImpl = routedFetch([
    [/^\/customers\/1\/history$/, () => jsonResponse(HISTORY)],
    [/^\/customers\/.+\/history$/, (url) => jsonResponse({ detail: `customer '${decodeURIComponent(url.pathname.split("/")[2]!)}' is in no recorded run` }, 404)],
  ]);
  const api = createApi("http://api", fetchImpl as unknown as typeof fetch);
  render(<CustomerHistory lookup={api.customerHistory} />);
  return fetchImpl;
}

function lookUp(id: string) {
  fireEvent.change(screen.getByLabelText("Customer id"), { target: { value: id } });
  fireEvent.click(screen.getByRole("button", { name: "Show history" }));
}

describe("CustomerHistory", () => {
  it("shows the customer's segment in each run, newest first", async () => {
    const fetchImpl = renderLookup();
    lookUp(" 1 ");
    expect(screen.getByRole("status").textContent).toBe("Looking up customer 1…");
    const table = await screen.findByTestId("customer-history-table");
    expect(within(table).getByText(/Customer 1: 2 recorded runs/)).toBeTruthy();
    const rows = screen.getAllByTestId("customer-history-row").map((row) => row.textContent);
    expect(rows).toEqual([
      "v32026-01-03 10:00 UTC#2 Weekend regulars",
      "v22026-01-02 10:00 UTC#1 Careful spenders",
    ]);
    expect(new URL(fetchImpl.mock.calls[0]![0].url).pathname).toBe("/customers/1/history");
  });

  it("shows the API's 404 message for an unknown customer", async () => {
    renderLookup();
    lookUp("C404");
    expect((await screen.findByTestId("customer-history-error")).textContent).toBe("customer 'C404' is in no recorded run");
    expect(screen.queryByTestId("customer-history-table")).toBeNull();
  });

  it("asks for an id before calling the API", () => {
    const fetchImpl = renderLookup();
    lookUp("   ");
    expect(screen.getByTestId("customer-history-error").textContent).toBe("Enter a customer id.");
    expect(fetchImpl).not.toHaveBeenCalled();
  });
});
