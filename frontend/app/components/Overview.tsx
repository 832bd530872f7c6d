import { formatDate, formatNumber } from "@/app/lib/format";
import type { ModelSchema, Overview as OverviewData } from "@/app/lib/types";

/** The headline numbers: how many customers, how many segments, and how much to trust them. */
export function Overview({ overview, schema }: { overview: OverviewData; schema: ModelSchema }) {
  const { stability } = overview;
  return (
    <section aria-labelledby="overview-title" className="panel">
      <h2 id="overview-title">Overview</h2>
      <dl className="stats">
        <div>
          <dt>Customers</dt>
          <dd data-testid="stat-customers">{formatNumber(overview.customers)}</dd>
        </div>
        <div>
          <dt>Segments (k)</dt>
          <dd data-testid="stat-k">{overview.k}</dd>
        </div>
        <div>
          <dt>Silhouette</dt>
          <dd data-testid="stat-silhouette">{formatNumber(overview.silhouette, 3)}</dd>
        </div>
        <div>
          <dt>Stability (mean ARI)</dt>
          <dd data-testid="stat-stability">
            {stability ? (
              <>
                {formatNumber(stability.meanAri, 2)} <small>{stability.verdict}</small>
              </>
            ) : (
              "—"
            )}
          </dd>
        </div>
        <div>
          <dt>Model version</dt>
          <dd data-testid="stat-version">
            <code>{overview.modelVersion}</code>
          </dd>
        </div>
        <div>
          <dt>Trained</dt>
          <dd data-testid="stat-date">{formatDate(overview.createdAt)}</dd>
        </div>
      </dl>
      {overview.reason && <p className="reason">{overview.reason}</p>}
      {schema.idGenerated && (
        <p className="hint" data-testid="id-note">
          The table has no customer id column, so customers are numbered by row:{" "}
          <code>{schema.idColumn}</code> 1 is the first data row of the file.
        </p>
      )}
    </section>
  );
}
