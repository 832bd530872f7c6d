"""The API's fast path labels exactly as the persisted sklearn Pipeline does.

The API never unpickles; these tests do (via ``artifacts.load_pipeline_trusted``, which checks the hash) to
prove the card's serving spec is a faithful twin of ``pipeline.predict``.
"""

from __future__ import annotations

import io
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from customer_segmentation.api.schemas import CustomerIn
from customer_segmentation.api.services.feature_input import InputSpec, validate_records
from customer_segmentation.api.services.model_store import serving_from_card
from customer_segmentation.api.services.scoring import score_columns, score_scaled
from customer_segmentation.api.settings import ApiSettings
from customer_segmentation.artifacts import load_pipeline_trusted, read_card
from customer_segmentation.pipeline import RunResult

from .conftest import model_paths, serve


def random_customers(n: int, seed: int) -> pd.DataFrame:
    """Customers anywhere in the valid ranges (and far beyond the training data's spread)."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "gender": rng.choice(["Female", "Male"], n),
            "age": rng.uniform(0, 120, n).round(1),
            "annual_income": np.concatenate([rng.uniform(0, 200, n - n // 10), rng.uniform(0, 1_000_000, n // 10)]),
            "spending_score": rng.uniform(1, 100, n),
        }
    )


def fast_labels(card: dict, frame: pd.DataFrame) -> np.ndarray:
    serving = serving_from_card(card)
    numeric = frame[list(serving.numeric_features)].to_numpy(dtype="float64")
    male = (frame["gender"] == "Male").to_numpy(dtype="float64")
    x = serving.transform(numeric, male if serving.gender_in_model else None)
    return serving.predict(x)


@pytest.mark.parametrize("which", ["default", "with_gender"])
def test_serving_spec_equals_pipeline_predict(
    which: str, trained_root: Path, trained_result: RunResult, trained_gender: tuple[Path, RunResult]
) -> None:
    root, result = (trained_root, trained_result) if which == "default" else trained_gender
    paths = model_paths(root)
    pipeline = load_pipeline_trusted(paths)
    card = read_card(paths)
    for frame in (result.clean, random_customers(20_000, seed=7)):
        expected = pipeline.predict(frame)
        np.testing.assert_array_equal(fast_labels(card, frame), expected)
    # every training row keeps the label it was trained with
    np.testing.assert_array_equal(fast_labels(card, result.clean), result.labels)


def test_gender_model_really_uses_gender(trained_gender: tuple[Path, RunResult]) -> None:
    """Guard against a vacuous pass: flipping gender changes some labels of the gender model."""
    root, result = trained_gender
    card = read_card(model_paths(root))
    assert serving_from_card(card).gender_in_model
    flipped = result.clean.assign(gender=np.where(result.clean["gender"] == "Male", "Female", "Male"))
    assert (fast_labels(card, flipped) != fast_labels(card, result.clean)).any()


def test_default_model_ignores_gender(trained_root: Path) -> None:
    """The default model has no gender column: the spec's flag must not make us add one."""
    serving = serving_from_card(read_card(model_paths(trained_root)))
    assert not serving.gender_in_model
    assert serving.centers.shape[1] == len(serving.numeric_features)


def test_request_path_equals_pipeline(trained_root: Path) -> None:
    """From validated CustomerIn objects (what the routes get) to labels, as pipeline.predict."""
    paths = model_paths(trained_root)
    pipeline = load_pipeline_trusted(paths)
    frame = random_customers(2_000, seed=11)
    customers = [CustomerIn.model_validate(row) for row in frame.to_dict("records")]
    card = read_card(paths)
    serving = serving_from_card(card)
    numeric, levels, problems = validate_records(
        InputSpec.build(card.feature_schema, serving), [c.features() for c in customers]
    )
    assert problems == []

    scored = score_columns(SimpleNamespace(serving=serving), numeric, levels)  # type: ignore[arg-type]
    np.testing.assert_array_equal(scored.labels, pipeline.predict(frame))


def test_http_batch_equals_pipeline(trained_root: Path, api_settings: ApiSettings) -> None:
    pipeline = load_pipeline_trusted(model_paths(trained_root))
    frame = random_customers(3_000, seed=5)
    with serve(api_settings) as client:
        answer = client.post("/predict/batch", json={"customers": frame.to_dict("records")})
    assert answer.status_code == 200, answer.text
    labels = [p["segment"] for p in answer.json()["predictions"]]
    np.testing.assert_array_equal(labels, pipeline.predict(frame))


def test_http_csv_gives_training_labels(trained_root: Path, trained_result: RunResult, client: TestClient) -> None:
    """The training customers, uploaded back, get exactly their training segments."""
    clean = trained_result.clean
    body = clean.to_csv(index=False).encode()
    answer = client.post("/predict/csv", files={"file": ("train.csv", body, "text/csv")})
    assert answer.status_code == 200, answer.text
    scored = pd.read_csv(io.BytesIO(answer.content))
    np.testing.assert_array_equal(scored["segment"].to_numpy(), trained_result.labels)


@pytest.mark.parametrize("which", ["default", "with_gender"])
def test_fast_kernel_equals_the_serving_twin(
    which: str, trained_root: Path, trained_gender: tuple[Path, RunResult]
) -> None:
    """The API's matrix-product kernel gives the twin's labels, runner-ups and distances."""
    root = trained_root if which == "default" else trained_gender[0]
    paths = model_paths(root)
    serving = serving_from_card(read_card(paths))
    frame = random_customers(50_000, seed=13)
    numeric = frame[list(serving.numeric_features)].to_numpy(dtype="float64")
    male = (frame["gender"] == "Male").to_numpy(dtype="float64")
    x = serving.transform(numeric, male if serving.gender_in_model else None)
    fast, twin = score_scaled(serving, x), serving.score(x)
    np.testing.assert_array_equal(fast.labels, twin.labels)
    np.testing.assert_array_equal(fast.runner_up, twin.runner_up)
    np.testing.assert_allclose(fast.distance, twin.distance, rtol=1e-12)
    np.testing.assert_allclose(fast.runner_up_distance, twin.runner_up_distance, rtol=1e-12)
    np.testing.assert_array_equal(fast.out_of_distribution, twin.out_of_distribution)
    np.testing.assert_array_equal(fast.labels, load_pipeline_trusted(paths).predict(frame))


@pytest.mark.parametrize("which", ["default", "with_gender"])
def test_one_customer_path_equals_the_batch_kernel(
    which: str, trained_root: Path, trained_gender: tuple[Path, RunResult]
) -> None:
    """A single customer is scored by the scalar path; it must agree with the batch kernel to the
    last bit on every field, for customers near and far from the training data."""
    root = trained_root if which == "default" else trained_gender[0]
    serving = serving_from_card(read_card(model_paths(root)))
    bundle = SimpleNamespace(serving=serving)
    frame = random_customers(3_000, seed=17)
    numeric = frame[list(serving.numeric_features)].to_numpy(dtype="float64")
    levels = [(frame["gender"] == "Male").to_numpy(dtype="int64")] if serving.gender_in_model else []
    batch = score_columns(bundle, numeric, levels)  # type: ignore[arg-type]
    fields = ("labels", "distance", "runner_up", "runner_up_distance", "margin", "out_of_distribution")
    for i in range(len(frame)):
        one = score_columns(bundle, numeric[i : i + 1], [index[i : i + 1] for index in levels])  # type: ignore[arg-type]
        assert [getattr(one, f)[0] for f in fields] == [getattr(batch, f)[i] for f in fields], f"row {i}"
