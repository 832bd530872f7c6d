"use client";

import { useMemo } from "react";
import { segmentColor } from "@/app/lib/colors";
import { formatNumber, formatPercent } from "@/app/lib/format";
import { describeZ, divergingColor, profileMatrix, textColor } from "@/app/lib/profile";
import { findFeature, shortLabel, unitOf, withUnit } from "@/app/lib/schema";
import type { CustomerSample, ModelSchema, Segment } from "@/app/lib/types";

interface ProfileHeatmapProps {
  schema: ModelSchema;
  segments: Segment[];
  /** The customers loaded for the scatter; null while they load (medians are shown meanwhile). */
  sample: CustomerSample | null;
  onPick?: (segmentId: number) => void;
}

/**
 * The dashboard's main picture: segments × features, each cell coloured by how far the segment
 * sits from the population (standardised difference, see lib/profile.ts) and labelled with it;
 * hover or focus a cell for the segment's median. It is an HTML table — the same element is the
 * chart and its accessible table (Plotly's partial bundle has no heatmap, and a table needs no
 * charting code at all).
 */
export function ProfileHeatmap({ schema, segments, sample, onPick }: ProfileHeatmapProps) {
  const rows = useMemo(() => profileMatrix(schema, segments, sample), [schema, segments, sample]);
  const features = schema.features.filter((feature) => feature.kind === "numeric");
  const hasZ = rows.some((row) => row.cells.some((cell) => cell.z !== null));
  return (
    <section aria-labelledby="profile-title" className="panel" id="profile">
      <h2 id="profile-title">Segment profiles</h2>
      <p className="hint" id="profile-help">
        {hasZ
          ? `Each cell: how far the segment's mean is from all customers' mean, in standard deviations${
              schema.features.some((f) => f.transform === "log1p") ? " (of the log for log-transformed features)" : ""
            }${sample && sample.total > sample.customers.length ? `, estimated from ${formatNumber(sample.customers.length)} sampled customers` : ""}. Orange above, blue below. Small print: the median.`
          : "Medians per segment (the standardised differences appear once the customers have loaded)."}
      </p>
      <div className="table-wrap">
        <table className="heatmap" data-testid="profile-heatmap" aria-describedby="profile-help">
          <thead>
            <tr>
              <th scope="col">Segment</th>
              {features.map((feature) => (
                <th scope="col" key={feature.name}>
                  {shortLabel(schema, feature)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map(({ segment, cells }) => (
              <tr key={segment.id} data-testid="profile-row">
                <th scope="row">
                  <span className="swatch" style={{ background: segmentColor(segment.id) }} aria-hidden />
                  {onPick ? (
                    <button type="button" className="link-button" onClick={() => onPick(segment.id)}>
                      #{segment.id} {segment.name}
                    </button>
                  ) : (
                    <>
                      #{segment.id} {segment.name}
                    </>
                  )}
                  <span className="unit"> · {formatPercent(segment.share, 0)}</span>
                </th>
                {cells.map((cell) => {
                  const feature = findFeature(schema, cell.feature);
                  const median = withUnit(cell.median, feature ? unitOf(feature) : null);
                  const label = `#${segment.id}, ${feature ? shortLabel(schema, feature) : cell.feature}: median ${median}, ${describeZ(cell.z)}`;
                  return (
                    <td
                      key={cell.feature}
                      title={label}
                      style={{ background: divergingColor(cell.z), color: textColor(cell.z) }}
                    >
                      <span aria-hidden>{cell.z === null ? median : `${cell.z > 0 ? "+" : ""}${formatNumber(cell.z, 1)}`}</span>
                      <span className="cell-median" aria-hidden>
                        {median}
                      </span>
                      <span className="sr-only">{label}</span>
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
