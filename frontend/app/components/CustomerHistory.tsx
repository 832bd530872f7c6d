"use client";

import { type FormEvent, useId, useRef, useState } from "react";
import { segmentColor } from "@/app/lib/colors";
import { formatDate } from "@/app/lib/format";
import type { CustomerSegmentHistory } from "@/app/lib/types";
import { caughtMessage } from "@/app/lib/errors";

type State =
  | { state: "idle" }
  | { state: "loading"; customerId: string }
  | { state: "error"; message: string }
  | { state: "ready"; history: CustomerSegmentHistory };

function HistoryTable({ history }: { history: CustomerSegmentHistory }) {
  return (
    <div className="table-wrap">
      <table data-testid="customer-history-table">
        <caption>
          Customer {history.customerId}: {history.runs.length} recorded run{history.runs.length === 1 ? "" : "s"}, newest first
        </caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Trained</th>
            <th scope="col">Segment</th>
          </tr>
        </thead>
        <tbody>
          {history.runs.map((entry) => (
            <tr key={entry.modelVersion} data-testid="customer-history-row">
              <th scope="row">{entry.modelVersion}</th>
              <td>{formatDate(entry.createdAt)}</td>
              <td data-testid="customer-history-segment">
                <span className="swatch" style={{ background: segmentColor(entry.segmentId) }} aria-hidden />#{entry.segmentId}{" "}
                {entry.segmentName}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Look up one customer by id: their segment in every recorded run (or the API's reason why not). */
export function CustomerHistory({ lookup }: { lookup: (customerId: string) => Promise<CustomerSegmentHistory> }) {
  const id = useId();
  const [customerId, setCustomerId] = useState("");
  const [state, setState] = useState<State>({ state: "idle" });
  // Only the latest lookup may show its answer (a slow earlier one must not overwrite it).
  const latest = useRef(0);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const wanted = customerId.trim();
    if (!wanted) {
      setState({ state: "error", message: "Enter a customer id." });
      return;
    }
    const request = ++latest.current;
    setState({ state: "loading", customerId: wanted });
    lookup(wanted).then(
      (history) => request === latest.current && setState({ state: "ready", history }),
      (caught: unknown) =>
        request === latest.current &&
        setState({ state: "error", message: caughtMessage(caught) }),
    );
  }

  return (
    <section aria-labelledby="customer-history-title" className="panel" id="customer-history" data-testid="customer-history">
      <h2 id="customer-history-title">A customer across runs</h2>
      <form className="csv-form" onSubmit={submit} role="search" aria-label="Customer history">
        <div className="field">
          <label htmlFor={`${id}-customer`}>Customer id</label>
          <input
            id={`${id}-customer`}
            name="customer_id"
            type="search"
            maxLength={64}
            autoComplete="off"
            value={customerId}
            onChange={(event) => setCustomerId(event.target.value)}
          />
        </div>
        <button type="submit" disabled={state.state === "loading"}>
          {state.state === "loading" ? "Looking up…" : "Show history"}
        </button>
      </form>
      {state.state === "loading" && <p role="status">Looking up customer {state.customerId}…</p>}
      {state.state === "error" && (
        <p className="error" role="alert" data-testid="customer-history-error">
          {state.message}
        </p>
      )}
      {state.state === "ready" && <HistoryTable history={state.history} />}
    </section>
  );
}
