"""What lives across runs: customer history, user renames by lineage, lineage rules, retired ids."""

from __future__ import annotations

import dataclasses

import pytest

from customer_segmentation.store import (
    LineageError,
    RunSummary,
    Store,
    UnknownSegmentError,
    lineage_for,
    schema_hash,
)

from .factories import cycling_memberships, make_memberships, make_run, make_segments


def test_a_customers_history_across_three_runs_newest_first(store: Store) -> None:
    first = store.record_run(make_run("v1", day=0), make_segments([0, 1, 2]), make_memberships(["a", "b"], [0, 1]))
    second = store.record_run(
        make_run("v2", day=1, parent=first.run), make_segments([0, 1, 2]), make_memberships(["a", "c"], [2, 2])
    )
    store.record_run(
        make_run("v3", day=2, parent=second.run), make_segments([0, 1, 2]), make_memberships(["a", "b"], [1, 0])
    )

    history = store.customer_history("a")
    assert [(h.model_version, h.segment_id, h.segment_name) for h in history] == [
        ("v3", 1, "Segment 1"),
        ("v2", 2, "Segment 2"),
        ("v1", 0, "Segment 0"),
    ]
    assert [h.model_version for h in store.customer_history("b")] == ["v3", "v1"]  # absent from v2
    assert store.customer_history("nobody") == []


def test_a_rename_survives_a_new_run_of_the_same_lineage(store: Store) -> None:
    first = store.record_run(make_run("v1"), make_segments([0, 1, 2]), cycling_memberships(6, [0, 1, 2]))
    label = store.rename_segment("v1", 2, name="  Big spenders ", action="VIP evening")
    assert (label.user_name, label.user_action) == ("Big spenders", "VIP evening")

    second = store.record_run(
        make_run("v2", day=1, k=4, parent=first.run), make_segments([0, 1, 2, 3]), cycling_memberships(8, [0, 1, 2, 3])
    )
    assert second.run.lineage_id == "v1"
    renamed = {s.segment_id: (s.name, s.action) for s in second.segments}
    assert renamed[2] == ("Big spenders", "VIP evening")
    assert renamed[3] == ("Segment 3", "Action 3")
    assert [h.segment_name for h in store.customer_history("C2")] == ["Big spenders", "Big spenders"]
    assert set(store.segment_labels("v1")) == {2}


def test_a_rename_keeps_what_is_not_given_and_clears_with_an_empty_string(store: Store) -> None:
    store.record_run(make_run("v1"), make_segments([0, 1, 2]), cycling_memberships(3, [0, 1, 2]))
    store.rename_segment("v1", 1, name="Savers", action="Bundles")
    assert store.rename_segment("v1", 1, action="Coupons").user_name == "Savers"
    cleared = store.rename_segment("v1", 1, name="")
    assert (cleared.user_name, cleared.user_action) == (None, "Coupons")
    assert store.run("v1").segments[1].name == "Segment 1"  # type: ignore[union-attr]


def test_only_segments_of_the_lineages_latest_run_can_be_renamed(store: Store) -> None:
    first = store.record_run(make_run("v1"), make_segments([0, 1, 2]), cycling_memberships(3, [0, 1, 2]))
    store.record_run(
        make_run("v2", day=1, parent=first.run),
        make_segments([0, 1, 3]),
        cycling_memberships(3, [0, 1, 3]),
        retired=[2],
    )
    with pytest.raises(UnknownSegmentError):
        store.rename_segment("v1", 2, name="Gone")
    with pytest.raises(UnknownSegmentError):
        store.rename_segment("no-such-lineage", 0, name="x")
    assert store.segment_labels("v1") == {}


def test_a_new_feature_schema_starts_a_new_lineage(store: Store) -> None:
    first = store.record_run(make_run("v1"), make_segments([0, 1, 2]), cycling_memberships(3, [0, 1, 2]))
    store.rename_segment("v1", 0, name="Kept in v1's lineage")
    two_features = ("annual_income", "spending_score")
    second = store.record_run(
        make_run("v2", day=1, k=2, parent=first.run, features=two_features),
        make_segments([0, 1]),
        cycling_memberships(4, [0, 1]),
    )

    assert second.run.lineage_id == "v2" != first.run.lineage_id
    assert second.run.parent_version == "v1"
    assert second.run.schema_hash == schema_hash(reversed(two_features))  # order does not matter
    assert second.segments[0].name == "Segment 0"  # v1's rename does not leak into another schema
    assert store.latest_run("v1").model_version == "v1"  # type: ignore[union-attr]
    assert [r.model_version for r in store.runs(lineage_id="v2")] == ["v2"]


def test_lineage_rules_are_enforced(store: Store) -> None:
    first = store.record_run(make_run("v1"), make_segments([0, 1, 2]), cycling_memberships(3, [0, 1, 2]))
    same_schema_new_lineage = dataclasses.replace(make_run("v2", parent=first.run), lineage_id="v2")
    with pytest.raises(LineageError, match="continues lineage v1"):
        store.record_run(same_schema_new_lineage, make_segments([0, 1, 2]), cycling_memberships(3, [0, 1, 2]))
    other_schema_same_lineage = dataclasses.replace(make_run("v3", features=("age",)), lineage_id="v1")
    with pytest.raises(LineageError, match="another feature schema"):
        store.record_run(other_schema_same_lineage, make_segments([0, 1, 2]), cycling_memberships(3, [0, 1, 2]))
    assert [r.model_version for r in store.runs()] == ["v1"]


def test_lineage_for_follows_the_parent_only_with_the_same_schema() -> None:
    parent = make_run("p")
    summary = RunSummary(**{f: getattr(parent, f) for f in RunSummary.__dataclass_fields__})
    assert lineage_for("child", parent.schema_hash, summary) == "p"
    assert lineage_for("child", schema_hash(["age"]), summary) == "child"
    assert lineage_for("child", parent.schema_hash, None) == "child"


def test_retired_ids_are_recorded_counted_and_never_reused(store: Store) -> None:
    first = store.record_run(make_run("v1"), make_segments([0, 1, 2]), cycling_memberships(3, [0, 1, 2]))
    assert store.max_segment_id("v1") == 2
    second = store.record_run(
        make_run("v2", day=1, parent=first.run),
        make_segments([0, 1, 3]),
        cycling_memberships(3, [0, 1, 3]),
        retired=[2],
    )
    assert second.retired_segment_ids == (2,)
    assert [(r.segment_id, r.retired_in_version) for r in store.retired_segments("v1")] == [(2, "v2")]
    assert store.max_segment_id("v1") == 3
    assert store.max_segment_id("unknown") is None

    for segments, retired, message in [
        ([0, 1, 2], [3], "were retired and cannot return"),
        ([0, 1, 3], [2], "already retired"),
        ([0, 1, 3], [9], "never existed"),
    ]:
        with pytest.raises(LineageError, match=message):
            store.record_run(
                make_run("v3", day=2, parent=second.run),
                make_segments(segments),
                cycling_memberships(3, segments),
                retired=retired,
            )
    assert store.latest_run().model_version == "v2"  # type: ignore[union-attr]
