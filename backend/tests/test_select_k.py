"""Model behaviour: the silhouette method recovers a known number of segments."""

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from customer_segmentation.errors import ConfigError, DataError
from customer_segmentation.modeling.select_k import KScore, SweepSettings, k_candidates, select_k
from customer_segmentation.pipeline import RunConfig, train


@pytest.mark.parametrize("true_k", [3, 5])
def test_recovers_true_k_on_separated_blobs(blobs_frame, true_k: int) -> None:
    data = blobs_frame(true_k, n_per=50, seed=true_k)
    result = train(data.drop(columns=["true_group"]), RunConfig(bootstrap_resamples=5))
    assert result.selection.chosen_k == true_k
    assert adjusted_rand_score(data["true_group"], result.labels) == pytest.approx(1.0)
    assert result.stability.mean_ari > 0.95


def test_pinned_k_is_used_but_every_score_is_reported(blobs_frame) -> None:
    data = blobs_frame(3, n_per=40).drop(columns=["true_group"])
    result = train(data, RunConfig(sweep=SweepSettings(pinned_k=4), bootstrap_resamples=3))
    assert result.selection.chosen_k == 4
    assert result.selection.best_k == 3
    assert [s.k for s in result.selection.scores] == list(range(2, 11))
    assert "pinned" in result.selection.reason


def test_ties_go_to_the_smaller_k(monkeypatch) -> None:
    import customer_segmentation.modeling.select_k as module

    monkeypatch.setattr(module, "silhouette_score", lambda x, labels, **kw: 0.5)
    x = np.random.default_rng(0).normal(size=(60, 3))
    assert select_k(x, SweepSettings(k_min=3, k_max=6)).chosen_k == 3


def test_k_range_validation() -> None:
    with pytest.raises(ConfigError, match="k-min"):
        k_candidates(SweepSettings(k_min=1), 100)
    with pytest.raises(ConfigError, match="k-max"):
        k_candidates(SweepSettings(k_min=5, k_max=3), 100)
    with pytest.raises(DataError, match="only 3 usable rows"):
        k_candidates(SweepSettings(k_min=4, k_max=6), 3)
    assert k_candidates(SweepSettings(k_min=2, k_max=10), 5) == [2, 3, 4]


def test_identical_customers_cannot_be_segmented() -> None:
    x = np.ones((20, 3))
    with pytest.raises(DataError, match="distinct customers"):
        select_k(x, SweepSettings())


def test_score_record_shape() -> None:
    x = np.random.default_rng(1).normal(size=(80, 2))
    selection = select_k(x, SweepSettings(k_min=2, k_max=4))
    assert all(isinstance(s, KScore) for s in selection.scores)
    assert selection.estimator.method == "exact"
    assert selection.estimator.sweep_rows == 80


def test_pinned_k_outside_the_range_does_not_change_the_silhouette_choice(blobs_frame) -> None:
    data = blobs_frame(3, n_per=40).drop(columns=["true_group"])
    result = train(data, RunConfig(sweep=SweepSettings(k_min=2, k_max=2, pinned_k=3), bootstrap_resamples=2))
    assert result.selection.chosen_k == 3
    assert result.selection.best_k == 2  # the only k of the requested range
    assert "would pick k=2" in result.selection.reason
