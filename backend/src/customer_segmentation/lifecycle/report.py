"""What a run says about its parent: ``reports/migration.json`` and the summary's "Changes" section."""

from __future__ import annotations

from typing import Any

from .continuity import Continuity
from .drift import MAJOR, MODERATE, Psi

MIGRATION_FORMAT = 1


def migration_payload(continuity: Continuity, model_version: str) -> dict[str, Any]:
    """The JSON document of ``reports/migration.json`` (also what ``GET /runs/{v}/migration`` serves)."""
    info = continuity.info
    return {
        "format": MIGRATION_FORMAT,
        "model_version": model_version,
        "parent_version": info.parent_version,
        "lineage_id": info.lineage_id,
        "status": info.status,
        "reason": info.reason,
        "kept_ids": info.kept_ids,
        "new_ids": info.new_ids,
        "retired_ids": info.retired_ids,
        "migration": None if continuity.migration is None else continuity.migration.to_dict(),
        "share_changes": [_share(s) for s in continuity.share_changes],
        "drift": None if continuity.drift is None else continuity.drift.to_dict(),
        "psi_thresholds": {"moderate": MODERATE, "major": MAJOR},
        "renamed_by_data": [
            {"segment_id": i, "previous_name": old, "name": new} for i, old, new in continuity.renamed_by_data
        ],
        "notes": list(continuity.notes),
    }


def _share(change: Any) -> dict[str, Any]:
    return {
        "segment_id": change.segment_id,
        "old_count": change.old_count,
        "new_count": change.new_count,
        "old_share": change.old_share,
        "new_share": change.new_share,
        "change": change.change,
    }


def summary_lines(continuity: Continuity) -> list[str]:
    """The "Changes since the previous model" section of summary.txt (without its title)."""
    info = continuity.info
    lines = [f"Lineage {info.lineage_id} ({info.status}): {info.reason}."]
    if continuity.parent is None:
        lines.append("Nothing to compare with: the next run will be compared with this one.")
        return lines
    lines.append(f"Previous model: {info.parent_version}.")
    if continuity.continued:
        lines += _id_lines(continuity)
    for segment_id, old, new in continuity.renamed_by_data:
        lines.append(f"Segment {segment_id}'s data-derived name changed: {old!r} → {new!r}.")
    lines += _migration_lines(continuity)
    lines += _drift_lines(continuity)
    lines += [f"Note: {note}." for note in continuity.notes]
    return lines


def cli_lines(continuity: Continuity) -> list[str]:
    """Two lines for the CLI: the lineage decision, and kept / new / retired ids with who stayed."""
    info = continuity.info
    lines = [f"Lineage {info.lineage_id} ({info.status}): {info.reason}."]
    if continuity.continued:
        ids = f"Segment ids kept: {_ids(info.kept_ids)}; new: {_ids(info.new_ids)}; retired: {_ids(info.retired_ids)}"
        migration = continuity.migration
        if migration is not None and migration.in_both:
            ids += f"; {migration.stayed / migration.in_both:.0%} of the customers in both runs stayed"
        lines.append(ids + ".")
    return lines


def _ids(values: list[int]) -> str:
    return ", ".join(map(str, values)) if values else "none"


def _id_lines(continuity: Continuity) -> list[str]:
    info = continuity.info
    lines = [
        f"Segment ids kept: {_ids(info.kept_ids)}; new: {_ids(info.new_ids)}; retired: {_ids(info.retired_ids)}.",
        "Matching (this run's segment ← previous segment):",
    ]
    for match in info.matches:
        evidence = []
        if match.jaccard is not None:
            evidence.append(f"Jaccard {match.jaccard:.2f}")
        if match.distance is not None:
            evidence.append(f"centroid distance {match.distance:.2f} sd")
        verdict = f"← {match.parent_id}" if match.matched else f"NEW (closest previous: {match.parent_id})"
        lines.append(f"  {match.segment_id:>3} {verdict}  ({', '.join(evidence)})")
    return lines


def _migration_lines(continuity: Continuity) -> list[str]:
    migration = continuity.migration
    lines: list[str] = []
    if migration is not None:
        stayed = migration.stayed / migration.in_both if migration.in_both else 0.0
        kept = f"stayed in their segment: {migration.stayed} ({stayed:.1%}); " if continuity.continued else ""
        lines.append(
            f"Customers in both runs: {migration.in_both}; {kept}only in the previous run: {migration.only_old}; "
            f"new in this run: {migration.only_new}."
        )
        header = "  old \\ new " + "".join(f"{s:>6}" for s in migration.new_segments) + "   left"
        lines += ["Migration matrix (customers in both runs; rows: previous segment, columns: this run's):", header]
        for old, row, left in zip(migration.old_segments, migration.counts, migration.only_old_by_segment, strict=True):
            lines.append(f"  {old:>9} " + "".join(f"{v:>6}" for v in row) + f"{left:>7}")
        lines.append("  arrived   " + "".join(f"{v:>6}" for v in migration.only_new_by_segment))
    if continuity.share_changes:
        lines.append(
            "Share change per segment: "
            + ", ".join(
                f"{s.segment_id}: {s.old_share:.1%} → {s.new_share:.1%} ({s.change:+.1%})"
                for s in continuity.share_changes
            )
        )
    return lines


def _drift_lines(continuity: Continuity) -> list[str]:
    drift = continuity.drift
    if drift is None:
        return []
    items = [_psi_text(p) for p in drift.features]
    lines = [
        f"Drift (PSI on the previous model's deciles; > {MAJOR} major shift, {MODERATE}–{MAJOR} moderate): "
        + ", ".join(items)
        + "."
    ]
    if drift.segments is not None:
        lines.append(f"Segment shares: {_psi_text(drift.segments)}.")
    shifted = [p.name for p in drift.features if p.flag != "stable"]
    if shifted:
        lines.append(f"Check before acting on the new segments: {', '.join(shifted)} moved.")
    return lines


def _psi_text(psi: Psi) -> str:
    return f"{psi.name} {psi.psi:.3f} ({psi.flag})"
