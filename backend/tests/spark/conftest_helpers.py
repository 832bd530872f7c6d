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
