"""Model behaviour: stability for every k, Hennig's clusterwise Jaccard, and the words for them."""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs

from customer_segmentation.modeling.segment_stability import (
    clusterwise_jaccard,
    describe_ari,
    per_k_stability,
    stability_words,
)
from customer_segmentation.modeling.stability import bootstrap_stability


def separated(k: int, n: int = 240) -> tuple[np.ndarray, np.ndarray]:
    x, truth = make_blobs(n_samples=n, centers=k, n_features=3, cluster_std=0.5, random_state=0)
    return x, truth


def kmeans(k: int, n_init: int = 3) -> Callable[[int], KMeans]:
    return lambda seed: KMeans(n_clusters=k, n_init=n_init, random_state=seed)


@pytest.mark.parametrize(
    ("value", "measure", "words"),
    [
        (0.85, "jaccard", "highly stable"),
        (0.849, "jaccard", "stable"),
        (0.75, "jaccard", "stable"),
        (0.749, "jaccard", "a pattern"),
        (0.60, "jaccard", "a pattern"),
        (0.599, "jaccard", "dissolved"),
        (0.90, "ari", "very stable"),
        (0.899, "ari", "stable"),
        (0.80, "ari", "stable"),
        (0.70, "ari", "moderately stable"),
        (0.643, "ari", "unstable"),
    ],
)
def test_words_follow_the_published_thresholds(value: float, measure: str, words: str) -> None:
    assert stability_words(value, measure) == words  # type: ignore[arg-type]


def test_words_refuse_a_missing_value() -> None:
    with pytest.raises(ValueError, match="finite"):
        stability_words(float("nan"))


def test_the_worst_resample_is_never_hidden_behind_a_good_mean() -> None:
    sentence = describe_ari(0.928, 0.643, 20)
    assert "very stable on average" in sentence
    assert "worst refit scored only 0.64 (unstable)" in sentence
    assert "even the worst refit scored 0.93" in describe_ari(0.95, 0.93, 20)


def test_jaccard_is_near_one_on_well_separated_blobs() -> None:
    x, truth = separated(4)
    result = clusterwise_jaccard(x, truth, kmeans(4), resamples=20, random_state=0)
    assert [s.segment for s in result.segments] == [0, 1, 2, 3]
    assert sum(s.size for s in result.segments) == len(x)
    for segment in result.segments:
        assert segment.mean_jaccard > 0.98
        assert segment.reading == "highly stable"
        assert (segment.dissolved, segment.recovered) == (0, 20)


def test_jaccard_is_low_on_uniform_noise() -> None:
    x = np.random.default_rng(0).uniform(size=(300, 3))
    labels = KMeans(n_clusters=5, n_init=10, random_state=0).fit_predict(x)
    result = clusterwise_jaccard(x, labels, kmeans(5), resamples=30, random_state=0)
    means = [s.mean_jaccard for s in result.segments]
    assert np.mean(means) < 0.75
    assert min(means) < 0.6
    assert any(s.reading == "dissolved" for s in result.segments)
    assert sum(s.dissolved for s in result.segments) > 0


def test_jaccard_keeps_the_callers_segment_ids_and_samples_large_data() -> None:
    x, truth = separated(3, n=600)
    ids = np.array([10, 20, 30])[truth]
    result = clusterwise_jaccard(x, ids, kmeans(3), resamples=3, random_state=1, max_rows=200)
    assert [s.segment for s in result.segments] == [10, 20, 30]
    assert result.rows == 200 and sum(s.size for s in result.segments) == 200
    assert result == clusterwise_jaccard(x, ids, kmeans(3), resamples=3, random_state=1, max_rows=200)


def test_every_k_gets_a_stability_and_the_true_k_is_the_most_stable() -> None:
    x, _ = separated(3, n=150)
    result = per_k_stability(x, [2, 3, 4, 5], resamples=8, n_init=3, random_state=0)
    assert [s.k for s in result.scores] == [2, 3, 4, 5]
    best = result.score_for(3)
    assert best.mean_ari > 0.99 and best.reading == "very stable"
    assert best.mean_ari > max(s.mean_ari for s in result.scores if s.k in (4, 5))
    for score in result.scores:
        assert score.min_ari <= score.mean_ari
        assert score.worst_reading == stability_words(score.min_ari, "ari")


def test_given_models_are_the_references_and_the_numbers_are_bootstrap_stabilitys() -> None:
    x, _ = separated(3, n=150)
    reference = KMeans(n_clusters=4, n_init=5, random_state=7).fit(x)
    result = per_k_stability(x, [4], fitted={4: reference}, resamples=6, n_init=2, random_state=3)
    expected = bootstrap_stability(x, reference, resamples=6, n_init=2, random_state=3)
    score = result.score_for(4)
    assert (score.mean_ari, score.min_ari, score.std_ari) == (expected.mean_ari, expected.min_ari, expected.std_ari)


def test_results_are_json_ready() -> None:
    x, truth = separated(3, n=90)
    results = (
        per_k_stability(x, [2, 3], resamples=2, n_init=1),
        clusterwise_jaccard(x, truth, kmeans(3, 1), resamples=2),
    )
    for result in results:
        assert json.loads(json.dumps(result.to_dict(), allow_nan=False)) == result.to_dict()
