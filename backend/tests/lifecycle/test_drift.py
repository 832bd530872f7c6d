"""Drift: the population stability index of features and of segment shares."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from customer_segmentation.lifecycle.drift import (
    EPSILON,
    categorical_psi,
    drift_report,
    numeric_psi,
    psi_flag,
)


def population(n: int = 2_000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "age": rng.integers(18, 70, n),  # integers: repeated quantiles
            "annual_income": rng.lognormal(4, 0.4, n),
            "gender": rng.choice(["Female", "Male"], n),
        }
    )


def test_identical_data_has_zero_psi() -> None:
    data = population()
    report = drift_report(data, data.sample(frac=1.0, random_state=1), ["age", "annual_income", "gender"])
    assert [f.kind for f in report.features] == ["numeric", "numeric", "categorical"]
    for feature in report.features:
        assert feature.psi == pytest.approx(0.0, abs=1e-12)
        assert feature.flag == "stable"


def test_another_sample_of_the_same_population_is_stable() -> None:
    report = drift_report(population(seed=0), population(seed=1), ["age", "annual_income", "gender"])
    assert all(f.psi < 0.1 for f in report.features)
    assert report.shifted == ()


def test_a_shifted_feature_is_a_major_shift_and_only_that_one() -> None:
    parent, new = population(seed=0), population(seed=1)
    new["annual_income"] = new["annual_income"] * 1.5  # about one standard deviation of log income
    report = drift_report(parent, new, ["age", "annual_income", "gender"])
    assert report.feature("annual_income").psi > 0.25
    assert report.shifted == ("annual_income",)


def test_a_small_shift_is_moderate_and_psi_grows_with_the_shift() -> None:
    base = np.random.default_rng(0).normal(size=5_000)
    values = [numeric_psi(base, base + shift).psi for shift in (0.0, 0.2, 0.4, 0.8)]
    assert values == sorted(values) and values[0] == 0.0
    assert psi_flag(numeric_psi(base, base + 0.4).psi) == "moderate"


def test_flags_follow_the_thresholds() -> None:
    assert [psi_flag(v) for v in (0.0, 0.099, 0.1, 0.25, 0.2501)] == [
        "stable",
        "stable",
        "moderate",
        "moderate",
        "major shift",
    ]


def test_deciles_of_the_parent_define_the_bins() -> None:
    result = numeric_psi(np.arange(100.0), np.arange(100.0), name="x")
    assert len(result.bins) == 10 and result.bins[0].startswith("< ") and result.bins[-1].startswith("≥ ")
    assert result.expected == pytest.approx([0.1] * 10)
    tied = numeric_psi(np.repeat([1.0, 2.0, 3.0], 50), np.repeat([1.0, 2.0, 3.0], 50))
    assert len(tied.bins) <= 4 and tied.psi == 0.0


def test_the_bins_are_the_parents_not_the_new_datas() -> None:
    result = numeric_psi(np.arange(100.0), np.arange(100.0) + 1_000)
    assert result.expected == pytest.approx([0.1] * 10)
    assert result.actual == pytest.approx([0.0] * 9 + [1.0])  # every new value beyond the parent's top decile


def test_a_level_unseen_in_the_parent_is_finite_and_flagged() -> None:
    parent = ["A"] * 500 + ["B"] * 500
    new = ["A"] * 475 + ["B"] * 475 + ["C"] * 50  # 5 % in a level the parent never had
    result = categorical_psi(parent, new, name="channel")
    assert result.bins == ("A", "B", "C") and result.expected[2] == 0.0
    expected = sum((a - e) * np.log(a / e) for e, a in ((0.5, 0.475), (0.5, 0.475), (EPSILON, 0.05)))
    assert result.psi == pytest.approx(expected)
    assert np.isfinite(result.psi) and result.flag == "major shift"


def test_segment_shares_are_compared_and_a_retired_segment_shows() -> None:
    data = population(n=300)
    same = drift_report(data, data, ["age"], parent_segments=[1, 2, 3] * 100, new_segments=[3, 2, 1] * 100)
    assert same.segments is not None and same.segments.psi == pytest.approx(0.0, abs=1e-12)
    moved = drift_report(data, data, ["age"], parent_segments=[1, 2, 3] * 100, new_segments=[1, 2, 4] * 100)
    assert moved.segments is not None and moved.segments.kind == "segment"
    assert moved.segments.bins == ("1", "2", "3", "4") and moved.segments.flag == "major shift"


def test_missing_feature_is_refused_and_report_is_json_ready() -> None:
    data = population(n=100)
    with pytest.raises(ValueError, match="missing"):
        drift_report(data, data.drop(columns=["age"]), ["age"])
    report = drift_report(data, data, ["age", "gender"], parent_segments=[0] * 100, new_segments=[0] * 100)
    assert json.loads(json.dumps(report.to_dict(), allow_nan=False)) == report.to_dict()
