"""A finished training run beside the model served when it was trained: both segment lists, and the
lineage's own comparison — the run was linked to the served run as its parent while it was written
(``artifacts.write_artifacts(lineage_root=…)``), so its ``reports/migration.json`` already says whether
the segments continue the served ones (same feature schema), who moved where and how the data
drifted. It is the report ``GET /runs/{version}/migration`` serves once the run is published.
"""

from __future__ import annotations

import json
from typing import Any

from ...config import ArtifactPaths
from ...modeling.card import ModelCard
from .model_store import ModelBundle


def segment_briefs(card: ModelCard) -> list[dict[str, Any]]:
    """Each segment's id, name, size and share (``schemas.training.SegmentBrief``)."""
    return [{"id": s.id, "name": s.name, "size": s.size, "share": s.share} for s in card.segments]


def migration_report(paths: ArtifactPaths) -> dict[str, Any] | None:
    """The staged run's ``reports/migration.json`` (as ``MigrationReport``), or None without one."""
    if not paths.migration.is_file():
        return None
    return {**json.loads(paths.migration.read_text(encoding="utf-8")), "drift_source": "artifacts"}


def compare_with_served(served: ModelBundle | None, card: ModelCard, report: dict[str, Any] | None) -> dict[str, Any]:
    """The comparison (``schemas.training.RunComparison``) of the run ``card`` describes with the
    model served now, given the run's own migration ``report``."""
    lineage = card.lineage
    same = lineage is not None and lineage.status == "continued"
    if served is None:
        note = "no model is served: nothing to compare with"
    elif lineage is None:
        note = "the run has no lineage record: segments are shown side by side"
    else:
        note = lineage.reason
    usable = report is not None and served is not None and report.get("parent_version") == served.model_version
    return {
        "served_version": served.model_version if served else None,
        "served_k": served.k if served else None,
        "served_segments": segment_briefs(served.card) if served else [],
        "new_segments": segment_briefs(card),
        "same_schema": same,
        "migration": report if usable else None,
        "note": note,
    }
