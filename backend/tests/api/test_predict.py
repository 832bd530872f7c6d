"""POST /predict and /predict/batch: results, aliases, gender spellings, order, OOD and the model version."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from customer_segmentation.artifacts import load_pipeline_trusted, read_card
from customer_segmentation.pipeline import RunResult

from .conftest import model_paths

CUSTOMER = {"gender": "Female", "age": 31, "annual_income": 87, "spending_score": 82}


def pipeline_label(root: Path, customer: dict) -> int:
    frame = pd.DataFrame([{**customer, "gender": "Female"}])
    return int(load_pipeline_trusted(model_paths(root)).predict(frame)[0])


def test_prediction_is_complete_and_consistent(client: TestClient, trained_root: Path) -> None:
    card = read_card(model_paths(trained_root)).model_dump(mode="json")
    body = client.post("/predict", json=CUSTOMER).json()
    assert body["segment"] == pipeline_label(trained_root, CUSTOMER)
    assert body["segment_name"] == card["segments"][body["segment"]]["name"]
    assert body["runner_up"] != body["segment"]
    assert body["runner_up_name"] == card["segments"][body["runner_up"]]["name"]
    assert 0 <= body["distance"] <= body["runner_up_distance"]
    assert body["margin"] == pytest.approx((body["runner_up_distance"] - body["distance"]) / body["runner_up_distance"])
    assert body["out_of_distribution"] is False
    assert body["model_version"] == card["model_version"]
    assert body["customer_id"] is None


def test_original_csv_headers_are_accepted(client: TestClient) -> None:
    snake = client.post("/predict", json=CUSTOMER).json()
    for gender_key in ("Gender", "Genre"):
        original = {gender_key: "Female", "Age": 31, "Annual Income (k$)": 87, "Spending Score (1-100)": 82}
        answer = client.post("/predict", json=original)
        assert answer.status_code == 200, answer.text
        assert answer.json() == snake


@pytest.mark.parametrize("spelling", ["female", " F ", "FEMALE", "woman", "w", "Male", "m", " man "])
def test_gender_spellings_follow_the_pipeline(client: TestClient, spelling: str) -> None:
    answer = client.post("/predict", json={**CUSTOMER, "gender": spelling})
    assert answer.status_code == 200, answer.text


def test_customer_at_a_centroid_is_confident(client: TestClient, trained_result: RunResult) -> None:
    segment = trained_result.profiles[2]
    customer = {"gender": "Male", **segment.centroid}
    body = client.post("/predict", json=customer).json()
    assert body["segment"] == segment.id
    assert body["margin"] > 0.9
    assert body["out_of_distribution"] is False


def test_far_away_customer_is_out_of_distribution(client: TestClient) -> None:
    body = client.post(
        "/predict", json={"gender": "Male", "age": 119, "annual_income": 900_000, "spending_score": 1}
    ).json()
    assert body["out_of_distribution"] is True


def test_customer_id_is_echoed(client: TestClient) -> None:
    assert client.post("/predict", json={**CUSTOMER, "customer_id": "C-17"}).json()["customer_id"] == "C-17"
    assert client.post("/predict", json={**CUSTOMER, "customer_id": 17}).json()["customer_id"] == "17"


def test_batch_keeps_order_and_equals_single_predictions(client: TestClient) -> None:
    rng = np.random.default_rng(3)
    customers = [
        {
            "gender": str(rng.choice(["Female", "Male"])),
            "age": float(rng.uniform(18, 70)),
            "annual_income": float(rng.uniform(10, 140)),
            "spending_score": float(rng.uniform(1, 100)),
            "customer_id": f"c{i}",
        }
        for i in range(50)
    ]
    body = client.post("/predict/batch", json={"customers": customers}).json()
    assert body["count"] == 50 and len(body["predictions"]) == 50
    assert [p["customer_id"] for p in body["predictions"]] == [c["customer_id"] for c in customers]
    singles = [client.post("/predict", json=c).json() for c in customers]
    assert body["predictions"] == singles
    assert len({p["segment"] for p in body["predictions"]}) > 1  # not a constant answer


def test_batch_at_the_limit_is_accepted(trained_root: Path, make_settings) -> None:
    from .conftest import serve

    with serve(make_settings(trained_root, max_batch_size=5)) as client:
        assert client.post("/predict/batch", json={"customers": [CUSTOMER] * 5}).status_code == 200
        over = client.post("/predict/batch", json={"customers": [CUSTOMER] * 6})
        assert over.status_code == 413
        assert "SEGMENTATION_MAX_BATCH_SIZE" in over.json()["detail"]
        assert over.json()["errors"][0]["field"] == "customers"
