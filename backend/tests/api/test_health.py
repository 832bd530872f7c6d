"""GET /health, and the app's behaviour with no (usable) model: it starts, says why, answers 503."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from customer_segmentation.api.settings import ApiSettings
from customer_segmentation.artifacts import read_card

from .conftest import model_paths, serve

#: Every route that needs a model, with a request that would otherwise succeed.
MODEL_REQUESTS: list[tuple[str, str, dict]] = [
    ("GET", "/clusters", {}),
    ("GET", "/clusters/0", {}),
    ("POST", "/predict", {"json": {"gender": "Female", "age": 30, "annual_income": 50, "spending_score": 50}}),
    (
        "POST",
        "/predict/batch",
        {"json": {"customers": [{"gender": "Male", "age": 30, "annual_income": 50, "spending_score": 50}]}},
    ),
    (
        "POST",
        "/predict/csv",
        {"files": {"file": ("a.csv", b"Gender,Age,Annual Income (k$),Spending Score (1-100)\nMale,30,50,50\n")}},
    ),
    ("GET", "/customers", {}),
    ("GET", "/customers/1", {}),
    ("GET", "/model", {}),
    ("GET", "/reports/summary", {}),
    ("GET", "/reports/figures", {}),
    ("GET", "/reports/figures/elbow.png", {}),
]


def test_health_with_a_model(client: TestClient, trained_root: Path) -> None:
    card = read_card(model_paths(trained_root)).model_dump(mode="json")
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["model_loaded"] is True
    assert body["model_version"] == card["model_version"]
    assert body["created_at"] == card["created_at"]
    assert body["k"] == card["k"]
    assert body["customers_loaded"] == card["data"]["rows_used"]
    assert body["problem"] is None
    assert body["warnings"] == []
    assert body["reload_enabled"] is False
    assert body["dashboard"] is False


def test_app_starts_without_a_model(tmp_path: Path, make_settings: Callable[..., ApiSettings]) -> None:
    with serve(make_settings(tmp_path / "empty")) as client:
        body = client.get("/health").json()
        assert client.get("/health").status_code == 200
        assert body["status"] == "no_model"
        assert body["model_loaded"] is False and body["model_version"] is None
        assert "python backend/src/main.py" in body["problem"]
        for method, path, options in MODEL_REQUESTS:
            answer = client.request(method, path, **options)
            assert answer.status_code == 503, (path, answer.text)
            assert "python backend/src/main.py" in answer.json()["detail"], path


@pytest.mark.parametrize(("method", "path", "options"), MODEL_REQUESTS)
def test_model_requests_succeed_with_a_model(client: TestClient, method: str, path: str, options: dict) -> None:
    """The same requests answer 200 once a model is served (so the 503s above are meaningful)."""
    answer = client.request(method, path, **options)
    assert answer.status_code == 200, answer.text
