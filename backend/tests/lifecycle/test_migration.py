"""Migration: customers followed by id from their old stable segment to their new one."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from customer_segmentation.lifecycle.migration import migration_matrix


def test_small_case_counted_by_hand() -> None:
    old = pd.Series([1, 1, 1, 2, 2, 3], index=["a", "b", "c", "d", "e", "f"])
    new = pd.Series([1, 2, 2, 2, 4], index=["b", "a", "d", "e", "g"])  # c, f left; g arrived; 3 retired; 4 new
    result = migration_matrix(old, new)
    assert (result.old_segments, result.new_segments) == ((1, 2, 3), (1, 2, 4))
    assert result.counts == ((1, 1, 0), (0, 2, 0), (0, 0, 0))
    assert (result.in_both, result.stayed, result.only_old, result.only_new) == (4, 3, 2, 1)
    assert result.only_old_by_segment == (1, 0, 1)  # c from 1, f from 3
    assert result.only_new_by_segment == (0, 0, 1)  # g into 4
    shares = {s.segment_id: (s.old_share, s.new_share) for s in result.share_changes}
    assert shares == {1: (0.5, 0.2), 2: (2 / 6, 0.6), 3: (1 / 6, 0.0), 4: (0.0, 0.2)}
    assert result.count(1, 2) == 1


def test_every_customer_of_either_run_is_accounted_for_once() -> None:
    rng = np.random.default_rng(0)
    old = pd.Series(rng.integers(0, 5, 1_000), index=np.arange(1_000))
    kept = rng.choice(1_000, 930, replace=False)
    new = pd.Series(rng.integers(0, 6, 1_000), index=np.concatenate([kept, np.arange(2_000, 2_070)]))
    result = migration_matrix(old, new.sample(frac=1.0, random_state=1))
    assert sum(map(sum, result.counts)) == result.in_both == 930
    assert result.in_both + result.only_old == len(old)
    assert result.in_both + result.only_new == len(new)
    assert sum(result.only_old_by_segment) == result.only_old
    assert sum(result.only_new_by_segment) == result.only_new
    assert sum(s.change for s in result.share_changes) == pytest.approx(0.0)
    diagonal = sum(result.count(s, s) for s in set(result.old_segments) & set(result.new_segments))
    assert result.stayed == diagonal


def test_duplicate_customers_are_refused() -> None:
    with pytest.raises(ValueError, match="unique"):
        migration_matrix(pd.Series([1, 2], index=["a", "a"]), pd.Series([1], index=["a"]))


def test_to_dict_is_json_ready() -> None:
    result = migration_matrix(pd.Series([1, 2], index=[10, 11]), pd.Series([2, 2], index=[11, 12]))
    data = result.to_dict()
    assert json.loads(json.dumps(data, allow_nan=False)) == data
