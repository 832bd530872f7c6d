"use client";

import { useEffect, useState } from "react";
import { segmentColor } from "@/app/lib/colors";
import { ApiError, caughtMessage } from "@/app/lib/errors";
import { formatNumber, formatPercent, formatPoints, formatSigned } from "@/app/lib/format";
import type { Migration, MigrationMatrix, PsiReading, ShareChange } from "@/app/lib/types";

type State =
  | { state: "loading" }
  | { state: "none"; message: string }
  | { state: "error"; message: string }
  | { state: "ready"; migration: Migration };

function ids(list: number[]): string {
  return list.length > 0 ? list.map((id) => `#${id}`).join(", ") : "none";
}

/** A matrix cell's shade: the share of its row (previous segment) that went there. */
function shade(count: number, rowTotal: number): { background: string; color: string } {
  const fraction = rowTotal > 0 ? count / rowTotal : 0;
  const alpha = count > 0 ? 0.1 + 0.7 * fraction : 0;
  return { background: `rgba(11, 92, 173, ${alpha.toFixed(3)})`, color: alpha > 0.45 ? "#fff" : "inherit" };
}

/** Lineage status and which segment ids were kept, are new or were retired. */
function Lineage({ migration }: { migration: Migration }) {
  const continued = migration.status === "continued";
  return (
    <>
      <p data-testid="migration-status">
        <strong>{continued ? "Continued lineage" : "Fresh lineage"}</strong> {migration.lineageId}
        {migration.parentVersion ? ` · previous model ${migration.parentVersion}` : " · no previous model"}
      </p>
      <p className="hint">{migration.reason}</p>
      <dl className="stats compact" data-testid="migration-ids">
        <div>
          <dt>Kept ids</dt>
          <dd>{ids(migration.keptIds)}</dd>
        </div>
        <div>
          <dt>New ids</dt>
          <dd>{ids(migration.newIds)}</dd>
        </div>
        <div>
          <dt>Retired ids</dt>
          <dd>{ids(migration.retiredIds)}</dd>
        </div>
      </dl>
    </>
  );
}

/** Stayed / left / arrived, then previous segment (rows) × this run's segment (columns). */
function MatrixTable({ matrix }: { matrix: MigrationMatrix }) {
  return (
    <>
      <dl className="stats compact" data-testid="migration-counts">
        <div>
          <dt>In both runs</dt>
          <dd data-testid="count-in-both">{formatNumber(matrix.inBoth)}</dd>
        </div>
        <div>
          <dt>Stayed in their segment</dt>
          <dd data-testid="count-stayed">{formatNumber(matrix.stayed)}</dd>
        </div>
        <div>
          <dt>Left (only in the previous run)</dt>
          <dd data-testid="count-left">{formatNumber(matrix.left)}</dd>
        </div>
        <div>
          <dt>Arrived (only in this run)</dt>
          <dd data-testid="count-arrived">{formatNumber(matrix.arrived)}</dd>
        </div>
      </dl>
      <div className="table-wrap">
        <table className="heatmap migration" data-testid="migration-matrix">
          <caption>Customers by id: previous segment (rows) → segment in this run (columns); shade = share of the row.</caption>
          <thead>
            <tr>
              <th scope="col">previous ↓ now →</th>
              {matrix.newSegments.map((id) => (
                <th scope="col" key={id}>
                  #{id}
                </th>
              ))}
              <th scope="col">left</th>
            </tr>
          </thead>
          <tbody>
            {matrix.oldSegments.map((from, row) => {
              const counts = matrix.counts[row] ?? [];
              const left = matrix.leftBySegment[row] ?? 0;
              const total = counts.reduce((sum, n) => sum + n, left);
              return (
                <tr key={from}>
                  <th scope="row">
                    <span className="swatch" style={{ background: segmentColor(from) }} aria-hidden />#{from}
                  </th>
                  {matrix.newSegments.map((to, col) => {
                    const count = counts[col] ?? 0;
                    return (
                      <td key={to} style={shade(count, total)} className={from === to ? "same" : undefined}>
                        {formatNumber(count)}
                      </td>
                    );
                  })}
                  <td>{formatNumber(left)}</td>
                </tr>
              );
            })}
            <tr>
              <th scope="row">arrived</th>
              {matrix.newSegments.map((to, col) => (
                <td key={to}>{formatNumber(matrix.arrivedBySegment[col] ?? 0)}</td>
              ))}
              <td />
            </tr>
          </tbody>
        </table>
      </div>
    </>
  );
}

function ShareChanges({ changes }: { changes: ShareChange[] }) {
  return (
    <div className="table-wrap">
      <table data-testid="share-changes">
        <caption>Share of customers per segment, previous run → this run</caption>
        <thead>
          <tr>
            <th scope="col">Segment</th>
            <th scope="col">Before</th>
            <th scope="col">Now</th>
            <th scope="col">Change</th>
          </tr>
        </thead>
        <tbody>
          {changes.map((s) => (
            <tr key={s.segmentId} data-testid="share-change">
              <th scope="row">
                <span className="swatch" style={{ background: segmentColor(s.segmentId) }} aria-hidden />#{s.segmentId}
              </th>
              <td>
                {formatPercent(s.oldShare)} <span className="unit">({formatNumber(s.oldCount)})</span>
              </td>
              <td>
                {formatPercent(s.newShare)} <span className="unit">({formatNumber(s.newCount)})</span>
              </td>
              <td>
                {formatPoints(s.change)} <span className="unit">({formatSigned(s.newCount - s.oldCount)})</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function DriftTable({ readings }: { readings: PsiReading[] }) {
  return (
    <div className="table-wrap">
      <table data-testid="drift-table">
        <caption>Drift against the previous run: population stability index (PSI) and the API's reading</caption>
        <thead>
          <tr>
            <th scope="col">Feature</th>
            <th scope="col">Kind</th>
            <th scope="col">PSI</th>
            <th scope="col">Reading</th>
          </tr>
        </thead>
        <tbody>
          {readings.map((r) => (
            <tr key={`${r.kind}-${r.name}`} data-testid="drift-row">
              <th scope="row">{r.kind === "segment" ? "Segment shares" : r.name}</th>
              <td>{r.kind}</td>
              <td>{formatNumber(r.psi, 3)}</td>
              <td>
                <span className={`flag flag-${r.flag.replace(/\s+/g, "-")}`}>{r.flag}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function MigrationDetails({ migration }: { migration: Migration }) {
  const { matrix, drift } = migration;
  const readings = drift ? [...(drift.segments ? [drift.segments] : []), ...drift.features] : [];
  return (
    <>
      <Lineage migration={migration} />
      {matrix ? (
        <MatrixTable matrix={matrix} />
      ) : (
        <p className="hint" data-testid="no-matrix">
          {migration.parentVersion
            ? "No migration matrix: the customers could not be followed by id between the two runs."
            : "No previous model to compare with: this is the first run of its lineage."}
        </p>
      )}
      {migration.shareChanges.length > 0 && <ShareChanges changes={migration.shareChanges} />}
      {readings.length > 0 && <DriftTable readings={readings} />}
      {migration.notes.map((note, i) => (
        <p className="hint" key={i}>
          {note}
        </p>
      ))}
    </>
  );
}

/** What changed in one run since its parent: lineage, migration matrix, share changes, drift. */
export function RunMigration({ version, load }: { version: string; load: (version: string) => Promise<Migration> }) {
  const [state, setState] = useState<State>({ state: "loading" });

  useEffect(() => {
    let cancelled = false;
    setState({ state: "loading" });
    load(version).then(
      (migration) => !cancelled && setState({ state: "ready", migration }),
      (caught: unknown) => {
        if (cancelled) return;
        const message = caughtMessage(caught);
        // The first run of a lineage may have no report: nothing to compare with, not a failure.
        setState(caught instanceof ApiError && caught.status === 404 ? { state: "none", message } : { state: "error", message });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [version, load]);

  return (
    <div className="run-migration" data-testid="run-migration">
      <h3>Changes in {version}</h3>
      {state.state === "loading" && <p role="status">Loading the migration…</p>}
      {state.state === "none" && (
        <p className="hint" role="status" data-testid="migration-none">
          No previous model to compare with: {state.message}
        </p>
      )}
      {state.state === "error" && (
        <p className="error" role="alert" data-testid="migration-error">
          {state.message}
        </p>
      )}
      {state.state === "ready" && <MigrationDetails migration={state.migration} />}
    </div>
  );
}
