"use client";

import { useCallback, useEffect, useState } from "react";
import { CsvUpload } from "@/app/components/CsvUpload";
import { EmptyState } from "@/app/components/EmptyState";
import { KSelectionChart } from "@/app/components/KSelectionChart";
import { Overview } from "@/app/components/Overview";
import { type MarkedPoint, ScatterCharts } from "@/app/components/ScatterCharts";
import { ScoreForm } from "@/app/components/ScoreForm";
import { SegmentCards } from "@/app/components/SegmentCards";
import { ApiError } from "@/app/lib/errors";
import { loadPlotly } from "@/app/lib/plotly";
import type {
  CustomerInput,
  CustomerSample,
  ModelSchema,
  Overview as OverviewData,
  Prediction,
  ScoredCsv,
} from "@/app/lib/types";

/** Everything the dashboard asks of the API (app/lib/api.ts implements it; tests pass fakes). */
export interface DashboardApi {
  overview(): Promise<OverviewData>;
  /** The served model's features: the form, CSV help, charts and cards are built from it. */
  getModelSchema(): Promise<ModelSchema>;
  customers(): Promise<CustomerSample>;
  predict(customer: CustomerInput): Promise<Prediction>;
  scoreCsv(file: File): Promise<ScoredCsv>;
}

type Load =
  | { state: "loading" }
  | { state: "no-model"; message: string }
  | { state: "error"; message: string }
  | { state: "ready"; overview: OverviewData; schema: ModelSchema };

type Customers = { state: "loading" } | { state: "error"; message: string } | { state: "ready"; sample: CustomerSample };

function message(caught: unknown): string {
  return caught instanceof Error ? caught.message : String(caught);
}

export function Dashboard({ api }: { api: DashboardApi }) {
  const [load, setLoad] = useState<Load>({ state: "loading" });
  const [customers, setCustomers] = useState<Customers>({ state: "loading" });
  const [marked, setMarked] = useState<MarkedPoint | null>(null);

  const refresh = useCallback(() => {
    setLoad({ state: "loading" });
    setCustomers({ state: "loading" });
    Promise.all([api.overview(), api.getModelSchema()]).then(
      ([overview, schema]) => setLoad({ state: "ready", overview, schema }),
      (caught: unknown) =>
        setLoad(
          caught instanceof ApiError && caught.status === 503
            ? { state: "no-model", message: caught.message }
            : { state: "error", message: message(caught) },
        ),
    );
    // Fetched in parallel with the overview: the scatter is the largest response.
    api.customers().then(
      (sample) => setCustomers({ state: "ready", sample }),
      (caught: unknown) => setCustomers({ state: "error", message: message(caught) }),
    );
  }, [api]);

  useEffect(refresh, [refresh]);

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
        <button type="button" onClick={refresh}>
          Try again
        </button>
      </section>
    );
  }

  const { overview, schema } = load;
  return (
    <>
      <Overview overview={overview} schema={schema} />
      <SegmentCards segments={overview.segments} schema={schema} />
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
      <KSelectionChart scores={overview.scores} chosenK={overview.k} />
    </>
  );
}
