"use client";

import { type FormEvent, useEffect, useMemo, useRef, useState } from "react";
import { segmentColor } from "@/app/lib/colors";
import { formatNumber, formatPercent } from "@/app/lib/format";
import { type ChoiceField, type FormField, formFields, type NumberField } from "@/app/lib/schema";
import type { CustomerInput, ModelSchema, Prediction } from "@/app/lib/types";
import { caughtMessage } from "@/app/lib/errors";

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

const SLIDER = "__slider";
const WHAT_IF_DEBOUNCE_MS = 250;

function Label({ field }: { field: FormField }) {
  return (
    <label htmlFor={field.name}>
      {field.label}
      {field.hint && <> <span className="unit">({field.hint})</span></>}
    </label>
  );
}

/** The slider's range: what training saw (the number input still takes any value). */
function sliderRange(field: NumberField, schema: ModelSchema): { min: number; max: number; step: number } | null {
  const seen = schema.features.find((feature) => feature.name === field.name)?.seen;
  const min = seen?.min ?? field.min;
  const max = seen?.max ?? field.max;
  if (min === null || max === null || !(max > min)) return null;
  return { min, max, step: field.step === 1 ? 1 : (max - min) / 200 };
}

function NumberInput({ field, schema, whatIf }: { field: NumberField; schema: ModelSchema; whatIf: boolean }) {
  const range = whatIf ? sliderRange(field, schema) : null;
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
      {range && (
        <input
          type="range"
          name={`${field.name}${SLIDER}`}
          aria-label={`Slide ${field.label.toLowerCase()}`}
          data-testid={`slider-${field.name}`}
          min={range.min}
          max={range.max}
          step={range.step}
          defaultValue={Number(field.placeholder) || range.min}
        />
      )}
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
  const [whatIf, setWhatIf] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const latest = useRef(0);

  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);

  // Sliders appear with what-if on: start each at its number field's value.
  useEffect(() => {
    const form = formRef.current;
    if (!whatIf || !form) return;
    const elements = form.elements as unknown as Record<string, HTMLInputElement | undefined>;
    for (const field of fields) {
      const number = elements[field.name];
      const slider = elements[`${field.name}${SLIDER}`];
      if (number && slider && number.value !== "") slider.value = number.value;
    }
  }, [whatIf, fields]);

  async function score(form: HTMLFormElement) {
    const customer = formToCustomer(new FormData(form), fields);
    const request = ++latest.current;
    setBusy(true);
    setError(null);
    try {
      const result = await predict(customer);
      // Sliders fire many requests: only the newest answer is shown.
      if (request !== latest.current) return;
      setPrediction(result);
      onScored(customer, result);
    } catch (caught) {
      if (request !== latest.current) return;
      setPrediction(null);
      setError(caughtMessage(caught));
    } finally {
      if (request === latest.current) setBusy(false);
    }
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await score(event.currentTarget);
  }

  /** What-if: a slider moves its number field (and the reverse), then the customer is re-scored, debounced. */
  function onInput(event: FormEvent<HTMLFormElement>) {
    if (!whatIf) return;
    const form = event.currentTarget;
    const target = event.target as HTMLInputElement;
    const elements = form.elements as unknown as Record<string, HTMLInputElement | undefined>;
    if (target.name.endsWith(SLIDER)) {
      const number = elements[target.name.slice(0, -SLIDER.length)];
      if (number) number.value = target.value;
    } else {
      const slider = elements[`${target.name}${SLIDER}`];
      if (slider && target.value !== "") slider.value = target.value;
    }
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => void score(form), WHAT_IF_DEBOUNCE_MS);
  }

  function toggleWhatIf(on: boolean) {
    setWhatIf(on);
    const form = formRef.current;
    if (!on || !form) return;
    // Start from the training medians where nothing is typed yet, and score at once.
    const elements = form.elements as unknown as Record<string, HTMLInputElement | undefined>;
    for (const field of fields) {
      const input = elements[field.name];
      const median = schema.features.find((feature) => feature.name === field.name)?.seen?.median;
      const start = median !== undefined ? String(median) : field.kind === "numeric" ? field.placeholder : "";
      if (field.kind === "numeric" && input && input.value === "" && start) input.value = start;
    }
    void score(form);
  }

  return (
    <section aria-labelledby="score-title" className="panel">
      <h2 id="score-title">Score a customer</h2>
      <label className="toggle">
        <input type="checkbox" checked={whatIf} onChange={(event) => toggleWhatIf(event.target.checked)} data-testid="what-if" />{" "}
        What-if sliders: re-score as the values move
      </label>
      <form
        ref={formRef}
        onSubmit={submit}
        onInput={onInput}
        noValidate
        className="score-form"
        aria-describedby="score-help"
      >
        <p id="score-help" className="hint">
          {schema.axes.source === "pca"
            ? "The charts above plot principal components, so the new customer is not marked there."
            : "The new customer is marked with a star in the charts above."}
        </p>
        {fields.map((field) =>
          field.kind === "numeric" ? (
            <NumberInput field={field} key={field.name} schema={schema} whatIf={whatIf} />
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
