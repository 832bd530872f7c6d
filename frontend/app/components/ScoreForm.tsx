"use client";

import { type FormEvent, useMemo, useState } from "react";
import { segmentColor } from "@/app/lib/colors";
import { formatNumber, formatPercent } from "@/app/lib/format";
import { type ChoiceField, type FormField, formFields, type NumberField } from "@/app/lib/schema";
import type { CustomerInput, ModelSchema, Prediction } from "@/app/lib/types";

interface ScoreFormProps {
  schema: ModelSchema;
  predict: (customer: CustomerInput) => Promise<Prediction>;
  onScored: (customer: CustomerInput, prediction: Prediction) => void;
}

/**
 * Build the request from what the user typed: exactly the form's fields (the served model's
 * features), numbers as numbers and categories as text. Validation is the API's job (one source of
 * truth, the same rules as for every other client): an empty field is left out so the API names
 * it, and a number is sent as typed so an out-of-range value comes back with the API's own message.
 */
export function formToCustomer(form: FormData, fields: FormField[]): CustomerInput {
  const customer: CustomerInput = {};
  for (const field of fields) {
    const raw = String(form.get(field.name) ?? "").trim();
    if (raw === "") continue;
    customer[field.name] = field.kind === "numeric" ? Number(raw) : raw;
  }
  return customer;
}

function Label({ field }: { field: FormField }) {
  return (
    <label htmlFor={field.name}>
      {field.label}
      {field.hint && <> <span className="unit">({field.hint})</span></>}
    </label>
  );
}

function NumberInput({ field }: { field: NumberField }) {
  return (
    <div className="field">
      <Label field={field} />
      <input
        id={field.name}
        name={field.name}
        type="number"
        inputMode="decimal"
        step={field.step}
        min={field.min ?? undefined}
        max={field.max ?? undefined}
        placeholder={field.placeholder}
        required
      />
    </div>
  );
}

function ChoiceInput({ field }: { field: ChoiceField }) {
  return (
    <div className="field">
      <Label field={field} />
      <select id={field.name} name={field.name} defaultValue={field.options[0]?.value}>
        {field.options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
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
        {typeof prediction.confidence === "number" && (
          <div>
            <dt>Confidence</dt>
            <dd data-testid="prediction-confidence">{formatPercent(prediction.confidence, 0)}</dd>
          </div>
        )}
      </dl>
      {prediction.confidenceNote && <p className="hint">{prediction.confidenceNote}</p>}
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
export function ScoreForm({ schema, predict, onScored }: ScoreFormProps) {
  const fields = useMemo(() => formFields(schema), [schema]);
  const [prediction, setPrediction] = useState<Prediction | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const customer = formToCustomer(new FormData(event.currentTarget), fields);
    setBusy(true);
    setError(null);
    try {
      const result = await predict(customer);
      setPrediction(result);
      onScored(customer, result);
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
          {schema.axes.source === "pca"
            ? "The charts above plot principal components, so the new customer is not marked there."
            : "The new customer is marked with a star in the charts above."}
        </p>
        {fields.map((field) =>
          field.kind === "numeric" ? (
            <NumberInput field={field} key={field.name} />
          ) : (
            <ChoiceInput field={field} key={field.name} />
          ),
        )}
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
