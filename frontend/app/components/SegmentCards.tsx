"use client";

import { type FormEvent, useState } from "react";
import { ApiKeyField } from "@/app/components/ApiKeyField";
import { useApiKey } from "@/app/lib/apiKey";
import { segmentColor } from "@/app/lib/colors";
import { ApiError, caughtMessage } from "@/app/lib/errors";
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
import type { ModelSchema, Segment, SegmentLabel } from "@/app/lib/types";

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

/** What the cards may do besides showing (absent in a read-only dashboard). */
export interface SegmentEditing {
  rename: (id: number, label: SegmentLabel, key: string) => Promise<void>;
  /** Called after a successful save, to reload the segments. */
  onChanged: () => void;
}

function refusal(caught: unknown): string {
  if (caught instanceof ApiError && caught.status === 401) return `The API refused the key: ${caught.message}`;
  if (caught instanceof ApiError && caught.status === 403) return `Renaming is switched off on this server: ${caught.message}`;
  return caughtMessage(caught);
}

/** Rename a segment and edit its action in place (PATCH /clusters/{id}, needs the API key). */
function EditForm({ segment, editing, onClose }: { segment: Segment; editing: SegmentEditing; onClose: () => void }) {
  const [key, setKey] = useApiKey();
  const [name, setName] = useState(segment.name);
  const [action, setAction] = useState(segment.action ?? "");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const base = `segment-${segment.id}-edit`;

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!key) {
      setError("Enter the API key first: renaming needs it.");
      return;
    }
    const label: SegmentLabel = {};
    if (name.trim() !== segment.name) label.name = name.trim();
    if (action.trim() !== (segment.action ?? "")) label.action = action.trim();
    if (label.name === undefined && label.action === undefined) {
      onClose();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await editing.rename(segment.id, label, key);
      onClose();
      editing.onChanged();
    } catch (caught) {
      // A wrong key is forgotten so that the field asks again.
      if (caught instanceof ApiError && caught.status === 401) setKey(null);
      setError(refusal(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="edit-form" onSubmit={save} data-testid="segment-edit" aria-label={`Edit segment ${segment.id}`}>
      <div className="field">
        <label htmlFor={`${base}-name`}>Name</label>
        <input id={`${base}-name`} value={name} maxLength={120} onChange={(e) => setName(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`${base}-action`}>Action</label>
        <textarea id={`${base}-action`} value={action} maxLength={1000} rows={3} onChange={(e) => setAction(e.target.value)} />
      </div>
      <p className="hint">An empty name or action goes back to the one derived from the data.</p>
      <ApiKeyField purpose="needed to rename" />
      {error && (
        <p className="error" role="alert" data-testid="segment-edit-error">
          {error}
        </p>
      )}
      <div className="inline">
        <button type="submit" disabled={busy}>
          {busy ? "Saving…" : "Save"}
        </button>
        <button type="button" className="secondary" onClick={onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function SegmentCard({
  segment,
  schema,
  editing,
  jaccard,
}: {
  segment: Segment;
  schema: ModelSchema;
  editing?: SegmentEditing;
  jaccard?: { meanJaccard: number; reading: string };
}) {
  const titleId = `segment-${segment.id}-title`;
  const [open, setOpen] = useState(false);
  return (
    <article
      className="card"
      aria-labelledby={titleId}
      data-testid="segment-card"
      data-segment={segment.id}
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
      {jaccard && (
        <p className="hint" data-testid="segment-jaccard">
          Stability: {formatNumber(jaccard.meanJaccard, 2)} bootstrap Jaccard — {jaccard.reading}
        </p>
      )}
      <Profile segment={segment} schema={schema} />
      <p className="description">{segment.description}</p>
      {segment.action && (
        <p className="action" data-testid="segment-action">
          <strong>Suggested action:</strong> {segment.action}
        </p>
      )}
      {editing &&
        (open ? (
          <EditForm segment={segment} editing={editing} onClose={() => setOpen(false)} />
        ) : (
          <button type="button" className="secondary" onClick={() => setOpen(true)} aria-label={`Rename segment ${segment.id} or edit its action`}>
            Rename / edit action
          </button>
        ))}
    </article>
  );
}

/** One card per segment, in segment-id order (ids follow centroid income, so the order is stable). */
export function SegmentCards({
  segments,
  schema,
  editing,
  stability,
}: {
  segments: Segment[];
  schema: ModelSchema;
  editing?: SegmentEditing;
  stability?: { segment: number; meanJaccard: number; reading: string }[];
}) {
  const jaccard = new Map(stability?.map((s) => [s.segment, s]) ?? []);
  const ordered = [...segments].sort((a, b) => a.id - b.id);
  return (
    <section aria-labelledby="segments-title" className="panel">
      <h2 id="segments-title">Segments</h2>
      <div className="cards">
        {ordered.map((segment) => (
          <SegmentCard key={segment.id} segment={segment} schema={schema} editing={editing} jaccard={jaccard.get(segment.id)} />
        ))}
      </div>
    </section>
  );
}
