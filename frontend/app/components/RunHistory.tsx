"use client";

import { useEffect, useState } from "react";
import { RunMigration } from "@/app/components/RunMigration";
import { formatDate, formatNumber } from "@/app/lib/format";
import type { Migration, RunPage, RunSummary } from "@/app/lib/types";
import { caughtMessage } from "@/app/lib/errors";

interface RunHistoryProps {
  /** `GET /runs?offset=&limit=`: one page, newest first. */
  loadRuns: (offset: number, limit: number) => Promise<RunPage>;
  /** `GET /runs/{version}/migration`. */
  loadMigration: (version: string) => Promise<Migration>;
  pageSize?: number;
}

/** Runs per page ("load more" asks for the next this many). */
const PAGE_SIZE = 20;

type Runs =
  | { state: "loading" }
  | { state: "error"; message: string }
  | { state: "ready"; runs: RunSummary[]; more: boolean };

type Paging = { busy: boolean; error: string | null };


/** Append a page, skipping runs already listed (a run recorded meanwhile shifts the offsets). */
function append(current: RunSummary[], page: RunSummary[]): RunSummary[] {
  const seen = new Set(current.map((run) => run.modelVersion));
  return [...current, ...page.filter((run) => !seen.has(run.modelVersion))];
}

/**
 * How a run's segment ids relate to its parent's, read from the listed runs: the list has the
 * parent's lineage only once the parent's page is loaded (the migration report always says).
 */
export function lineageStatus(run: RunSummary, runs: RunSummary[]): string | null {
  if (run.parentVersion === null) return "first run";
  const parent = runs.find((r) => r.modelVersion === run.parentVersion);
  if (!parent) return null;
  return parent.lineageId === run.lineageId ? "continued" : "fresh lineage";
}

function RunRow({ run, runs, selected, onSelect }: { run: RunSummary; runs: RunSummary[]; selected: boolean; onSelect: () => void }) {
  const status = lineageStatus(run, runs);
  return (
    <tr data-testid="run-row" data-version={run.modelVersion} data-served={run.served} className={selected ? "chosen" : undefined}>
      <th scope="row">
        <button type="button" className="link-button" aria-pressed={selected} onClick={onSelect}>
          {run.modelVersion}
        </button>
        {run.served && (
          <span className="badge" data-testid="served-badge">
            served
          </span>
        )}
      </th>
      <td>{formatDate(run.createdAt)}</td>
      <td>{run.k}</td>
      <td>{formatNumber(run.silhouette, 3)}</td>
      <td>{formatNumber(run.rowsUsed)}</td>
      <td>{run.sourceName}</td>
      <td data-testid="run-lineage">
        {status ?? "—"}
        <span className="unit"> · {run.lineageId}</span>
      </td>
    </tr>
  );
}

/** Every recorded training run, newest first, with "load more"; choosing one shows its migration. */
export function RunHistory({ loadRuns, loadMigration, pageSize = PAGE_SIZE }: RunHistoryProps) {
  const [runs, setRuns] = useState<Runs>({ state: "loading" });
  const [paging, setPaging] = useState<Paging>({ busy: false, error: null });
  const [selected, setSelected] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    setRuns({ state: "loading" });
    loadRuns(0, pageSize).then(
      (page) => !cancelled && setRuns({ state: "ready", runs: page.runs, more: page.runs.length >= pageSize }),
      (caught: unknown) => !cancelled && setRuns({ state: "error", message: caughtMessage(caught) }),
    );
    return () => {
      cancelled = true;
    };
  }, [loadRuns, pageSize]);

  function loadMore() {
    if (runs.state !== "ready") return;
    setPaging({ busy: true, error: null });
    loadRuns(runs.runs.length, pageSize).then(
      (page) => {
        setRuns((current) =>
          current.state === "ready"
            ? { state: "ready", runs: append(current.runs, page.runs), more: page.runs.length >= pageSize }
            : current,
        );
        setPaging({ busy: false, error: null });
      },
      (caught: unknown) => setPaging({ busy: false, error: caughtMessage(caught) }),
    );
  }

  return (
    <section aria-labelledby="history-title" className="panel" id="history" data-testid="run-history">
      <h2 id="history-title">Training history</h2>
      <p className="hint">
        Every recorded run, newest first. Choose a version to see who moved between segments since the previous model and
        how the data drifted.
      </p>
      {runs.state === "loading" && <p role="status">Loading the runs…</p>}
      {runs.state === "error" && (
        <p className="error" role="alert" data-testid="runs-error">
          {runs.message}
        </p>
      )}
      {runs.state === "ready" && runs.runs.length === 0 && <p className="hint">No run is recorded yet.</p>}
      {runs.state === "ready" && runs.runs.length > 0 && (
        <>
          <div className="table-wrap">
            <table data-testid="runs-table">
              <caption>
                {formatNumber(runs.runs.length)} run{runs.runs.length === 1 ? "" : "s"} shown
              </caption>
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col">Trained</th>
                  <th scope="col">k</th>
                  <th scope="col">Silhouette</th>
                  <th scope="col">Customers</th>
                  <th scope="col">Data</th>
                  <th scope="col">Lineage</th>
                </tr>
              </thead>
              <tbody>
                {runs.runs.map((run) => (
                  <RunRow
                    key={run.modelVersion}
                    run={run}
                    runs={runs.runs}
                    selected={selected === run.modelVersion}
                    onSelect={() => setSelected(run.modelVersion)}
                  />
                ))}
              </tbody>
            </table>
          </div>
          {runs.more && (
            <p className="pager">
              <button type="button" className="secondary" onClick={loadMore} disabled={paging.busy}>
                {paging.busy ? "Loading…" : "Load more runs"}
              </button>
            </p>
          )}
          {paging.error && (
            <p className="error" role="alert" data-testid="runs-more-error">
              {paging.error}
            </p>
          )}
        </>
      )}
      {selected && <RunMigration version={selected} load={loadMigration} />}
    </section>
  );
}
