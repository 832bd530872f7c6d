"""Helpers for the Spark tests (not fixtures)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def random_customers(n: int, seed: int) -> pd.DataFrame:
    """Plausible new customers (canonical columns), some well outside the training ranges."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "customer_id": np.arange(1, n + 1),
            "gender": np.where(rng.random(n) < 0.5, "Female", "Male"),
            "age": rng.integers(15, 95, n).astype("int64"),
            "annual_income": rng.uniform(0, 250, n).round(1),
            "spending_score": rng.integers(1, 101, n).astype("int64"),
        }
    )


def assert_same_rows(expected: pd.DataFrame, actual: pd.DataFrame) -> None:
    """Two cleaned tables hold the same rows, columns and kinds of columns (integer or not)."""
    assert list(actual.columns) == list(expected.columns)
    assert len(actual) == len(expected)
    for column in expected.columns:
        if pd.api.types.is_numeric_dtype(expected[column]) and not pd.api.types.is_integer_dtype(expected[column]):
            np.testing.assert_allclose(actual[column].to_numpy(float), expected[column].to_numpy(float), rtol=1e-12)
        else:
            assert actual[column].astype(str).tolist() == expected[column].astype(str).tolist(), column
        assert pd.api.types.is_integer_dtype(actual[column]) == pd.api.types.is_integer_dtype(expected[column]), column
