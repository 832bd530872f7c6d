"""Model behaviour and rules: how often each k wins under resampling, and the two k rules."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs
from sklearn.preprocessing import StandardScaler

from customer_segmentation.config import PROJECT_ROOT
from customer_segmentation.modeling.uncertainty import (
    EXACT_MAX_ROWS,
    UNCERTAIN_BELOW,
    KResampleScore,
    KWinFrequencies,
    choose_k,
    k_win_frequencies,
    wilson_interval,
)

MALL = Path(os.environ.get("MALL_DATA_MIRROR", PROJECT_ROOT.parent / "shared" / "data")) / "Mall_Customers.csv"


@pytest.fixture(scope="module")
def mall_x() -> np.ndarray:
    """The Mall data's three numeric features, standardised (read from the mirror, never committed)."""
    if not MALL.is_file():
        pytest.skip(f"Mall data not found at {MALL}")
    frame = pd.read_csv(MALL)
    return StandardScaler().fit_transform(frame[["Age", "Annual Income (k$)", "Spending Score (1-100)"]])


def blobs(k: int, n: int = 240, std: float = 0.6, seed: int = 0) -> np.ndarray:
    x, _ = make_blobs(n_samples=n, centers=k, n_features=3, cluster_std=std, center_box=(-10, 10), random_state=seed)
    return StandardScaler().fit_transform(x)


def table(rows: list[tuple[int, int, float | None, float | None]], resamples: int = 50) -> KWinFrequencies:
    """A hand-made resampling result: (k, wins, mean silhouette, standard error) per k."""
    scores = tuple(
        KResampleScore(k, wins, wins / resamples, resamples, mean, None if se is None else se / 2, se)
        for k, wins, mean, se in rows
    )
    return KWinFrequencies(scores, resamples, 0.8, 200, 160, 200, 200, 10, 42, "exact")


def test_win_counts_add_up_to_the_resamples() -> None:
    result = k_win_frequencies(blobs(4), range(2, 7), resamples=12, n_init=3, random_state=1)
    assert sum(s.wins for s in result.scores) == 12
    assert math.isclose(sum(s.frequency for s in result.scores), 1.0)
    assert [s.k for s in result.scores] == [2, 3, 4, 5, 6]
    assert all(s.scored == 12 for s in result.scores)
    assert result.subsample_rows == round(0.8 * 240)
    assert result.silhouette == "exact"


def test_separated_blobs_win_every_resample_and_the_choice_is_clear() -> None:
    result = k_win_frequencies(blobs(4), range(2, 8), resamples=10, n_init=3, random_state=3)
    assert result.score_for(4).wins == 10
    choice = choose_k("max", result)
    assert (choice.chosen_k, choice.uncertain, choice.frequency) == (4, False, 1.0)
    assert "the choice is clear" in choice.statement


def test_same_seed_same_result_and_the_largest_seed_does_not_overflow() -> None:
    x = blobs(3, n=120)
    first = k_win_frequencies(x, [2, 3, 4], resamples=5, n_init=2, random_state=2**32 - 1)
    again = k_win_frequencies(x, [2, 3, 4], resamples=5, n_init=2, random_state=2**32 - 1)
    assert first == again


def test_standard_error_is_the_delete_d_jackknife_of_the_spread() -> None:
    result = k_win_frequencies(blobs(3, std=2.5), [2, 3, 4], resamples=8, n_init=2, random_state=0)
    factor = math.sqrt(result.fraction / (1 - result.fraction))  # = 2 at 80 % subsamples
    assert result.se_rows == result.rows == 240
    for score in result.scores:
        assert score.sd_silhouette is not None and score.sd_silhouette > 0
        assert score.se_silhouette == pytest.approx(factor * score.sd_silhouette)


def test_standard_error_from_a_smaller_pool_is_scaled_to_the_rows_the_sweep_scored() -> None:
    result = k_win_frequencies(blobs(3, n=5_000, std=2.5), [2, 3], resamples=4, n_init=1, random_state=0)
    assert (result.rows, result.se_rows) == (1_250, 5_000)
    for score in result.scores:
        assert score.sd_silhouette is not None
        assert score.se_silhouette == pytest.approx(2 * score.sd_silhouette * (1_250 / 5_000) ** 0.5)


def test_one_se_picks_a_smaller_k_than_max_when_the_race_is_close() -> None:
    wins = table([(2, 0, 0.40, 0.02), (3, 10, 0.50, 0.02), (4, 30, 0.51, 0.02), (5, 10, 0.45, 0.02)])
    high = choose_k("max", wins)
    one_se = choose_k("one-se", wins)
    assert (high.chosen_k, high.one_se_k) == (4, 3)
    assert (one_se.chosen_k, one_se.max_k) == (3, 4)
    assert one_se.threshold == pytest.approx(0.49)
    assert one_se.uncertain  # k=3 won 10 of 50
    assert "the highest-silhouette rule would pick k=4" in one_se.statement


def test_max_ties_go_to_the_smaller_k_and_one_se_never_exceeds_max() -> None:
    wins = table([(2, 5, 0.30, 0.0), (3, 25, 0.50, 0.0), (4, 20, 0.50, 0.0)])
    choice = choose_k("max", wins)
    assert choice.chosen_k == choice.one_se_k == 3
    assert "the one-standard-error rule agrees" in choice.statement


def test_sweep_silhouettes_override_the_resample_means() -> None:
    wins = table([(2, 10, 0.60, 0.01), (3, 40, 0.50, 0.01)])
    assert choose_k("max", wins).chosen_k == 2
    assert choose_k("max", wins, {2: 0.40, 3: 0.55, 7: 0.99}).chosen_k == 3  # k=7 was not resampled


def test_statement_says_uncertain_names_the_other_winners_and_the_other_rule() -> None:
    wins = table(
        [(4, 0, 0.40, 0.02), (5, 8, 0.417, 0.02), (6, 26, 0.428, 0.021), (7, 9, 0.417, 0.02), (8, 7, 0.408, 0.02)]
    )
    choice = choose_k("max", wins)
    assert choice.uncertain and choice.frequency < UNCERTAIN_BELOW
    assert choice.other_winners == ((7, 9), (5, 8), (8, 7))
    assert choice.statement == (
        "k=6 won 26 of 50 resamples (52 %): the choice is uncertain; k=7 (9), k=5 (8) and k=8 (7) also win; "
        "the one-standard-error rule would pick k=5."
    )


def test_statement_when_the_chosen_k_never_wins() -> None:
    choice = choose_k("one-se", table([(2, 0, 0.49, 0.02), (3, 50, 0.50, 0.02)]))
    assert choice.chosen_k == 2 and choice.wins == 0
    assert "won 0 of 50 resamples (0 %): the choice is uncertain; k=3 (50) wins instead" in choice.statement


def test_a_share_just_above_the_bar_is_called_a_narrow_margin() -> None:
    narrow = choose_k("max", table([(5, 12, 0.40, 0.01), (6, 38, 0.45, 0.01)]))
    assert not narrow.uncertain
    assert narrow.frequency_interval[0] < UNCERTAIN_BELOW < narrow.frequency_interval[1]
    assert "clear by a narrow margin" in narrow.statement
    clear = choose_k("max", table([(5, 2, 0.40, 0.01), (6, 48, 0.45, 0.01)]))
    assert clear.frequency_interval[0] >= UNCERTAIN_BELOW
    assert "the choice is clear;" in clear.statement


def test_wilson_interval_contains_the_share_and_stays_in_bounds() -> None:
    for wins in (0, 1, 26, 49, 50):
        low, high = wilson_interval(wins, 50)
        assert 0.0 <= low <= wins / 50 <= high <= 1.0
    assert (
        wilson_interval(26, 50)[1] - wilson_interval(26, 50)[0]
        > wilson_interval(260, 500)[1] - wilson_interval(260, 500)[0]
    )


def test_resamples_use_the_sweeps_silhouette_on_a_bounded_number_of_rows() -> None:
    x = blobs(3, n=3_000)
    exact = k_win_frequencies(x, [2, 3], resamples=2, n_init=1, random_state=0)
    assert exact.silhouette == "exact"  # the sweep scores 3,000 rows exactly
    assert (exact.rows, exact.subsample_rows, exact.total_rows) == (1_250, EXACT_MAX_ROWS, 3_000)
    simplified = k_win_frequencies(x, [2, 3], resamples=2, n_init=1, silhouette="simplified", max_rows=2_000)
    assert (simplified.silhouette, simplified.rows, simplified.subsample_rows) == ("simplified", 2_000, 1_600)
    chosen = k_win_frequencies(
        x, [2, 3], resamples=2, n_init=1, silhouette="simplified", sample_index=np.arange(500), max_rows=2_000
    )
    assert chosen.rows == 500


def test_statement_says_how_small_the_resamples_are_when_the_data_was_sampled() -> None:
    whole = table([(2, 50, 0.5, 0.01)])
    assert "50 resamples (100 %)" in choose_k("max", whole).statement
    sampled = KWinFrequencies(whole.scores, 50, 0.8, 1_250, 1_000, 3_000, 3_000, 10, 42, "exact")
    assert "50 resamples of 1,000 customers (100 %)" in choose_k("max", sampled).statement


def test_invalid_arguments_are_refused() -> None:
    x = blobs(3, n=60)
    with pytest.raises(ValueError, match="fraction"):
        k_win_frequencies(x, [2, 3], fraction=1.0)
    with pytest.raises(ValueError, match="at least 2"):
        k_win_frequencies(x, [1, 2])
    with pytest.raises(ValueError, match="unknown k rule"):
        choose_k("median", table([(2, 50, 0.5, 0.01)]))  # type: ignore[arg-type]


def test_results_are_json_ready() -> None:
    wins = k_win_frequencies(blobs(3, n=90), [2, 3, 4], resamples=3, n_init=1, random_state=0)
    for result in (wins, choose_k("one-se", wins)):
        assert json.loads(json.dumps(result.to_dict(), allow_nan=False)) == result.to_dict()


def test_mall_k6_wins_most_resamples_but_not_all(mall_x: np.ndarray) -> None:
    result = k_win_frequencies(mall_x, range(2, 11), random_state=42)
    assert sum(s.wins for s in result.scores) == result.resamples == 50
    ranked = sorted(result.scores, key=lambda s: -s.wins)
    assert ranked[0].k == 6
    assert ranked[0].wins < 50 and sum(s.wins > 0 for s in result.scores) >= 3
    choice = choose_k("max", result)
    assert choice.chosen_k == 6 and choice.one_se_k <= 6
