import { segmentColor } from "@/app/lib/colors";
import { formatNumber, formatPercent } from "@/app/lib/format";
import {
  categoricalFeatures,
  formatShares,
  lowerFirst,
  numericFeatures,
  shortLabel,
  unitOf,
  withUnit,
} from "@/app/lib/schema";
import type { ModelSchema, Segment } from "@/app/lib/types";

/** Medians of the numeric features, then the mix of each categorical feature, then gender. */
function Profile({ segment, schema }: { segment: Segment; schema: ModelSchema }) {
  const shares = categoricalFeatures(schema).filter(
    (feature) => Object.keys(segment.levelShares[feature.name] ?? {}).length > 0,
  );
  const hasGender = Object.keys(segment.genderMix).length > 0;
  return (
    <dl className="medians">
      {numericFeatures(schema).map((feature) => (
        <div key={feature.name}>
          <dt>Median {lowerFirst(shortLabel(schema, feature))}</dt>
          <dd>{withUnit(segment.medians[feature.name], unitOf(feature))}</dd>
        </div>
      ))}
      {shares.map((feature) => (
        <div key={feature.name} data-testid="level-shares">
          <dt>{shortLabel(schema, feature)}</dt>
          <dd>{formatShares(segment.levelShares[feature.name] ?? {}, feature.levels)}</dd>
        </div>
      ))}
      {hasGender && (
        <div>
          <dt>Gender mix</dt>
          <dd>{formatShares(segment.genderMix)}</dd>
        </div>
      )}
    </dl>
  );
}

function SegmentCard({ segment, schema }: { segment: Segment; schema: ModelSchema }) {
  const titleId = `segment-${segment.id}-title`;
  return (
    <article
      className="card"
      aria-labelledby={titleId}
      data-testid="segment-card"
      style={{ borderTopColor: segmentColor(segment.id) }}
    >
      <header>
        <span className="swatch" style={{ background: segmentColor(segment.id) }} aria-hidden />
        <h3 id={titleId}>
          <span className="segment-id">#{segment.id}</span> {segment.name}
        </h3>
      </header>
      <p className="size">
        <strong>{formatNumber(segment.size)}</strong> customers · {formatPercent(segment.share)}
      </p>
      <Profile segment={segment} schema={schema} />
      <p className="description">{segment.description}</p>
      {segment.action && (
        <p className="action" data-testid="segment-action">
          <strong>Suggested action:</strong> {segment.action}
        </p>
      )}
    </article>
  );
}

/** One card per segment, in segment-id order (ids follow centroid income, so the order is stable). */
export function SegmentCards({ segments, schema }: { segments: Segment[]; schema: ModelSchema }) {
  const ordered = [...segments].sort((a, b) => a.id - b.id);
  return (
    <section aria-labelledby="segments-title" className="panel">
      <h2 id="segments-title">Segments</h2>
      <div className="cards">
        {ordered.map((segment) => (
          <SegmentCard key={segment.id} segment={segment} schema={schema} />
        ))}
      </div>
    </section>
  );
}
