"use client";

import { type FormEvent, useState } from "react";
import { segmentColor } from "@/app/lib/colors";
import { formatNumber } from "@/app/lib/format";
import type { CustomerInput, Prediction } from "@/app/lib/types";

interface ScoreFormProps {
  predict: (customer: Partial<CustomerInput>) => Promise<Prediction>;
  onScored: (customer: CustomerInput, prediction: Prediction) => void;
}

type NumericField = "age" | "annual_income" | "spending_score";

const FIELDS: { name: NumericField; label: string; hint: string; placeholder: string }[] = [
  { name: "age", label: "Age", hint: "years", placeholder: "35" },
  { name: "annual_income", label: "Annual income", hint: "k$", placeholder: "60" },
  { name: "spending_score", label: "Spending score", hint: "1–100", placeholder: "50" },
];

/**
 * Build the request from what the user typed. Validation is the API's job (one source of truth,
 * the same rules as for every other client): an empty field is left out so the API names it, and
 * a number is sent as typed so an out-of-range value comes back with the API's own message.
 */
export function formToCustomer(form: FormData): Partial<CustomerInput> {
  const customer: Partial<CustomerInput> = {};
  const gender = String(form.get("gender") ?? "").trim();
  if (gender) customer.gender = gender;
  for (const { name } of FIELDS) {
    const raw = String(form.get(name) ?? "").trim();
    if (raw !== "") customer[name] = Number(raw);
  }
  return customer;
}

function Result({ prediction }: { prediction: Prediction }) {
  return (
    <div className="result" data-testid="prediction" aria-live="polite">
      <p className="result-segment">
        <span className="swatch" style={{ background: segmentColor(prediction.segmentId) }} aria-hidden />
        Segment <strong data-testid="prediction-segment">#{prediction.segmentId} {prediction.segmentName}</strong>
      </p>
      <dl className="stats compact">
        <div>
          <dt>Distance to its centre</dt>
          <dd>{formatNumber(prediction.distance, 2)}</dd>
        </div>
        <div>
          <dt>Runner-up segment</dt>
          <dd>
            {prediction.runnerUpId === null
              ? "—"
              : `#${prediction.runnerUpId} ${prediction.runnerUpName ?? ""} (${formatNumber(prediction.runnerUpDistance, 2)})`}
          </dd>
        </div>
        <div>
          <dt>Margin (confidence)</dt>
          <dd>{formatNumber(prediction.margin, 2)}</dd>
        </div>
      </dl>
      {prediction.outOfDistribution ? (
        <p className="warning" role="alert" data-testid="ood-warning">
          Out of distribution: this customer is far from every segment seen in training, so the
          assignment is a guess. Check the values.
        </p>
      ) : (
        <p className="hint">Within the range of the training data. Distances are in standardised units.</p>
      )}
    </div>
  );
}

/** "Score a customer": one customer in, its segment and how sure the model is out. */
export function ScoreForm({ predict, onScored }: ScoreFormProps) {
  const [prediction, setPrediction] = useState<Prediction | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const customer = formToCustomer(new FormData(event.currentTarget));
    setBusy(true);
    setError(null);
    try {
      const result = await predict(customer);
      setPrediction(result);
      onScored(customer as CustomerInput, result);
    } catch (caught) {
      setPrediction(null);
      setError(caught instanceof Error ? caught.message : String(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="score-title" className="panel">
      <h2 id="score-title">Score a customer</h2>
      <form onSubmit={submit} noValidate className="score-form" aria-describedby="score-help">
        <p id="score-help" className="hint">
          The new customer is marked with a star in the charts above.
        </p>
        <div className="field">
          <label htmlFor="gender">Gender</label>
          <select id="gender" name="gender" defaultValue="Female">
            <option>Female</option>
            <option>Male</option>
          </select>
        </div>
        {FIELDS.map((field) => (
          <div className="field" key={field.name}>
            <label htmlFor={field.name}>
              {field.label} <span className="unit">({field.hint})</span>
            </label>
            <input
              id={field.name}
              name={field.name}
              type="number"
              inputMode="decimal"
              step="any"
              placeholder={field.placeholder}
              required
            />
          </div>
        ))}
        <button type="submit" disabled={busy}>
          {busy ? "Scoring…" : "Score"}
        </button>
      </form>
      {error && (
        <p className="error" role="alert" data-testid="score-error">
          {error}
        </p>
      )}
      {prediction && <Result prediction={prediction} />}
    </section>
  );
}
