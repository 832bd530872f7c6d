"""Record a published run in the store — from its card and customers only, so it can be done late.

Order of a run (see ``artifacts.write_artifacts``): publish the artifacts (one atomic symlink swap),
THEN record the run in the store (one transaction). The published artifacts are the source of truth:
the card holds the lineage, segments and retired ids, the clustered data the memberships. So a
process killed between the two steps leaves a published run the store has not seen yet, and
:func:`reconcile` records it from its artifacts — before the next run links to it, and when the API
loads it. The other order would leave runs in the store that were never published (the API would
list, and accept renames for, a model nobody serves) with no artifacts left to tell which.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd

from ..modeling.card import ModelCard
from ..store import (
    CUSTOMER_COLUMN,
    SEGMENT_COLUMN,
    RunExistsError,
    RunRecord,
    SegmentRecord,
    Store,
)
from .parent import PublishedRun, lineage_id_for


def is_recorded(store: Store, version: str) -> bool:
    return store.run(version) is not None


def record_card(store: Store, card: ModelCard, members: pd.Series) -> bool:
    """Record the run ``card`` describes with ``members`` (customer id → stable segment id).

    Returns False when the run was already recorded (e.g. by the API's reconciliation meanwhile).
    The parent is linked only when the store knows it (a store created after the parent was
    published starts its history here); retirements need the parent, so they are dropped with it.
    """
    lineage = card.lineage
    parent = lineage.parent_version if lineage is not None else None
    if parent is not None and not is_recorded(store, parent):
        parent = None
    schema = lineage.schema_hash if lineage is not None else _schema_of(card)
    retired = lineage.retired_ids if lineage is not None and parent is not None else []
    if lineage is not None and parent is not None and lineage.status == "fresh":
        retired = []  # ids of another lineage are not this lineage's to retire
    run = RunRecord(
        model_version=card.model_version,
        created_at=datetime.fromisoformat(card.created_at.replace("Z", "+00:00")),
        data_sha256=card.data.sha256,
        k=card.k,
        schema_hash=schema,
        lineage_id=lineage.lineage_id if lineage is not None else lineage_id_for(card.created_at, schema),
        parent_version=parent,
        scores=_scores(card),
        engine=card.engine,
        source_name=card.data.source,
    )
    segments = [
        SegmentRecord(
            segment_id=s.id,
            # A card written before lineages has no generated_* fields: its name and action are generated.
            generated_name=s.generated_name if s.generated_name is not None else s.name,
            size=s.size,
            share=s.share,
            centroid=s.centroid,
            generated_action=(s.generated_action if s.generated_name is not None else s.action) or "",
        )
        for s in card.segments
    ]
    frame = pd.DataFrame({CUSTOMER_COLUMN: members.index.astype(str), SEGMENT_COLUMN: members.to_numpy("int64")})
    try:
        store.record_run(run, segments, frame, retired=retired)
    except RunExistsError:
        return False
    return True


def reconcile(store: Store, published: PublishedRun) -> bool:
    """Record the published run if the store has not seen it (a run killed after publishing)."""
    if is_recorded(store, published.version):
        return False
    return record_card(store, published.card, published.members)


def _schema_of(card: ModelCard) -> str:
    from ..feature_schema import schema_hash

    return schema_hash(card.feature_schema)


def _scores(card: ModelCard) -> dict[str, Any]:
    chosen: dict[str, Any] = next((s for s in card.k_selection.get("scores", []) if s.get("k") == card.k), {})
    return {
        "silhouette": card.silhouette.overall,
        "calinski_harabasz": chosen.get("calinski_harabasz"),
        "davies_bouldin": chosen.get("davies_bouldin"),
        "inertia": chosen.get("inertia"),
        "mean_ari": card.stability.get("mean_ari"),
        "rows_used": card.data.rows_used,
    }
