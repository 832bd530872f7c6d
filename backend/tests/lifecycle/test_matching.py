"""Segment identity across retraining: matched segments keep their id, new ones get fresh ids."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from customer_segmentation.lifecycle.matching import (
    MAX_CENTROID_DISTANCE,
    MIN_JACCARD,
    centroids_of,
    fresh_lineage,
    match_segments,
)

from .conftest import CENTRES, FEATURES, Run, customers, fit_run, group_of_segments, match, retrain_copy

# The parent's stable ids: not 0..k-1, as after a few retrains (ids 0, 2, 4, 5, 6, 9 were used before).
PARENT_IDS = [1, 3, 7, 8, 10]
MAX_ID_USED = 11


@pytest.fixture(scope="module")
def parent() -> Run:
    return fit_run(customers(CENTRES), k=5, seed=0)


def expected_ids(parent: Run, new: Run) -> dict[int, int]:
    """Ground truth: a new segment should carry the stable id of the parent segment with its true group."""
    parent_id_of_group = {g: PARENT_IDS[c] for c, g in group_of_segments(parent).items()}
    return {c: parent_id_of_group[g] for c, g in group_of_segments(new).items()}


@pytest.mark.parametrize("with_members", [True, False], ids=["overlap", "centroid"])
def test_shuffled_rows_and_5_percent_fewer_customers_keep_every_id(parent: Run, with_members: bool) -> None:
    new = fit_run(retrain_copy(parent.frame), k=5, seed=123)
    result = match(parent, PARENT_IDS, new, MAX_ID_USED, with_members=with_members)
    assert result.method == ("overlap" if with_members else "centroid")
    assert result.id_map == expected_ids(parent, new)
    assert (result.new_ids, result.retired_ids) == ((), ())
    assert all(p.matched for p in result.pairs)
    assert result.max_id_used == MAX_ID_USED
    if with_members:
        assert result.shared_fraction == 1.0 and result.shared_customers == len(new.frame)
        assert min(p.jaccard or 0.0 for p in result.pairs) > 0.9
    assert all(p.distance is not None and p.distance < MAX_CENTROID_DISTANCE for p in result.pairs)


@pytest.mark.parametrize("with_members", [True, False], ids=["overlap", "centroid"])
def test_matching_does_not_depend_on_the_new_runs_label_order(parent: Run, with_members: bool) -> None:
    # Two groups of newcomers: the order in which fresh ids are handed out must not depend on labels either.
    extra = customers(np.array([[70.0, 60.0, 50.0], [20.0, 140.0, 50.0]]), n_per=80, seed=5, first_id=9001)
    new = fit_run(pd.concat([retrain_copy(parent.frame), extra]), k=7, seed=4)
    shared_space = parent.scaler.transform(new.frame[FEATURES])
    members = pd.Series(new.labels, index=new.frame.index)
    parent_members = parent.members(np.asarray(PARENT_IDS)) if with_members else None

    def stable_id_per_customer(permutation: np.ndarray) -> pd.Series:
        labels = permutation[new.labels]  # local segment c is called permutation[c]
        result = match_segments(
            parent_ids=PARENT_IDS,
            parent_centroids=parent.model.cluster_centers_,
            new_centroids=centroids_of(shared_space, labels, 7),
            max_id_used=MAX_ID_USED,
            parent_members=parent_members,
            new_members=members.map(dict(enumerate(permutation))) if with_members else None,
        )
        return pd.Series(np.asarray(result.stable_ids)[labels], index=new.frame.index)

    reference = stable_id_per_customer(np.arange(7))
    assert sorted(reference.unique()) == [*PARENT_IDS, MAX_ID_USED + 1, MAX_ID_USED + 2]
    for seed in range(3):
        permutation = np.random.default_rng(seed).permutation(7)
        pd.testing.assert_series_equal(stable_id_per_customer(permutation), reference)


@pytest.mark.parametrize("with_members", [True, False], ids=["overlap", "centroid"])
def test_a_genuinely_new_group_gets_an_id_never_used_before(parent: Run, with_members: bool) -> None:
    newcomers = customers(np.array([[70.0, 60.0, 50.0]]), n_per=80, seed=5, first_id=9001)
    new = fit_run(pd.concat([retrain_copy(parent.frame), newcomers]), k=6, seed=4)
    result = match(parent, PARENT_IDS, new, MAX_ID_USED, with_members=with_members)
    newcomer_segment = int(pd.Series(new.labels[-80:]).mode()[0])
    assert result.new_ids == (MAX_ID_USED + 1,)
    assert result.id_map[newcomer_segment] == MAX_ID_USED + 1
    assert not result.pairs[newcomer_segment].matched
    assert result.retired_ids == ()
    assert result.max_id_used == MAX_ID_USED + 1
    assert sorted(result.stable_ids) == [*PARENT_IDS, MAX_ID_USED + 1]


@pytest.mark.parametrize("with_members", [True, False], ids=["overlap", "centroid"])
def test_a_group_that_disappears_is_retired(parent: Run, with_members: bool) -> None:
    gone = group_of_segments(parent)[2]  # the group of the parent segment with stable id PARENT_IDS[2]
    frame = retrain_copy(parent.frame)
    new = fit_run(frame[frame["group"] != gone], k=4, seed=9)
    result = match(parent, PARENT_IDS, new, MAX_ID_USED, with_members=with_members)
    assert result.retired_ids == (PARENT_IDS[2],)
    assert result.new_ids == ()
    assert sorted(result.stable_ids) == sorted(set(PARENT_IDS) - {PARENT_IDS[2]})


@pytest.mark.parametrize("with_members", [True, False], ids=["overlap", "centroid"])
def test_a_group_replaced_by_one_elsewhere_is_new_not_forced_onto_the_old_id(parent: Run, with_members: bool) -> None:
    gone = group_of_segments(parent)[4]
    frame = retrain_copy(parent.frame)
    newcomers = customers(np.array([[70.0, 60.0, 50.0]]), n_per=80, seed=5, first_id=9001)
    new = fit_run(pd.concat([frame[frame["group"] != gone], newcomers]), k=5, seed=3)  # same k as the parent
    result = match(parent, PARENT_IDS, new, MAX_ID_USED, with_members=with_members)
    assert result.retired_ids == (PARENT_IDS[4],)
    assert result.new_ids == (MAX_ID_USED + 1,)
    newcomer_segment = int(pd.Series(new.labels[-80:]).mode()[0])
    assert result.id_map[newcomer_segment] == MAX_ID_USED + 1


def test_a_segment_that_kept_less_than_half_its_customers_is_new_and_the_old_one_retired() -> None:
    # Parent segments 0, 1, 2 (100 customers each). In the new run segment 2's customers scatter: 40 join
    # 100 newcomers in new segment 2 (Jaccard 40/100 = 0.4 among shared customers), 60 join the others.
    parent_members = pd.Series(np.repeat([0, 1, 2], 100), index=[f"C{i}" for i in range(300)])
    scattered = np.concatenate([np.repeat([0, 1], 100), [2] * 40, [0] * 30, [1] * 30, [2] * 100])
    new_members = pd.Series(scattered, index=[f"C{i}" for i in range(300)] + [f"N{i}" for i in range(100)])
    centroids = np.array([[0.0, 0.0], [5.0, 0.0], [0.0, 5.0]])
    result = match_segments(
        parent_ids=[0, 1, 2],
        parent_centroids=centroids,
        new_centroids=centroids,
        max_id_used=2,
        parent_members=parent_members,
        new_members=new_members,
    )
    assert result.method == "overlap" and result.shared_fraction == 0.75
    assert result.pairs[2].jaccard == pytest.approx(0.4) and not result.pairs[2].matched
    assert (result.stable_ids, result.new_ids, result.retired_ids) == ((0, 1, 3), (3,), (2,))


def test_mostly_new_customers_are_matched_by_centroid(parent: Run) -> None:
    renamed = retrain_copy(parent.frame).rename(index=lambda i: f"N{i}")
    new = fit_run(pd.concat([renamed, parent.frame.iloc[:50]]), k=5, seed=2)
    result = match(parent, PARENT_IDS, new, MAX_ID_USED)
    assert result.method == "centroid" and result.threshold == MAX_CENTROID_DISTANCE
    assert result.shared_customers == 50 and result.shared_fraction < 0.5
    assert result.id_map == expected_ids(parent, new)


def test_a_split_segment_keeps_its_id_on_the_larger_half_only() -> None:
    # Parent: 2 segments by customer; new run: parent segment 0 split in two (70 / 30 customers).
    ids = [f"C{i}" for i in range(200)]
    parent_members = pd.Series([0] * 100 + [1] * 100, index=ids)
    new_members = pd.Series([0] * 70 + [1] * 30 + [2] * 100, index=ids)
    result = match_segments(
        parent_ids=[0, 1],
        parent_centroids=np.array([[0.0, 0.0], [5.0, 5.0]]),
        new_centroids=np.array([[-0.5, 0.0], [1.0, 0.5], [5.0, 5.0]]),
        max_id_used=1,
        parent_members=parent_members,
        new_members=new_members,
    )
    assert result.method == "overlap" and result.threshold == MIN_JACCARD
    assert result.stable_ids == (0, 2, 1)
    assert result.pairs[0].jaccard == pytest.approx(0.7)
    assert result.pairs[1].jaccard == pytest.approx(0.3) and result.pairs[1].parent_id == 0  # closest, unmatched


def test_fresh_lineage_numbers_from_the_next_unused_id() -> None:
    assert fresh_lineage(3).stable_ids == (0, 1, 2)
    later = fresh_lineage(2, max_id_used=9)
    assert (later.method, later.stable_ids, later.new_ids, later.max_id_used) == ("fresh", (10, 11), (10, 11), 11)


def test_inconsistent_inputs_are_refused() -> None:
    centroids = np.zeros((2, 3))
    with pytest.raises(ValueError, match="unique"):
        match_segments(parent_ids=[1, 1], parent_centroids=centroids, new_centroids=centroids, max_id_used=1)
    with pytest.raises(ValueError, match="same space"):
        match_segments(parent_ids=[0, 1], parent_centroids=centroids, new_centroids=np.zeros((2, 2)), max_id_used=1)
    with pytest.raises(ValueError, match=r"0\.\.2"):
        centroids_of(np.zeros((4, 2)), np.array([0, 0, 1, 1]), 3)


def test_to_dict_is_json_ready(parent: Run) -> None:
    result = match(parent, PARENT_IDS, fit_run(retrain_copy(parent.frame), k=5, seed=1), MAX_ID_USED)
    data = result.to_dict()
    assert json.loads(json.dumps(data, allow_nan=False)) == data
    assert data["stable_ids"] == list(result.stable_ids)


def test_mall_retrain_on_a_shuffled_copy_without_5_percent_keeps_every_id(mall_frame: pd.DataFrame) -> None:
    parent = fit_run(mall_frame, k=6, seed=42)
    new = fit_run(retrain_copy(mall_frame, seed=7), k=6, seed=42)
    ids = [0, 1, 2, 3, 4, 5]
    result = match(parent, ids, new, max_id_used=5)
    assert result.method == "overlap"
    assert (result.new_ids, result.retired_ids) == ((), ())
    # Every customer present in both runs keeps (almost always) the same stable id.
    old = parent.members(np.asarray(ids))
    renamed = pd.Series(np.asarray(result.stable_ids)[new.labels], index=new.frame.index)
    assert (old.loc[renamed.index] == renamed).mean() > 0.9
