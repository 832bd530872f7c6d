"""RFM names: from the vocabulary, by the rule table, never two segments with one name."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from customer_segmentation.transactions.naming import ACTIONS, GRID, VOCABULARY, name_segments, score

COLUMNS = ["recency_days", "frequency", "monetary"]


@pytest.fixture(scope="module")
def population() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 5_000
    return pd.DataFrame(
        {
            "recency_days": rng.integers(1, 374, n),
            "frequency": rng.geometric(0.3, n),
            "monetary": np.round(rng.lognormal(6, 1.2, n), 2),
        }
    )


def medians_at(population: pd.DataFrame, quantiles: dict[int, tuple[float, float, float]]) -> pd.DataFrame:
    """Segment medians placed at given population quantiles of (recency, frequency, monetary)."""
    rows = {s: [population[c].quantile(q) for c, q in zip(COLUMNS, qs, strict=True)] for s, qs in quantiles.items()}
    return pd.DataFrame.from_dict(rows, orient="index", columns=COLUMNS)


def test_scores_are_quintiles() -> None:
    population = np.arange(1, 101, dtype=float)
    assert [score(population, v) for v in (1, 21, 50.5, 80, 100)] == [1, 2, 3, 4, 5]
    assert score(population, 1, reverse=True) == 5  # recency: fewest days = best
    assert score(np.ones(10), 1.0) == 3  # all tied: the middle


def test_corners_of_the_table(population: pd.DataFrame) -> None:
    medians = medians_at(
        population,
        {
            0: (0.05, 0.95, 0.95),  # recent, frequent, big spenders
            1: (0.95, 0.05, 0.05),  # long gone, bought once, little
            2: (0.95, 0.95, 0.95),  # long gone, but were the best
            3: (0.05, 0.05, 0.05),  # just arrived, bought once
            4: (0.5, 0.7, 0.7),  # middling recency, solid buying
        },
    )
    names = {n.segment: n for n in name_segments(medians, population)}
    assert [names[s].name for s in range(5)] == ["Champions", "Lost", "Can't lose them", "New", "Loyal"]
    assert (names[0].r, names[1].r) == (5, 1)
    assert names[0].action == ACTIONS["Champions"] and "Win back" in names[2].action


def test_shared_names_are_qualified(population: pd.DataFrame) -> None:
    medians = medians_at(population, {7: (0.9, 0.5, 0.45), 8: (0.9, 0.5, 0.55), 9: (0.05, 0.9, 0.9)})
    names = {n.segment: n.name for n in name_segments(medians, population)}
    assert names == {7: "At risk (lower spend)", 8: "At risk (higher spend)", 9: "Champions"}


def test_three_sharing_a_name(population: pd.DataFrame) -> None:
    medians = medians_at(population, {1: (0.1, 0.95, 0.85), 2: (0.1, 0.95, 0.92), 3: (0.1, 0.95, 0.99)})
    names = [n.name for n in name_segments(medians, population)]
    assert names == ["Champions (lowest spend)", "Champions (spend rank 2 of 3)", "Champions (highest spend)"]


def test_every_cell_of_the_table_is_in_the_vocabulary() -> None:
    assert {name for row in GRID for name in row} == set(VOCABULARY) == set(ACTIONS)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(*[st.floats(0.0, 1.0)] * 3), min_size=1, max_size=12))
def test_names_are_distinct_and_from_the_vocabulary(quantiles: list[tuple[float, float, float]]) -> None:
    rng = np.random.default_rng(0)
    population = pd.DataFrame(
        {
            "recency_days": rng.integers(1, 300, 500),
            "frequency": rng.integers(1, 30, 500),
            "monetary": rng.gamma(2, 300, 500),
        }
    )
    medians = medians_at(population, dict(enumerate(quantiles)))
    named = name_segments(medians, population)
    assert [n.segment for n in named] == list(medians.index)
    assert len({n.name for n in named}) == len(named)
    assert all(n.base in VOCABULARY and n.name.startswith(n.base) for n in named)
    assert all(1 <= s <= 5 for n in named for s in (n.r, n.f, n.m, n.fm))
