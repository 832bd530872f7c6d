import { segmentColor } from "@/app/lib/colors";
import { formatNumber, formatPercent } from "@/app/lib/format";
import type { Segment } from "@/app/lib/types";

function GenderMix({ mix }: { mix: Record<string, number> }) {
  const entries = Object.entries(mix).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return <span>—</span>;
  return <span>{entries.map(([gender, share]) => `${gender} ${formatPercent(share, 0)}`).join(" · ")}</span>;
}

function SegmentCard({ segment }: { segment: Segment }) {
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
      <dl className="medians">
        <div>
          <dt>Median age</dt>
          <dd>{formatNumber(segment.medians.age)}</dd>
        </div>
        <div>
          <dt>Median income</dt>
          <dd>{formatNumber(segment.medians.annual_income)} k$</dd>
        </div>
        <div>
          <dt>Median spending</dt>
          <dd>{formatNumber(segment.medians.spending_score)} / 100</dd>
        </div>
        <div>
          <dt>Gender mix</dt>
          <dd>
            <GenderMix mix={segment.genderMix} />
          </dd>
        </div>
      </dl>
      <p className="description">{segment.description}</p>
      <p className="action">
        <strong>Suggested action:</strong> {segment.action}
      </p>
    </article>
  );
}

/** One card per segment, in segment-id order (ids follow centroid income, so the order is stable). */
export function SegmentCards({ segments }: { segments: Segment[] }) {
  const ordered = [...segments].sort((a, b) => a.id - b.id);
  return (
    <section aria-labelledby="segments-title" className="panel">
      <h2 id="segments-title">Segments</h2>
      <div className="cards">
        {ordered.map((segment) => (
          <SegmentCard key={segment.id} segment={segment} />
        ))}
      </div>
    </section>
  );
}
