"""A finished training run beside the model served when it finished: both segment lists, and — when
the two cluster the same features the same way — who moved where (``lifecycle.migration``).

Customers are followed by id (as text, surrounding blanks removed: the store's rule); a model whose
customers were numbered by row (``row_id``) has no ids to follow, unless both models were trained
on the same file (same SHA-256), where row numbers do name the same customers.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ...feature_schema import schema_hash
from ...lifecycle.migration import migration_matrix
from ...modeling.card import ModelCard
from .model_store import SEGMENT, ModelBundle


def _members(ids: pd.Series, segments: Any) -> pd.Series:
    index = pd.Index(ids.astype(str).str.strip())
    return pd.Series(pd.array(segments, dtype="int64"), index=index)


def _briefs(card: ModelCard) -> list[dict[str, Any]]:
    return [{"id": s.id, "name": s.name, "size": s.size, "share": s.share} for s in card.segments]


def compare_with_served(served: ModelBundle | None, card: ModelCard, ids: pd.Series, labels: Any) -> dict[str, Any]:
    """The comparison (``schemas.training.RunComparison``) of the new run — its ``card`` and each
    customer's id and segment — with the served model."""
    if served is None:
        return {
            "served_version": None,
            "served_k": None,
            "served_segments": [],
            "new_segments": _briefs(card),
            "same_schema": False,
            "migration": None,
            "note": "no model is served: nothing to compare with",
        }
    same = schema_hash(served.card.feature_schema) == schema_hash(card.feature_schema)
    answer: dict[str, Any] = {
        "served_version": served.model_version,
        "served_k": served.k,
        "served_segments": _briefs(served.card),
        "new_segments": _briefs(card),
        "same_schema": same,
        "migration": None,
    }
    same_file = served.card.data.sha256 == card.data.sha256
    followable = same_file or not (served.card.data.id_generated or card.data.id_generated)
    if not same:
        answer["note"] = "the features differ from the served model's: segments are shown side by side, no migration"
    elif served.customers is None:
        answer["note"] = f"the served customers are unavailable ({served.customers_problem}): no migration"
    elif not followable:
        answer["note"] = "customers are numbered by row in one of the two tables: they cannot be followed"
    else:
        frame = served.customers.frame
        old = _members(frame[served.card.data.id_column], frame[SEGMENT])
        new = _members(ids, labels)
        shared = old.index.intersection(new.index)
        if len(shared) == 0:
            answer["note"] = "no customer is in both tables: no migration"
        else:
            answer["migration"] = migration_matrix(old, new).to_dict()
            answer["note"] = f"{len(shared):,} customers are in both: rows are served segments, columns new ones"
    return answer
