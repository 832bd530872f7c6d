"use client";

import { type FormEvent, useEffect, useId, useState } from "react";
import { ApiKeyField } from "@/app/components/ApiKeyField";
import { useApiKey } from "@/app/lib/apiKey";
import { segmentColor } from "@/app/lib/colors";
import { ApiError, caughtMessage } from "@/app/lib/errors";
import { formatNumber, formatPercent } from "@/app/lib/format";
import type { PublishOutcome, RunProgress, SchemaDraft, SegmentBrief, TrainingChoice } from "@/app/lib/types";

export interface TrainingApi {
  inferSchema(file: File): Promise<SchemaDraft>;
  startRun(file: File, choice: TrainingChoice, key: string): Promise<string>;
  runStatus(runId: string): Promise<RunProgress>;
  publishRun(runId: string, key: string): Promise<PublishOutcome>;
  discardRun(runId: string, key: string): Promise<void>;
}

const POLL_MS = 700;

function message(caught: unknown): string {
  if (caught instanceof ApiError && caught.status === 401) return `The API refused the key: ${caught.message}`;
  if (caught instanceof ApiError && caught.status === 403) return `Training is switched off on this server: ${caught.message}`;
  return caughtMessage(caught);
}

function initialChoice(draft: SchemaDraft): TrainingChoice {
  return {
    features: [...draft.features],
    categorical: [...draft.categorical],
    transforms: { ...draft.transforms },
    kMin: 2,
    kMax: 8,
  };
}

/** Which columns to cluster, which are categorical, their transforms: one row per column of the draft. */
function ColumnChooser({ draft, choice, onChange }: { draft: SchemaDraft; choice: TrainingChoice; onChange: (c: TrainingChoice) => void }) {
  const toggle = (list: string[], name: string, on: boolean) => (on ? [...new Set([...list, name])] : list.filter((n) => n !== name));
  return (
    <div className="table-wrap">
      <table data-testid="draft-table" className="draft">
        <thead>
          <tr>
            <th scope="col">Column</th>
            <th scope="col">Cluster on it</th>
            <th scope="col">Categorical</th>
            <th scope="col">Transform</th>
            <th scope="col">Why (the draft's reading)</th>
          </tr>
        </thead>
        <tbody>
          {draft.columns.map((column) => {
            const used = choice.features.includes(column.name);
            const categorical = choice.categorical.includes(column.name);
            return (
              <tr key={column.name} data-testid="draft-column" data-column={column.name}>
                <th scope="row">
                  {column.header}
                  {column.role === "id" && <span className="unit"> (id)</span>}
                </th>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Cluster on ${column.header}`}
                    checked={used}
                    disabled={column.role === "id"}
                    onChange={(e) => onChange({ ...choice, features: toggle(choice.features, column.name, e.target.checked) })}
                  />
                </td>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`${column.header} is categorical`}
                    checked={categorical}
                    disabled={!used}
                    onChange={(e) => onChange({ ...choice, categorical: toggle(choice.categorical, column.name, e.target.checked) })}
                  />
                </td>
                <td>
                  <select
                    aria-label={`Transform of ${column.header}`}
                    value={choice.transforms[column.name] ?? "none"}
                    disabled={!used || categorical}
                    onChange={(e) =>
                      onChange({
                        ...choice,
                        transforms: { ...choice.transforms, [column.name]: e.target.value as "none" | "log1p" },
                      })
                    }
                  >
                    <option value="none">none</option>
                    <option value="log1p">log1p</option>
                  </select>
                </td>
                <td className="hint">{column.reason}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function Progress({ run }: { run: RunProgress }) {
  return (
    <div data-testid="run-progress" data-state={run.state}>
      <progress value={run.progress} max={1} aria-label="Training progress">
        {formatPercent(run.progress, 0)}
      </progress>{" "}
      <span>{formatPercent(run.progress, 0)}</span>
      <ol className="stages" aria-live="polite">
        {run.stages.map((stage, i) => (
          <li key={`${stage.name}-${i}`} data-state={stage.state}>
            {stage.state === "done" ? "✓ " : "… "}
            {stage.name}
            {stage.stepsTotal !== null && ` (${stage.stepsDone ?? 0}/${stage.stepsTotal})`}
            {stage.detail && <span className="unit"> — {stage.detail}</span>}
            {stage.seconds !== null && <span className="unit"> · {formatNumber(stage.seconds, 1)} s</span>}
          </li>
        ))}
      </ol>
    </div>
  );
}

function SegmentList({ title, version, k, segments }: { title: string; version: string | null; k: number | null; segments: SegmentBrief[] }) {
  return (
    <div className="compare-side">
      <h4>{title}</h4>
      <p className="hint">
        {version ? `Version ${version}` : "No model served"}
        {k !== null && ` · k = ${k}`}
      </p>
      <ul className="brief">
        {segments.map((s) => (
          <li key={s.id}>
            <span className="swatch" style={{ background: segmentColor(s.id) }} aria-hidden />#{s.id} {s.name} —{" "}
            {formatNumber(s.size)} ({formatPercent(s.share, 0)})
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The finished run beside the served model: segments, k evidence, migration when the schema is the same. */
function Comparison({ run }: { run: RunProgress }) {
  const c = run.comparison;
  const migration = c?.migration;
  return (
    <div data-testid="run-comparison">
      <div className="compare-grid">
        <SegmentList title="Served now" version={c?.servedVersion ?? null} k={c?.servedK ?? null} segments={c?.served ?? []} />
        <SegmentList title="This run" version={run.modelVersion} k={run.k} segments={c?.fresh ?? []} />
      </div>
      {run.reason && <p className="hint">Why k = {run.k}: {run.reason}</p>}
      {run.kStatement && (
        <p className="hint" data-testid="run-k-certainty">
          <strong>How certain:</strong> {run.kStatement}
        </p>
      )}
      {run.kWins.length > 0 && (
        <div className="table-wrap">
          <table data-testid="run-k-table">
            <thead>
              <tr>
                <th scope="col">k</th>
                <th scope="col">Silhouette</th>
                <th scope="col">Wins</th>
              </tr>
            </thead>
            <tbody>
              {run.kWins.map((w) => (
                <tr key={w.k} className={w.k === run.k ? "chosen" : undefined}>
                  <th scope="row">{w.k}</th>
                  <td>{formatNumber(run.scores.find((s) => s.k === w.k)?.silhouette, 3)}</td>
                  <td>
                    <span className="bar" style={{ width: `${Math.round(w.frequency * 100)}%` }} aria-hidden />
                    {w.wins} ({formatPercent(w.frequency, 0)})
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {c && <p className="hint">{c.note}</p>}
      {migration ? (
        <div className="table-wrap">
          <table data-testid="migration-table">
            <caption>
              Who moves where: {formatNumber(migration.inBoth)} customers in both, {formatNumber(migration.stayed)} keep their
              segment (rows: served segment, columns: new segment)
            </caption>
            <thead>
              <tr>
                <th scope="col">served ↓ new →</th>
                {migration.newSegments.map((id) => (
                  <th scope="col" key={id}>
                    #{id}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {migration.oldSegments.map((id, row) => (
                <tr key={id}>
                  <th scope="row">#{id}</th>
                  {migration.newSegments.map((to, col) => (
                    <td key={to} className={id === to ? "chosen" : undefined}>
                      {formatNumber(migration.counts[row]?.[col] ?? 0)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        c && (
          <p className="hint" data-testid="no-migration">
            No migration matrix: {c.migrationNotes[0] ?? (c.sameSchema ? "no customers in both runs." : "the feature schema differs.")}
          </p>
        )
      )}
    </div>
  );
}

type Step =
  | { step: "pick" }
  | { step: "draft"; file: File; draft: SchemaDraft; choice: TrainingChoice }
  | { step: "run"; file: File; draft: SchemaDraft; choice: TrainingChoice; runId: string; run: RunProgress | null }
  | { step: "published"; outcome: PublishOutcome }
  | { step: "discarded" };

/**
 * Train a segmentation of your own table without a terminal: upload → the API's draft schema →
 * choose features, categorical ones, transforms and the k range → train (202, polled by stage) →
 * compare with the served model → publish (the dashboard then shows it) or discard.
 */
export function TrainPanel({ api, onPublished }: { api: TrainingApi; onPublished: () => void }) {
  const ids = useId();
  const [key, setKey] = useApiKey();
  const [step, setStep] = useState<Step>({ step: "pick" });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [picked, setPicked] = useState<File | null>(null);
  const runId = step.step === "run" ? step.runId : null;
  const finished = step.step === "run" && step.run !== null && step.run.state !== "running";

  useEffect(() => {
    if (!runId || finished) return;
    let cancelled = false;
    const timer = setTimeout(() => {
      api.runStatus(runId).then(
        (run) => !cancelled && setStep((current) => (current.step === "run" && current.runId === runId ? { ...current, run } : current)),
        (caught: unknown) => !cancelled && setError(message(caught)),
      );
    }, POLL_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [api, runId, finished, step]);

  async function act<T>(work: () => Promise<T>): Promise<T | undefined> {
    setBusy(true);
    setError(null);
    try {
      return await work();
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 401) setKey(null);
      setError(message(caught));
      return undefined;
    } finally {
      setBusy(false);
    }
  }

  async function infer(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const file = picked;
    if (!file || file.size === 0) {
      setError("Choose a CSV file first.");
      return;
    }
    const draft = await act(() => api.inferSchema(file));
    if (draft) setStep({ step: "draft", file, draft, choice: initialChoice(draft) });
  }

  async function start() {
    if (step.step !== "draft") return;
    if (!key) {
      setError("Enter the API key first: training needs it.");
      return;
    }
    if (step.choice.features.length === 0) {
      setError("Pick at least one column to cluster on.");
      return;
    }
    const id = await act(() => api.startRun(step.file, step.choice, key));
    if (id) setStep({ ...step, step: "run", runId: id, run: null });
  }

  async function publish() {
    if (step.step !== "run" || !key) {
      setError("Enter the API key first: publishing needs it.");
      return;
    }
    const outcome = await act(() => api.publishRun(step.runId, key));
    if (outcome) {
      setStep({ step: "published", outcome });
      onPublished();
    }
  }

  async function discard() {
    if (step.step !== "run" || !key) {
      setError("Enter the API key first: discarding needs it.");
      return;
    }
    const done = await act(() => api.discardRun(step.runId, key).then(() => true));
    if (done) setStep({ step: "discarded" });
  }

  const run = step.step === "run" ? step.run : null;

  return (
    <section aria-labelledby="train-title" className="panel" id="train" data-testid="train-panel">
      <h2 id="train-title">Train a segmentation from your data</h2>
      {(step.step === "pick" || step.step === "published" || step.step === "discarded") && (
        <form onSubmit={infer} className="inline-form">
          {step.step === "published" && (
            <p className="success" role="status" data-testid="publish-result">
              Published model {step.outcome.modelVersion} (k = {step.outcome.k}); the dashboard now shows it.
              {step.outcome.warnings.length > 0 && ` Warnings: ${step.outcome.warnings.join("; ")}`}
            </p>
          )}
          {step.step === "discarded" && (
            <p className="hint" role="status">
              The run was discarded; the served model is unchanged.
            </p>
          )}
          <div className="field">
            <label htmlFor={`${ids}-file`}>Customer table or order lines (CSV)</label>
            <input
              id={`${ids}-file`}
              name="file"
              type="file"
              accept=".csv,text/csv"
              onChange={(event) => setPicked(event.target.files?.[0] ?? null)}
            />
          </div>
          <button type="submit" disabled={busy}>
            {busy ? "Reading…" : "Read the table"}
          </button>
        </form>
      )}
      {step.step === "draft" && (
        <div data-testid="draft">
          <p>
            <strong>{step.draft.filename}</strong>: {formatNumber(step.draft.rows)}{" "}
            {step.draft.inputKind === "transactions" ? "customers (from order lines)" : "rows"};{" "}
            {step.draft.idColumn ? `id column ${step.draft.idColumn}` : "no id column (rows are numbered)"}.
          </p>
          {step.draft.notes.map((note) => (
            <p className="hint" key={note}>
              {note}
            </p>
          ))}
          <ColumnChooser draft={step.draft} choice={step.choice} onChange={(choice) => setStep({ ...step, choice })} />
          <fieldset className="k-range">
            <legend>Number of segments to try</legend>
            <label>
              from k ={" "}
              <input
                type="number"
                min={2}
                max={30}
                value={step.choice.kMin}
                onChange={(e) => setStep({ ...step, choice: { ...step.choice, kMin: Number(e.target.value) } })}
              />
            </label>{" "}
            <label>
              to k ={" "}
              <input
                type="number"
                min={2}
                max={30}
                value={step.choice.kMax}
                onChange={(e) => setStep({ ...step, choice: { ...step.choice, kMax: Number(e.target.value) } })}
              />
            </label>
          </fieldset>
          <ApiKeyField purpose="needed to train and publish" />
          <div className="inline">
            <button type="button" onClick={start} disabled={busy}>
              {busy ? "Starting…" : "Start training"}
            </button>
            <button type="button" className="secondary" onClick={() => setStep({ step: "pick" })}>
              Choose another file
            </button>
          </div>
        </div>
      )}
      {step.step === "run" && (
        <div>
          <p>
            Training <strong>{step.draft.filename}</strong> (run {step.runId}) on {step.choice.features.join(", ")}.
          </p>
          {run ? <Progress run={run} /> : <p role="status">Started; waiting for the first progress report…</p>}
          {run?.state === "failed" && (
            <p className="error" role="alert" data-testid="run-failed">
              Training failed: {run.error}
            </p>
          )}
          {run?.state === "done" && (
            <>
              <Comparison run={run} />
              <ApiKeyField purpose="needed to publish" />
              <div className="inline">
                <button type="button" onClick={publish} disabled={busy} data-testid="publish-run">
                  {busy ? "Publishing…" : "Publish this model"}
                </button>
                <button type="button" className="secondary" onClick={discard} disabled={busy}>
                  Discard
                </button>
              </div>
            </>
          )}
          {run?.state === "failed" && (
            <button type="button" className="secondary" onClick={() => setStep({ step: "draft", file: step.file, draft: step.draft, choice: step.choice })}>
              Change the options
            </button>
          )}
        </div>
      )}
      {error && (
        <p className="error" role="alert" data-testid="train-error">
          {error}
        </p>
      )}
    </section>
  );
}
