"""Checks on a run's records before anything is written: a bad record fails fast, with a clear message,
instead of as a constraint violation half-way through a large write."""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .errors import InvalidRecordError
from .records import RunRecord, SegmentRecord

CUSTOMER_COLUMN = "customer_id"
SEGMENT_COLUMN = "segment_id"


def check_run(run: RunRecord, segments: Sequence[SegmentRecord], retired: Sequence[int]) -> None:
    """Raise InvalidRecordError unless the run and its segments agree with each other."""
    if run.created_at.tzinfo is None:
        raise InvalidRecordError("created_at must be timezone-aware")
    ids = [s.segment_id for s in segments]
    if not ids:
        raise InvalidRecordError("a run needs at least one segment")
    if len(set(ids)) != len(ids):
        raise InvalidRecordError(f"duplicate segment ids in {sorted(ids)}")
    if min(ids) < 0:
        raise InvalidRecordError("segment ids must be non-negative")
    if run.k != len(ids):
        raise InvalidRecordError(f"k = {run.k} but {len(ids)} segments were given")
    if run.parent_version == run.model_version:
        raise InvalidRecordError("a run cannot be its own parent")
    _check_json("scores", run.scores)
    for segment in segments:
        _check_json(f"segment {segment.segment_id}'s centroid", segment.centroid)
    both = set(ids) & set(retired)
    if both:
        raise InvalidRecordError(f"segments {sorted(both)} cannot be both in the run and retired by it")


def _check_json(what: str, value: object) -> None:
    """JSON columns hold strict JSON: no NaN or infinity (PostgreSQL refuses them, SQLite would not)."""
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise InvalidRecordError(f"{what}: cannot be stored as JSON ({error})") from None


def membership_columns(memberships: pd.DataFrame, segment_ids: set[int]) -> tuple[np.ndarray, np.ndarray]:
    """The customer ids (as text) and segment ids to write, after checking the frame.

    Each customer appears once; every segment id is one of the run's segments.
    """
    missing = {CUSTOMER_COLUMN, SEGMENT_COLUMN} - set(memberships.columns)
    if missing:
        raise InvalidRecordError(f"memberships lack column(s) {sorted(missing)}")
    customers = memberships[CUSTOMER_COLUMN]
    if customers.isna().any():
        raise InvalidRecordError("memberships contain a missing customer id")
    customer_text = customers.astype(str)
    if customer_text.duplicated().any():
        first = customer_text[customer_text.duplicated()].iloc[0]
        raise InvalidRecordError(f"customer {first!r} appears more than once in the memberships")
    segment = memberships[SEGMENT_COLUMN]
    if not pd.api.types.is_integer_dtype(segment.dtype):
        raise InvalidRecordError(f"segment ids must be integers, not {segment.dtype}")
    segment_values = segment.to_numpy(dtype=np.int64)
    unknown = set(np.unique(segment_values).tolist()) - segment_ids
    if unknown:
        raise InvalidRecordError(f"memberships refer to segments {sorted(unknown)} that the run does not have")
    return customer_text.to_numpy(dtype=object), segment_values
