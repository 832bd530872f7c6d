"""POST /model/reload: key required, disabled without one, swaps a newly trained model, refuses a bad one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from customer_segmentation.api.settings import ApiSettings
from customer_segmentation.config import ArtifactPaths, Settings
from customer_segmentation.modeling.select_k import SweepSettings
from customer_segmentation.pipeline import RunConfig, run

from .conftest import model_paths, serve

KEY = "s3cret-key"


def retrain(root: Path, data: Path, k: int) -> str:
    """Train a different model (k pinned) into ``root``, as `python backend/src/main.py --k` would."""
    config = RunConfig(data=data, sweep=SweepSettings(pinned_k=k, k_min=2, k_max=6), bootstrap_resamples=2)
    result = run(config, Settings(artifacts_root=root, data_mirror=data.parent), paths=ArtifactPaths(root))
    return result.model_version


def test_reload_is_disabled_without_a_key(client) -> None:
    answer = client.post("/model/reload", headers={"X-API-Key": "anything"})
    assert answer.status_code == 403
    assert "SEGMENTATION_API_KEY" in answer.json()["detail"]


@pytest.mark.parametrize("headers", [{}, {"X-API-Key": "wrong"}, {"X-API-Key": ""}, {"Authorization": KEY}])
def test_reload_needs_the_right_key(
    trained_root: Path, make_settings: Callable[..., ApiSettings], headers: dict
) -> None:
    with serve(make_settings(trained_root, api_key=KEY)) as client:
        answer = client.post("/model/reload", headers=headers)
        assert answer.status_code == 401
        assert "X-API-Key" in answer.json()["detail"]
        assert client.get("/health").json()["reload_enabled"] is True


def test_reload_swaps_in_a_new_model(
    artifacts_copy: Path, make_settings: Callable[..., ApiSettings], mall_csv: Path
) -> None:
    with serve(make_settings(artifacts_copy, api_key=KEY)) as client:
        before = client.get("/health").json()
        same = client.post("/model/reload", headers={"X-API-Key": KEY}).json()
        assert same["changed"] is False and same["model_version"] == before["model_version"]

        new_version = retrain(artifacts_copy, mall_csv, k=3)
        assert client.get("/health").json()["model_version"] == before["model_version"]  # not before reload
        answer = client.post("/model/reload", headers={"X-API-Key": KEY})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body == {
            "reloaded": True,
            "changed": True,
            "previous_version": before["model_version"],
            "model_version": new_version,
            "k": 3,
            "warnings": [],
        }
        assert client.get("/clusters").json()["k"] == 3
        segments = client.get("/clusters").json()["segments"]
        assert len(segments) == 3
        prediction = client.post("/predict", json={"gender": "F", "age": 30, "annual_income": 60, "spending_score": 50})
        # Stable ids: the retrained model keeps the ids of the segments it matched (not 0..2).
        ids = {s["id"] for s in segments}
        assert prediction.json()["model_version"] == new_version and prediction.json()["segment"] in ids
        assert client.get("/customers/1").json()["model_version"] == new_version


def test_refused_model_keeps_the_old_one(artifacts_copy: Path, make_settings: Callable[..., ApiSettings]) -> None:
    with serve(make_settings(artifacts_copy, api_key=KEY)) as client:
        version = client.get("/health").json()["model_version"]
        model = model_paths(artifacts_copy).model
        model.write_bytes(model.read_bytes()[:-1])
        answer = client.post("/model/reload", headers={"X-API-Key": KEY})
        assert answer.status_code == 409
        assert "SHA-256" in answer.json()["detail"] and version in answer.json()["detail"]
        health = client.get("/health").json()
        assert health["status"] == "ok" and health["model_version"] == version
        assert any("last reload refused" in w for w in health["warnings"])
        assert (
            client.post(
                "/predict", json={"gender": "F", "age": 30, "annual_income": 60, "spending_score": 50}
            ).status_code
            == 200
        )


def test_reload_brings_a_model_to_an_empty_server(
    tmp_path: Path, make_settings: Callable[..., ApiSettings], mall_csv: Path
) -> None:
    root = tmp_path / "fresh"
    with serve(make_settings(root, api_key=KEY)) as client:
        assert client.get("/health").json()["status"] == "no_model"
        refused = client.post("/model/reload", headers={"X-API-Key": KEY})
        assert refused.status_code == 409 and "no model is served" in refused.json()["detail"]
        version = retrain(root, mall_csv, k=4)
        body = client.post("/model/reload", headers={"X-API-Key": KEY}).json()
        assert body["previous_version"] is None and body["model_version"] == version
        assert client.get("/health").json()["status"] == "ok"
