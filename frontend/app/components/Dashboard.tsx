"use client";

import { useCallback, useEffect, useState } from "react";
import { CsvUpload } from "@/app/components/CsvUpload";
import { CustomerHistory } from "@/app/components/CustomerHistory";
import { CustomersTable } from "@/app/components/CustomersTable";
import { EmptyState } from "@/app/components/EmptyState";
import { KSelectionChart } from "@/app/components/KSelectionChart";
import { Overview } from "@/app/components/Overview";
import { ProfileHeatmap } from "@/app/components/ProfileHeatmap";
import { RunHistory } from "@/app/components/RunHistory";
import { type MarkedPoint, ScatterCharts } from "@/app/components/ScatterCharts";
import { ScoreForm } from "@/app/components/ScoreForm";
import { SegmentCards } from "@/app/components/SegmentCards";
import { SegmentCompare } from "@/app/components/SegmentCompare";
import { TrainPanel, type TrainingApi } from "@/app/components/TrainPanel";
import { ApiError, caughtMessage } from "@/app/lib/errors";
import { loadPlotly } from "@/app/lib/plotly";
import type {
  CustomerInput,
  CustomerPage,
  CustomerQuery,
  CustomerSample,
  CustomerSegmentHistory,
  KEvidence,
  Migration,
  ModelSchema,
  Overview as OverviewData,
  Prediction,
  RunPage,
  ScoredCsv,
  SegmentLabel,
} from "@/app/lib/types";

/** Everything the dashboard asks of the API (app/lib/api.ts implements it; tests pass fakes). */
export interface DashboardApi {
  overview(): Promise<OverviewData>;
  /** The served model's features: the form, CSV help, charts and cards are built from it. */
  getModelSchema(): Promise<ModelSchema>;
  customers(): Promise<CustomerSample>;
  predict(customer: CustomerInput): Promise<Prediction>;
  scoreCsv(file: File): Promise<ScoredCsv>;
  // The workspace (issue 15). Optional: a panel whose call is missing is left out.
  evidence?(): Promise<KEvidence>;
  customerPage?(query: CustomerQuery): Promise<CustomerPage>;
  segmentSample?(segment: number): Promise<CustomerSample>;
  exportUrl?(query: Omit<CustomerQuery, "page" | "pageSize">): string;
  renameSegment?(id: number, label: SegmentLabel, key: string): Promise<void>;
  inferSchema?: TrainingApi["inferSchema"];
  startRun?: TrainingApi["startRun"];
  runStatus?: TrainingApi["runStatus"];
  publishRun?: TrainingApi["publishRun"];
  discardRun?: TrainingApi["discardRun"];
  // History across retraining. Optional like the workspace: a missing call leaves its panel out.
  runs?(offset: number, limit: number): Promise<RunPage>;
  migration?(version: string): Promise<Migration>;
  customerHistory?(customerId: string): Promise<CustomerSegmentHistory>;
}

function trainingApi(api: DashboardApi): TrainingApi | null {
  const { inferSchema, startRun, runStatus, publishRun, discardRun } = api;
  return inferSchema && startRun && runStatus && publishRun && discardRun
    ? { inferSchema, startRun, runStatus, publishRun, discardRun }
    : null;
}

type Load =
  | { state: "loading" }
  | { state: "no-model"; message: string }
  | { state: "error"; message: string }
  | { state: "ready"; overview: OverviewData; schema: ModelSchema };

type Customers = { state: "loading" } | { state: "error"; message: string } | { state: "ready"; sample: CustomerSample };


export function Dashboard({ api }: { api: DashboardApi }) {
  const [load, setLoad] = useState<Load>({ state: "loading" });
  const [customers, setCustomers] = useState<Customers>({ state: "loading" });
  const [marked, setMarked] = useState<MarkedPoint | null>(null);
  const [evidence, setEvidence] = useState<KEvidence | null>(null);
  const [pair, setPair] = useState<[number, number] | null>(null);

  /** Load everything; `soft` keeps the current view on screen until the new data arrives (after a rename or a publish). */
  const refresh = useCallback((soft = false) => {
    if (!soft) {
      setLoad({ state: "loading" });
      setCustomers({ state: "loading" });
    }
    api.evidence?.().then(setEvidence, () => setEvidence(null));
    Promise.all([api.overview(), api.getModelSchema()]).then(
      ([overview, schema]) => {
        setLoad({ state: "ready", overview, schema });
        setPair((current) => {
          const ids = overview.segments.map((s) => s.id).sort((a, b) => a - b);
          if (current && current.every((id) => ids.includes(id))) return current;
          return [ids[0] ?? 0, ids[1] ?? ids[0] ?? 0];
        });
      },
      (caught: unknown) =>
        setLoad(
          caught instanceof ApiError && caught.status === 503
            ? { state: "no-model", message: caught.message }
            : { state: "error", message: caughtMessage(caught) },
        ),
    );
    // Fetched in parallel with the overview: the scatter is the largest response.
    api.customers().then(
      (sample) => setCustomers({ state: "ready", sample }),
      (caught: unknown) => setCustomers({ state: "error", message: caughtMessage(caught) }),
    );
  }, [api]);

  useEffect(() => refresh(), [refresh]);
  const softRefresh = useCallback(() => {
    setMarked(null);
    refresh(true);
  }, [refresh]);

  // Start fetching the charting code at once, in parallel with the data, not after it.
  useEffect(() => {
    loadPlotly().catch(() => undefined);
  }, []);

  const onScored = useCallback((customer: CustomerInput, prediction: Prediction) => {
    const values: Record<string, number> = {};
    for (const [name, value] of Object.entries(customer)) if (typeof value === "number") values[name] = value;
    setMarked({ values, segmentName: `#${prediction.segmentId} ${prediction.segmentName}` });
  }, []);

  if (load.state === "loading") {
    return (
      <p className="panel" role="status">
        Loading the segmentation…
      </p>
    );
  }
  if (load.state === "no-model") return <EmptyState message={load.message} />;
  if (load.state === "error") {
    return (
      <section className="panel" aria-labelledby="error-title">
        <h2 id="error-title">The dashboard could not load</h2>
        <p className="error" role="alert" data-testid="load-error">
          {load.message}
        </p>
        <button type="button" onClick={() => refresh()}>
          Try again
        </button>
      </section>
    );
  }

  const { overview, schema } = load;
  const sample = customers.state === "ready" ? customers.sample : null;
  const training = trainingApi(api);
  const { renameSegment, customerPage, exportUrl, segmentSample, runs, migration, customerHistory } = api;
  // Asked after the scatter's customers, like the customers table: the first charts come first.
  const historyReady = customers.state !== "loading";
  const shownPair = pair ?? [overview.segments[0]?.id ?? 0, overview.segments[1]?.id ?? 0];
  return (
    <div className="workspace">
      <nav className="section-nav" aria-label="Sections">
        <a href="#profile">Profiles</a>
        <a href="#compare">Compare</a>
        <a href="#segments-title">Segments</a>
        <a href="#score-title">Score</a>
        {customerPage && <a href="#customers">Customers</a>}
        <a href="#k-title">Choosing k</a>
        {training && <a href="#train">Train</a>}
        {runs && migration && <a href="#history">History</a>}
        {customerHistory && <a href="#customer-history">Customer history</a>}
      </nav>
      <Overview overview={overview} schema={schema} />
      <ProfileHeatmap
        schema={schema}
        segments={overview.segments}
        sample={sample}
        onPick={(id) => {
          setPair(id === shownPair[0] ? shownPair : [id, shownPair[0]]);
          document.getElementById("compare")?.scrollIntoView({ block: "start" });
        }}
      />
      {overview.segments.length > 1 && (
        <SegmentCompare
          key={`compare-${overview.modelVersion}`}
          schema={schema}
          segments={overview.segments}
          evidence={evidence}
          pair={shownPair}
          onPair={setPair}
          // Asked after the scatter's customers: the first charts come first.
          loadSample={customers.state === "loading" ? undefined : segmentSample}
        />
      )}
      <SegmentCards
        segments={overview.segments}
        schema={schema}
        stability={evidence?.segments}
        editing={renameSegment ? { rename: renameSegment, onChanged: softRefresh } : undefined}
      />
      {customers.state === "ready" && (
        <ScatterCharts sample={customers.sample} segments={overview.segments} schema={schema} marked={marked} />
      )}
      {customers.state === "loading" && (
        <p className="panel" role="status">
          Loading customers…
        </p>
      )}
      {customers.state === "error" && (
        <p className="panel error" role="alert" data-testid="customers-error">
          The customer scatter is unavailable: {customers.message}
        </p>
      )}
      <div className="two-col">
        <ScoreForm schema={schema} predict={api.predict} onScored={onScored} />
        <CsvUpload schema={schema} scoreCsv={api.scoreCsv} />
      </div>
      {customerPage && exportUrl && customers.state !== "loading" && (
        <CustomersTable key={`customers-${overview.modelVersion}`} schema={schema} segments={overview.segments} loadPage={customerPage} exportUrl={exportUrl} />
      )}
      <KSelectionChart scores={overview.scores} chosenK={overview.k} evidence={evidence} />
      {training && <TrainPanel api={training} onPublished={softRefresh} />}
      {runs && migration && historyReady && (
        // Keyed by the served version (sibling keys must differ): after a publish the list reloads and the badge moves.
        <RunHistory key={`history-${overview.modelVersion}`} loadRuns={runs} loadMigration={migration} />
      )}
      {customerHistory && <CustomerHistory key={`customer-history-${overview.modelVersion}`} lookup={customerHistory} />}
    </div>
  );
}
