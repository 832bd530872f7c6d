"""A trained run renumbered with stable ids (with gaps) stays one consistent model: the pickled
pipeline, the serving spec, the labels, the profiles and the tables all speak the same ids."""

from __future__ import annotations

import io

import joblib
import numpy as np
import pytest

from customer_segmentation.api.services.model_store import serving_from_card
from customer_segmentation.card_builder import build_card
from customer_segmentation.lifecycle.relabel import apply_stable_ids
from customer_segmentation.modeling.select_k import SweepSettings
from customer_segmentation.pipeline import RunConfig, RunResult, train

from .conftest import CENTRES, customers

STABLE = (7, 0, 3, 9)  # training's segment i becomes STABLE[i]: a permutation with gaps


@pytest.fixture(scope="module")
def relabelled() -> tuple[RunResult, np.ndarray, list[str]]:
    frame = customers(CENTRES[:4], n_per=40).reset_index()
    config = RunConfig(sweep=SweepSettings(pinned_k=4), bootstrap_resamples=2)
    result = train(frame, config)
    before_labels = result.labels.copy()
    before_names = [p.name for p in result.profiles]
    apply_stable_ids(result, STABLE)
    return result, before_labels, before_names


def test_labels_profiles_and_tables_use_the_stable_ids(relabelled: tuple[RunResult, np.ndarray, list[str]]) -> None:
    result, before, names = relabelled
    assert result.labels.tolist() == np.asarray(STABLE)[before].tolist()
    assert [p.id for p in result.profiles] == sorted(STABLE)
    by_id = {STABLE[i]: name for i, name in enumerate(names)}
    assert {p.id: p.name for p in result.profiles} == by_id
    for profile in result.profiles:
        assert profile.size == int((result.labels == profile.id).sum())
    table = result.clustered_table()
    assert (table["segment_name"] == table["segment"].map(by_id)).all()
    categorical = result.clustered_table(categorical_names=True)
    assert (categorical["segment_name"].astype(str) == table["segment_name"]).all()
    assert sorted(s.segment for s in result.segment_stability.segments) == sorted(STABLE)
    assert set(np.unique(result.silhouette_detail.labels)) <= set(STABLE)


def test_the_model_predicts_stable_ids(relabelled: tuple[RunResult, np.ndarray, list[str]]) -> None:
    result, _, _ = relabelled
    pipeline = joblib.load(io.BytesIO(result.model_bytes))  # the re-serialised, permuted model
    rows = pipeline.predict(result.clean[list(result.features)])
    serving = result.serving
    assert serving.ids.tolist() == sorted(STABLE)
    assert serving.ids[rows].tolist() == result.labels.tolist()
    assert serving.predict(result.x).tolist() == result.labels.tolist()
    card = build_card(result)
    assert card.serving.segment_ids == sorted(STABLE)
    assert serving_from_card(card).predict(result.x).tolist() == result.labels.tolist()


def test_ids_must_be_unique_and_one_per_segment(relabelled: tuple[RunResult, np.ndarray, list[str]]) -> None:
    result, _, _ = relabelled
    for bad in [(0, 0, 1, 2), (0, 1, 2), (0, 1, 2, -1)]:
        with pytest.raises(ValueError, match="unique non-negative"):
            apply_stable_ids(result, bad)
