"use client";

import { useEffect, useId, useState } from "react";
import { segmentColor } from "@/app/lib/colors";
import { formatNumber, formatPercent } from "@/app/lib/format";
import { quantiles } from "@/app/lib/profile";
import { categoricalFeatures, formatShares, numericFeatures, shortLabel, unitOf, withUnit } from "@/app/lib/schema";
import type { CustomerSample, FeatureInfo, KEvidence, ModelSchema, Segment } from "@/app/lib/types";

interface SegmentCompareProps {
  schema: ModelSchema;
  segments: Segment[];
  evidence: KEvidence | null;
  pair: [number, number];
  onPair: (pair: [number, number]) => void;
  /** A sample of one segment's customers (`GET /customers?segment=…`). */
  loadSample?: (segment: number) => Promise<CustomerSample>;
}

type Samples = Record<number, CustomerSample | "loading" | "error">;
type Quartiles = NonNullable<ReturnType<typeof quantiles>>;

function values(sample: CustomerSample | "loading" | "error" | undefined, feature: string): number[] {
  if (!sample || typeof sample === "string") return [];
  return sample.customers.map((c) => c.values[feature]).filter((v): v is number => v !== undefined);
}

/** Two horizontal box plots (whiskers at min/max) on one scale; log scale for log1p features. */
function Boxes({ feature, boxes }: { feature: FeatureInfo; boxes: { id: number; q: Quartiles | null }[] }) {
  const log = feature.transform === "log1p";
  const all = boxes.flatMap((b) => (b.q ? [b.q.min, b.q.max] : []));
  if (all.length === 0) return <p className="hint">No values.</p>;
  const f = (v: number) => (log ? Math.log1p(Math.max(v, 0)) : v);
  const low = f(Math.min(...all));
  const high = f(Math.max(...all));
  const x = (v: number) => 4 + ((f(v) - low) / (high - low || 1)) * 292;
  return (
    <svg viewBox="0 0 300 56" className="boxes" aria-hidden focusable="false">
      {boxes.map(({ id, q }, row) =>
        q ? (
          <g key={id} transform={`translate(0 ${6 + row * 26})`}>
            <line x1={x(q.min)} x2={x(q.max)} y1={9} y2={9} stroke="#555" />
            <rect x={x(q.q1)} width={Math.max(x(q.q3) - x(q.q1), 1)} y={1} height={16} fill={segmentColor(id)} opacity={0.8} />
            <line x1={x(q.median)} x2={x(q.median)} y1={0} y2={18} stroke="#000" strokeWidth={2} />
          </g>
        ) : null,
      )}
    </svg>
  );
}

function Picker({ label, value, segments, onChange }: { label: string; value: number; segments: Segment[]; onChange: (id: number) => void }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => onChange(Number(event.target.value))}>
        {segments.map((segment) => (
          <option key={segment.id} value={segment.id}>
            #{segment.id} {segment.name}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Two segments side by side: sizes, revenue share (RFM), stability, and every feature's distribution. */
export function SegmentCompare({ schema, segments, evidence, pair, onPair, loadSample }: SegmentCompareProps) {
  const ordered = [...segments].sort((a, b) => a.id - b.id);
  const [samples, setSamples] = useState<Samples>({});
  const [a, b] = pair;

  useEffect(() => {
    if (!loadSample) return;
    for (const id of [a, b]) {
      if (samples[id] !== undefined) continue;
      setSamples((current) => ({ ...current, [id]: "loading" }));
      loadSample(id).then(
        (sample) => setSamples((current) => ({ ...current, [id]: sample })),
        () => setSamples((current) => ({ ...current, [id]: "error" })),
      );
    }
  }, [a, b, loadSample, samples]);

  const chosen = [a, b].map((id) => ordered.find((s) => s.id === id)).filter((s): s is Segment => s !== undefined);
  const jaccard = new Map(evidence?.segments.map((s) => [s.segment, s]) ?? []);
  const revenue = evidence?.revenueShare ?? {};
  const hasRevenue = chosen.some((s) => revenue[s.id] !== undefined);
  const loading = [a, b].some((id) => samples[id] === "loading");
  const failed = [a, b].some((id) => samples[id] === "error");

  return (
    <section aria-labelledby="compare-title" className="panel" id="compare">
      <h2 id="compare-title">Compare two segments</h2>
      <div className="compare-pickers">
        <Picker label="First segment" value={a} segments={ordered} onChange={(id) => onPair([id, b])} />
        <Picker label="Second segment" value={b} segments={ordered} onChange={(id) => onPair([a, id])} />
      </div>
      <div className="table-wrap">
        <table className="compare" data-testid="compare-table">
          <thead>
            <tr>
              <th scope="col">Measure</th>
              {chosen.map((segment, i) => (
                <th scope="col" key={`${segment.id}-${i}`}>
                  <span className="swatch" style={{ background: segmentColor(segment.id) }} aria-hidden />#{segment.id}{" "}
                  {segment.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">Customers</th>
              {chosen.map((s, i) => (
                <td key={i} data-testid="compare-size">
                  {formatNumber(s.size)} ({formatPercent(s.share)})
                </td>
              ))}
            </tr>
            {hasRevenue && (
              <tr>
                <th scope="row">Share of revenue</th>
                {chosen.map((s, i) => (
                  <td key={i}>{formatPercent(revenue[s.id])}</td>
                ))}
              </tr>
            )}
            {jaccard.size > 0 && (
              <tr>
                <th scope="row">Stability (bootstrap Jaccard)</th>
                {chosen.map((s, i) => {
                  const j = jaccard.get(s.id);
                  return <td key={i}>{j ? `${formatNumber(j.meanJaccard, 2)} — ${j.reading}` : "—"}</td>;
                })}
              </tr>
            )}
            {numericFeatures(schema).map((feature) => {
              const qs = chosen.map((s) => ({ id: s.id, q: quantiles(values(samples[s.id], feature.name)) }));
              const unit = unitOf(feature);
              return (
                <tr key={feature.name} data-testid="compare-feature">
                  <th scope="row">
                    {shortLabel(schema, feature)}
                    {loadSample && <Boxes feature={feature} boxes={qs} />}
                  </th>
                  {chosen.map((s, i) => {
                    const q = qs[i]?.q;
                    return (
                      <td key={i}>
                        median {withUnit(s.medians[feature.name], unit)}
                        {q && (
                          <span className="quartiles">
                            {" "}
                            · middle half {formatNumber(q.q1, q.q3 - q.q1 < 10 ? 1 : 0)}–{formatNumber(q.q3, q.q3 - q.q1 < 10 ? 1 : 0)}
                            {" "}· range {formatNumber(q.min, 0)}–{formatNumber(q.max, 0)}
                          </span>
                        )}
                      </td>
                    );
                  })}
                </tr>
              );
            })}
            {categoricalFeatures(schema).map((feature) => (
              <tr key={feature.name}>
                <th scope="row">{shortLabel(schema, feature)}</th>
                {chosen.map((s, i) => (
                  <td key={i}>{formatShares(s.levelShares[feature.name] ?? {}, feature.levels)}</td>
                ))}
              </tr>
            ))}
            {chosen.some((s) => Object.keys(s.genderMix).length > 0) && (
              <tr>
                <th scope="row">Gender mix</th>
                {chosen.map((s, i) => (
                  <td key={i}>{formatShares(s.genderMix)}</td>
                ))}
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <p className="hint" role="status">
        {loading
          ? "Loading the segments' customers…"
          : failed
            ? "The distributions are unavailable (the customers could not be loaded); medians are from the model."
            : loadSample
              ? "Boxes: the middle half of each segment's customers, the bar its median, whiskers the full range (log scale for log-transformed features)."
              : ""}
      </p>
    </section>
  );
}
