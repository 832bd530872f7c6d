"""Recording and reading runs: order, round trips, and records refused before anything is written."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pandas as pd
import pytest

from customer_segmentation.store import (
    InvalidRecordError,
    RunExistsError,
    Store,
    UnknownRunError,
)

from .factories import T0, cycling_memberships, make_memberships, make_run, make_segments


def test_runs_are_listed_newest_first_with_paging(store: Store) -> None:
    # Recorded out of time order: the listing follows created_at, not insertion.
    for version, day in [("v-b", 1), ("v-a", 0), ("v-d", 3), ("v-c", 2)]:
        store.record_run(make_run(version, day=day), make_segments([0, 1, 2]), cycling_memberships(6, [0, 1, 2]))

    assert [r.model_version for r in store.runs()] == ["v-d", "v-c", "v-b", "v-a"]
    assert [r.model_version for r in store.runs(limit=2, offset=1)] == ["v-c", "v-b"]
    assert store.latest_run() is not None and store.latest_run().model_version == "v-d"  # type: ignore[union-attr]


def test_runs_recorded_at_the_same_instant_are_ordered_by_recording(store: Store) -> None:
    for version in ["first", "second", "third"]:
        run = dataclasses.replace(make_run(version), created_at=T0)
        store.record_run(run, make_segments([0, 1, 2]), cycling_memberships(3, [0, 1, 2]))
    assert [r.model_version for r in store.runs()] == ["third", "second", "first"]


def test_a_run_reads_back_as_recorded(store: Store) -> None:
    run = make_run("v1", day=4)
    segments = make_segments([0, 1, 2])
    detail = store.record_run(run, segments, make_memberships(["7", "8", "9", "10"], [2, 0, 1, 2]))

    assert detail == store.run("v1")
    assert detail.run.model_version == "v1"
    assert detail.run.created_at == run.created_at and detail.run.created_at.tzinfo is not None
    assert detail.run.scores == run.scores
    assert (detail.run.schema_hash, detail.run.lineage_id, detail.run.parent_version) == (run.schema_hash, "v1", None)
    assert [(s.segment_id, s.generated_name, s.size, s.centroid) for s in detail.segments] == [
        (s.segment_id, s.generated_name, s.size, s.centroid) for s in segments
    ]
    assert [s.name for s in detail.segments] == ["Segment 0", "Segment 1", "Segment 2"]
    members = store.memberships("v1")
    assert members.to_dict("list") == {"customer_id": ["10", "7", "8", "9"], "segment_id": [2, 2, 0, 1]}


def test_integer_customer_ids_are_stored_as_text(store: Store) -> None:
    frame = pd.DataFrame({"customer_id": [101, 102], "segment_id": [0, 1]})
    store.record_run(make_run("v1", k=2), make_segments([0, 1]), frame)
    assert [h.segment_id for h in store.customer_history("102")] == [1]


def test_unknown_runs(store: Store) -> None:
    assert store.run("nope") is None
    assert store.latest_run() is None
    assert store.runs() == []
    with pytest.raises(UnknownRunError):
        store.memberships("nope")


def test_a_version_is_recorded_once(store: Store) -> None:
    store.record_run(make_run("v1"), make_segments([0, 1, 2]), cycling_memberships(3, [0, 1, 2]))
    with pytest.raises(RunExistsError):
        store.record_run(make_run("v1", day=1), make_segments([0, 1, 2]), cycling_memberships(3, [0, 1, 2]))
    assert store.run("v1").run.created_at == T0  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("change", "memberships", "message"),
    [
        ({"k": 4}, cycling_memberships(3, [0, 1, 2]), "k = 4"),
        ({"created_at": datetime(2026, 1, 1)}, cycling_memberships(3, [0, 1, 2]), "timezone"),
        ({}, make_memberships(["a", "b"], [0, 5]), "segments [5]"),
        ({}, make_memberships(["a", "a"], [0, 1]), "'a' appears more than once"),
        ({}, pd.DataFrame({"customer_id": ["a"]}), "lack column"),
        ({}, pd.DataFrame({"customer_id": ["a"], "segment_id": [0.5]}), "integers"),
        ({}, pd.DataFrame({"customer_id": [None, "b"], "segment_id": [0, 1]}), "missing customer id"),
    ],
)
def test_inconsistent_records_are_refused_and_nothing_is_written(
    store: Store, change: dict[str, object], memberships: pd.DataFrame, message: str
) -> None:
    run = dataclasses.replace(make_run("v1"), **change)  # type: ignore[arg-type]
    with pytest.raises(InvalidRecordError, match=message.replace("[", r"\[")):
        store.record_run(run, make_segments([0, 1, 2]), memberships)
    assert store.runs() == []


def test_a_parent_must_be_recorded(store: Store) -> None:
    run = dataclasses.replace(make_run("v2"), parent_version="missing")
    with pytest.raises(UnknownRunError):
        store.record_run(run, make_segments([0, 1, 2]), cycling_memberships(3, [0, 1, 2]))
    assert store.runs() == []


def test_nan_scores_are_refused_on_every_backend(store: Store) -> None:
    run = dataclasses.replace(make_run("v1"), scores={"silhouette": float("nan")})
    with pytest.raises(ValueError, match="JSON"):
        store.record_run(run, make_segments([0, 1, 2]), cycling_memberships(3, [0, 1, 2]))
    assert store.runs() == []
