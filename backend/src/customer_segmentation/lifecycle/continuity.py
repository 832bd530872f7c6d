"""Link a trained run to the published one it replaces: stable ids, user labels, migration and drift.

:func:`link_run` decides the lineage (continued when the feature schema is the parent's, else
fresh), matches segments (``matching``: membership overlap of customers in both runs, else centroid
distance in the parent's scaled space), renumbers the run with the stable ids (``relabel``), applies
the lineage's user names and actions, and measures who moved where (``migration``) and how the data
drifted (``drift``). The outcome, :class:`Continuity`, feeds the card's ``lineage`` section,
``reports/migration.json``, the summary and the migration heatmap.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..feature_schema import schema_hash
from ..modeling.card import LineageInfo, SegmentMatch
from .drift import DriftReport, drift_report
from .matching import SegmentMatching, centroids_of, fresh_lineage, match_segments
from .migration import Migration, ShareChange, migration_matrix
from .parent import PublishedRun, customer_ids, lineage_id_for
from .relabel import apply_stable_ids

if TYPE_CHECKING:
    from ..modeling.serving import ServingModel
    from ..run_result import RunResult


@dataclass(frozen=True)
class UserLabel:
    """A user's name and/or action for a stable segment id (from the store)."""

    name: str | None
    action: str | None


@dataclass
class Continuity:
    """How a run continues (or does not) the published one; see the module docstring."""

    info: LineageInfo
    parent: PublishedRun | None
    matching: SegmentMatching
    migration: Migration | None
    share_changes: tuple[ShareChange, ...]
    drift: DriftReport | None
    notes: list[str] = field(default_factory=list)
    generated_names: dict[int, str] = field(default_factory=dict)
    generated_actions: dict[int, str | None] = field(default_factory=dict)
    labels: dict[int, UserLabel] = field(default_factory=dict)
    #: Matched segments whose data-derived name changed: (id, parent's name, this run's name).
    renamed_by_data: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def continued(self) -> bool:
        return self.info.status == "continued"


def link_run(
    result: RunResult,
    parent: PublishedRun | None,
    *,
    parent_problem: str | None = None,
    store_max_id: int | None = None,
    labels: Mapping[int, UserLabel] | None = None,
) -> Continuity:
    """Decide the lineage of ``result``, renumber it with stable ids and compare it with ``parent``.

    Parameters
    ----------
    result : RunResult
        Fresh from training (segments 0..k-1); renumbered in place.
    parent : PublishedRun or None
        The published run being replaced (None: nothing published, or ``parent_problem`` says why not).
    store_max_id : int, optional
        The highest id the store has seen in the parent's lineage (retired ids included).
    labels : mapping of stable id to UserLabel, optional
        The user labels of the parent's lineage; applied when the lineage continues.
    """
    schema = schema_hash(result.schema)
    k = len(result.profiles)
    comparable = parent is not None and parent.schema_hash == schema
    followed = _followable_ids(result, parent)
    if parent is not None and comparable:
        max_known = max(parent.max_id_used, -1 if store_max_id is None else store_max_id)
        matching = _match(result, parent, max_known, followed)
        lineage_id, status, reason = parent.lineage_id, "continued", _continued_reason(parent, matching)
    else:
        matching = fresh_lineage(k)
        lineage_id, status = lineage_id_for(result.created_at, schema), "fresh"
        reason = _fresh_reason(result, parent, parent_problem)
    apply_stable_ids(result, matching.stable_ids)
    continuity = Continuity(
        info=_info(lineage_id, schema, parent, status, reason, matching),
        parent=parent,
        matching=matching,
        migration=None,
        share_changes=(),
        drift=None,
        generated_names={p.id: p.name for p in result.profiles},
        generated_actions={p.id: p.action for p in result.profiles},
    )
    if parent is not None:
        _compare(result, parent, continuity, followed)
    if status == "continued":
        _apply_labels(result, continuity, labels or {})
        _names_changed(parent, continuity)
    return continuity


# -- matching ------------------------------------------------------------------------------------
def _followable_ids(result: RunResult, parent: PublishedRun | None) -> pd.Index | None:
    """This run's customer ids (as the store compares them) when customers can be followed between
    the runs: both have an id column and neither repeats an id. Computed once: at a million string
    ids the uniqueness check alone is a third of a second."""
    if parent is None or not parent.has_customer_ids or result.schema.id_column is None:
        return None
    index = customer_ids(result.clean[result.id_column])
    if index.has_duplicates or parent.members.index.has_duplicates:
        return None
    return index


def _match(result: RunResult, parent: PublishedRun, max_known: int, followed: pd.Index | None) -> SegmentMatching:
    serving = parent.serving
    x = _in_parent_space(result.clean, serving)
    k = len(result.profiles)
    local = np.asarray(result.labels, dtype="int64")
    new_members = parent_members = None
    if followed is not None:
        new_members, parent_members = pd.Series(local, index=followed), parent.members
    return match_segments(
        parent_ids=parent.segment_ids,
        parent_centroids=serving.centers,
        new_centroids=centroids_of(x, local, k),
        max_id_used=max_known,
        parent_members=parent_members,
        new_members=new_members,
    )


def _in_parent_space(clean: pd.DataFrame, serving: ServingModel) -> np.ndarray:
    """The new rows through the parent's preprocessing (its scaler numbers and one-hot levels)."""
    numeric = clean[list(serving.numeric_features)].to_numpy(dtype="float64")
    levels = [encoding.indices(clean[encoding.name]) for encoding in serving.categorical]
    return serving.transform_columns(numeric, levels)


# -- reasons -------------------------------------------------------------------------------------
def _continued_reason(parent: PublishedRun, matching: SegmentMatching) -> str:
    same = f"same feature schema as the previous model {parent.version}"
    if matching.method == "overlap":
        return (
            f"{same}: segments matched by the overlap of their members among the "
            f"{matching.shared_customers} customers in both runs ({matching.shared_fraction:.0%} of this run's; "
            f"a pair matches when its Jaccard exceeds {matching.threshold:g})"
        )
    why = (
        "customers have no id column"
        if not parent.has_customer_ids
        else f"only {matching.shared_fraction:.0%} of this run's customers were in the previous run"
    )
    return (
        f"{same}: segments matched by centroid distance in the previous model's scaled space ({why}; a pair "
        f"matches within {matching.threshold:g} standard deviations)"
    )


def _fresh_reason(result: RunResult, parent: PublishedRun | None, problem: str | None) -> str:
    if problem is not None:
        return f"fresh lineage: the published model cannot be compared with ({problem})"
    if parent is None:
        return "fresh lineage: no model was published before in this folder"
    before = ", ".join(parent.card.features)
    now = ", ".join(result.features)
    detail = f"{before} → {now}" if before != now else "same columns, other kinds or transforms"
    return (
        f"fresh lineage: the feature schema changed ({detail}), so segments live in another space and "
        "cannot be matched; segment ids, names and renames start anew"
    )


def _info(
    lineage_id: str,
    schema: str,
    parent: PublishedRun | None,
    status: str,
    reason: str,
    matching: SegmentMatching,
) -> LineageInfo:
    matches = sorted(
        (
            SegmentMatch(
                segment_id=p.stable_id,
                parent_id=p.parent_id,
                matched=p.matched,
                jaccard=p.jaccard,
                distance=p.distance,
            )
            for p in matching.pairs
        ),
        key=lambda m: m.segment_id,
    )
    return LineageInfo(
        lineage_id=lineage_id,
        schema_hash=schema,
        parent_version=parent.version if parent is not None else None,
        status="continued" if status == "continued" else "fresh",
        reason=reason,
        method=matching.method,
        threshold=matching.threshold,
        shared_customers=matching.shared_customers,
        shared_fraction=matching.shared_fraction,
        matches=matches if matching.method != "fresh" else [],
        kept_ids=sorted(m.segment_id for m in matches if m.matched),
        new_ids=sorted(matching.new_ids),
        retired_ids=list(matching.retired_ids),
        max_id_used=matching.max_id_used,
    )


# -- comparison with the parent ------------------------------------------------------------------
def _compare(result: RunResult, parent: PublishedRun, continuity: Continuity, followed: pd.Index | None) -> None:
    """Migration (customers by id), share change per segment, PSI of features and segment shares."""
    new_sizes = {p.id: p.size for p in result.profiles}
    old_sizes = {s.id: s.size for s in parent.card.segments}
    if followed is not None:
        new = pd.Series(np.asarray(result.labels, dtype="int64"), index=followed)
        continuity.migration = migration_matrix(parent.members, new)
    if continuity.migration is None:
        continuity.notes.append("customers have no id column: who moved where cannot be followed between runs")
    if not continuity.continued:
        continuity.notes.append(
            "the segment ids of the two runs belong to different lineages: a migration cell says where customers "
            "went, not that a segment kept its identity"
        )
    if continuity.continued:  # a share change compares a segment with itself: only within a lineage
        continuity.share_changes = (
            continuity.migration.share_changes if continuity.migration is not None else _shares(old_sizes, new_sizes)
        )
    shared = [f for f in result.features if f in parent.frame.columns and f in result.clean.columns]
    if shared:
        segments = (parent.frame["segment"], result.labels) if continuity.continued else (None, None)
        continuity.drift = drift_report(
            parent.frame, result.clean, shared, parent_segments=segments[0], new_segments=segments[1]
        )


def _shares(old: Mapping[int, int], new: Mapping[int, int]) -> tuple[ShareChange, ...]:
    old_total, new_total = sum(old.values()) or 1, sum(new.values()) or 1
    changes = []
    for segment in sorted(set(old) | set(new)):
        before, after = old.get(segment, 0), new.get(segment, 0)
        old_share, new_share = before / old_total, after / new_total
        changes.append(ShareChange(segment, before, after, old_share, new_share, new_share - old_share))
    return tuple(changes)


# -- names ---------------------------------------------------------------------------------------
def _apply_labels(result: RunResult, continuity: Continuity, labels: Mapping[int, UserLabel]) -> None:
    """The user's names and actions of the lineage replace the generated ones where set."""
    for profile in result.profiles:
        label = labels.get(profile.id)
        if label is None or not (label.name or label.action):
            continue
        continuity.labels[profile.id] = label
        if label.name:
            profile.name = label.name
        if label.action:
            profile.action = label.action


def _names_changed(parent: PublishedRun | None, continuity: Continuity) -> None:
    if parent is None:
        return
    before = {s.id: s.generated_name or s.name for s in parent.card.segments}
    for segment_id in continuity.info.kept_ids:
        old, new = before.get(segment_id), continuity.generated_names.get(segment_id)
        if old is not None and new is not None and old != new:
            continuity.renamed_by_data.append((segment_id, old, new))
