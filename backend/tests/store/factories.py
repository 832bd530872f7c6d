"""Small builders for the store's records: runs at fixed times, segments, membership frames.

Plain functions (no pytest), so the child process of the kill test can use them too.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from customer_segmentation.store import RunRecord, RunSummary, SegmentRecord, lineage_for, schema_hash

FEATURES = ("age", "annual_income", "spending_score")
T0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


def make_run(
    version: str,
    *,
    day: int = 0,
    k: int = 3,
    parent: RunSummary | None = None,
    features: tuple[str, ...] = FEATURES,
) -> RunRecord:
    """A run ``day`` days after T0, child of ``parent``, in the lineage the rules give it."""
    fingerprint = schema_hash(features)
    return RunRecord(
        model_version=version,
        created_at=T0 + timedelta(days=day),
        data_sha256=f"{day:064d}",
        k=k,
        schema_hash=fingerprint,
        lineage_id=lineage_for(version, fingerprint, parent),
        parent_version=None if parent is None else parent.model_version,
        scores={"silhouette": 0.4 + day / 100, "per_k": {"3": 0.4}},
        engine="scikit-learn",
        source_name="customers.csv",
    )


def make_segments(ids: list[int]) -> list[SegmentRecord]:
    return [
        SegmentRecord(
            segment_id=i,
            generated_name=f"Segment {i}",
            size=10,
            share=1 / len(ids),
            centroid={"age": 20.0 + i, "annual_income": 30.0 * (i + 1)},
            generated_action=f"Action {i}",
        )
        for i in ids
    ]


def make_memberships(customers: list[str], segments: list[int]) -> pd.DataFrame:
    return pd.DataFrame({"customer_id": customers, "segment_id": np.asarray(segments, dtype="int64")})


def cycling_memberships(n: int, segment_ids: list[int]) -> pd.DataFrame:
    """Customers ``C0``…``C<n-1>``, assigned to the segments in turn."""
    customers = [f"C{i}" for i in range(n)]
    return make_memberships(customers, np.resize(np.asarray(segment_ids), n).tolist())
