"""The large-data strategy (subsample sweep + simplified silhouette + one seeded full fit) agrees
with the exact one where both can run, says what it did, and writes large outputs efficiently."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score, silhouette_samples

from customer_segmentation import artifact_layout, artifacts, pipeline
from customer_segmentation.card_builder import build_card
from customer_segmentation.config import ArtifactPaths, Settings
from customer_segmentation.modeling.select_k import SweepSettings, select_k, simplified_silhouette
from customer_segmentation.pipeline import RunConfig, run, train
from customer_segmentation.synth import generate, write_table

#: Force the large path on a few thousand rows: sweep on 1 500 rows, score on 3 samples of 2 000.
LARGE = SweepSettings(exact_max_rows=500, sweep_rows=1_500, silhouette_sample=2_000, seeds=3)


def _x(frame: pd.DataFrame) -> np.ndarray:
    values = frame[["age", "annual_income", "spending_score"]].to_numpy(dtype="float64")
    return (values - values.mean(axis=0)) / values.std(axis=0)


@pytest.mark.parametrize("seed", [1, 2])
def test_large_strategy_picks_the_exact_k_on_the_synthetic_mixture(seed: int) -> None:
    x = _x(generate(3_000, seed=seed))
    exact = select_k(x, replace(LARGE, exact_max_rows=10_000))
    large = select_k(x, LARGE)
    assert exact.estimator.method == "exact" and large.estimator.method == "simplified"
    assert large.chosen_k == exact.chosen_k


@pytest.mark.parametrize("true_k", [3, 5])
def test_large_strategy_recovers_blobs_through_the_whole_training(blobs_frame, true_k: int) -> None:
    data = blobs_frame(true_k, n_per=400, seed=true_k)
    config = RunConfig(sweep=replace(LARGE, exact_max_rows=300), bootstrap_resamples=3)
    result = train(data.drop(columns=["true_group"]), config)
    assert result.selection.estimator.method == "simplified"
    assert result.selection.chosen_k == true_k
    assert adjusted_rand_score(data["true_group"], result.labels) == pytest.approx(1.0)


def test_estimator_is_described_with_rows_and_spread() -> None:
    x = _x(generate(3_000, seed=4))
    selection = select_k(x, LARGE)
    est = selection.estimator
    assert (est.sweep_rows, est.scored_rows, est.seeds) == (1_500, 2_000, 3)
    assert "simplified silhouette" in est.description and "1500 of 3000 rows" in est.description
    assert all(s.silhouette_std > 0 for s in selection.scores)  # three different samples differ
    assert selection.sweep_index is not None and len(selection.sweep_index) == 1_500


def test_simplified_silhouette_matches_its_definition() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3))
    centers = rng.normal(size=(4, 3))
    d = np.linalg.norm(x[:, None, :] - centers[None, :, :], axis=2)
    d.sort(axis=1)
    expected = np.mean((d[:, 1] - d[:, 0]) / d[:, 1])
    assert simplified_silhouette(x, centers) == pytest.approx(expected, rel=1e-12)


def test_simplified_silhouette_ranks_k_like_the_exact_one() -> None:
    """Argmax over k of the simplified and the exact silhouette agree on the synthetic mixture."""
    from sklearn.cluster import KMeans

    x = _x(generate(2_000, seed=9))
    simple, exact = {}, {}
    for k in range(2, 9):
        model = KMeans(k, n_init=4, random_state=0).fit(x)
        simple[k] = simplified_silhouette(x, model.cluster_centers_)
        exact[k] = float(silhouette_samples(x, model.labels_).mean())
    assert max(simple, key=simple.get) == max(exact, key=exact.get)


def test_a_large_run_writes_parquet_and_a_slim_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(artifact_layout, "CSV_MAX_ROWS", 1_000)
    monkeypatch.setattr(pipeline, "PICKLED_LABELS_MAX_ROWS", 1_000)
    monkeypatch.setattr(pipeline, "SERVING_CALIBRATION_ROWS", 1_000)
    data = write_table(tmp_path / "in.csv", 3_000, seed=11, dirt=0.01)
    paths = ArtifactPaths(tmp_path / "out")
    stale = paths.clustered_csv
    stale.parent.mkdir(parents=True)
    stale.write_text("old small run\n")
    config = RunConfig(data=data, sweep=LARGE, bootstrap_resamples=3)
    result = run(config, Settings(artifacts_root=paths.root), paths=paths)

    clustered = pd.read_parquet(paths.clustered_parquet)
    assert len(clustered) == result.quality.rows_out
    assert (clustered["segment"].to_numpy() == result.labels).all()
    assert clustered["segment_name"].tolist() == [result.profiles[i].name for i in result.labels]
    assert not stale.exists() and not paths.preprocessed_csv.exists()
    assert build_card(result).outputs["clustered_data"] == "data/processed/clustered_data.parquet"
    loaded = artifacts.load_pipeline_trusted(paths)
    assert not hasattr(loaded.named_steps["kmeans"], "labels_")
    sample = result.clean.head(200)
    assert (loaded.predict(sample) == result.labels[:200]).all()
    card = artifacts.read_card(paths).model_dump(mode="json")
    assert card["k_selection"]["estimator"]["method"] == "simplified"
    summary = paths.summary.read_text()
    assert "simplified silhouette" in summary
