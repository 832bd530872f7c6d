"""The API serves only a model it can vouch for: card present and valid, the pickle's SHA-256 equal
to the card's, the scikit-learn version checked. Refusals show in /health and give 503s."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from customer_segmentation.api.services.model_store import serving_from_card
from customer_segmentation.api.settings import ApiSettings
from customer_segmentation.artifacts import ArtifactError, read_card
from customer_segmentation.modeling.card import ModelCard

from .conftest import model_paths, serve

PREDICT = {"gender": "Female", "age": 30, "annual_income": 50, "spending_score": 50}


def _health_and_predict(settings: ApiSettings) -> tuple[dict, int, dict]:
    with serve(settings) as client:
        answer = client.post("/predict", json=PREDICT)
        return client.get("/health").json(), answer.status_code, answer.json()


def _edit_card(root: Path, edit: Callable[[dict], None], *, reseal: bool = True, key: str | None = None) -> None:
    """Edit the card's JSON. ``reseal`` recomputes its content hash (and model version) as a trainer
    writing such a card would; without it the edit is a tampering the hash must catch."""
    path = model_paths(root).model_card
    card = json.loads(path.read_text())
    edit(card)
    if reseal:
        # Not even a valid card: written as is, the loader must word the problem.
        with contextlib.suppress(ValidationError):
            card = json.loads(ModelCard.model_validate(card).sealed(key).to_json())
    path.write_text(json.dumps(card))


def test_tampered_model_is_refused(artifacts_copy: Path, make_settings: Callable[..., ApiSettings], caplog) -> None:
    model = model_paths(artifacts_copy).model
    model.write_bytes(model.read_bytes() + b"tampered")
    with caplog.at_level("ERROR", logger="customer_segmentation.api"):
        health, status, body = _health_and_predict(make_settings(artifacts_copy))
    assert health["status"] == "no_model"
    assert "SHA-256" in health["problem"]
    assert status == 503 and "SHA-256" in body["detail"]
    assert any("SHA-256" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda p: p.model_card.unlink(), "no model card"),
        (lambda p: p.model_card.write_text("{not json"), "unreadable"),
        (lambda p: p.model_card.write_text("[1, 2]"), "not a JSON object"),
        (lambda p: p.model.unlink(), "no model file"),
    ],
    ids=["card-missing", "card-not-json", "card-not-object", "pickle-missing"],
)
def test_broken_artifacts_are_refused(
    artifacts_copy: Path, make_settings: Callable[..., ApiSettings], damage: Callable, expected: str
) -> None:
    damage(model_paths(artifacts_copy))
    health, status, body = _health_and_predict(make_settings(artifacts_copy))
    assert health["status"] == "no_model" and expected in health["problem"]
    assert status == 503 and expected in body["detail"]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda c: c.pop("serving"), "invalid at serving"),
        (lambda c: c["serving"].update(centers_scaled=[[1.0]]), "centroids do not match"),
        (lambda c: c["serving"].update(scaler_scale=[0.0, 1.0, 1.0]), "non-finite or degenerate"),
        (lambda c: c["serving"].update(scaler_scale=[1e-300, 1.0, 1.0]), "non-finite or degenerate"),
        (lambda c: c["serving"].update(numeric_features=["age", "height", "x"]), "unknown feature"),
        (lambda c: c["segments"].pop(), "segments for k="),
        (lambda c: c.pop("model_sha256"), "model_sha256"),
        (lambda c: c.update(schema_version=1), "retrain"),
    ],
    ids=[
        "no-serving",
        "bad-centroids",
        "zero-scale",
        "tiny-scale",
        "unknown-feature",
        "segments-missing",
        "no-hash",
        "old-format",
    ],
)
def test_inconsistent_cards_are_refused(
    artifacts_copy: Path, make_settings: Callable[..., ApiSettings], edit: Callable, expected: str
) -> None:
    _edit_card(artifacts_copy, edit)
    health, status, _ = _health_and_predict(make_settings(artifacts_copy))
    assert health["status"] == "no_model"
    assert expected in health["problem"]
    assert status == 503


def test_other_sklearn_version_is_served_with_a_warning_by_default(
    artifacts_copy: Path, make_settings: Callable[..., ApiSettings]
) -> None:
    _edit_card(artifacts_copy, lambda c: c["library_versions"].update({"scikit-learn": "0.24.2"}))
    health, status, _ = _health_and_predict(make_settings(artifacts_copy))
    assert health["status"] == "ok"
    assert any("scikit-learn 0.24.2" in w for w in health["warnings"])
    assert status == 200


def test_other_sklearn_version_is_refused_when_configured(
    artifacts_copy: Path, make_settings: Callable[..., ApiSettings]
) -> None:
    _edit_card(artifacts_copy, lambda c: c["library_versions"].update({"scikit-learn": "0.24.2"}))
    health, status, body = _health_and_predict(make_settings(artifacts_copy, sklearn_version_policy="refuse"))
    assert health["status"] == "no_model"
    assert "scikit-learn 0.24.2" in health["problem"] and "refusing" in health["problem"]
    assert status == 503 and "scikit-learn" in body["detail"]


def test_missing_customers_keep_scoring_but_say_so(
    artifacts_copy: Path, make_settings: Callable[..., ApiSettings]
) -> None:
    model_paths(artifacts_copy).clustered_csv.unlink()
    with serve(make_settings(artifacts_copy)) as client:
        health = client.get("/health").json()
        assert health["status"] == "ok" and health["customers_loaded"] is None
        assert any("customer lookup unavailable" in w for w in health["warnings"])
        assert client.post("/predict", json=PREDICT).status_code == 200
        lookup = client.get("/customers/1")
        assert lookup.status_code == 503 and "clustered data" in lookup.json()["detail"]


def test_customers_from_another_model_are_not_served(
    artifacts_copy: Path, make_settings: Callable[..., ApiSettings]
) -> None:
    path = model_paths(artifacts_copy).clustered_csv
    text = path.read_text().splitlines()
    header = text[0].split(",")
    seg = header.index("segment")
    row = text[1].split(",")
    row[seg] = "99"
    path.write_text("\n".join([text[0], ",".join(row), *text[2:]]) + "\n")
    with serve(make_settings(artifacts_copy)) as client:
        warnings = client.get("/health").json()["warnings"]
        assert any("another model" in w for w in warnings)


def test_spec_gender_flag_is_read_from_centroid_width(trained_root: Path) -> None:
    card = read_card(model_paths(trained_root))
    card.serving.gender_in_model = True  # as the pipeline writes it when gender is an *input* column
    serving = serving_from_card(card)
    assert serving.gender_in_model is False
    x = serving.transform(np.array([[30.0, 50.0, 50.0]]))
    assert serving.predict(x).shape == (1,)


def test_non_finite_centroids_are_refused(trained_root: Path) -> None:
    card = read_card(model_paths(trained_root))
    card.serving.centers_scaled[0][0] = float("nan")
    with pytest.raises(ArtifactError, match="non-finite"):
        serving_from_card(card)


def test_card_with_damaged_segments_gives_503_not_a_crash(
    artifacts_copy: Path, make_settings: Callable[..., ApiSettings]
) -> None:
    def damage(card: dict) -> None:
        card["segments"][0] = None

    _edit_card(artifacts_copy, damage)
    health, status, _body = _health_and_predict(make_settings(artifacts_copy))
    assert health["status"] == "no_model"
    assert "model card is invalid at segments" in health["problem"]
    assert status == 503


def test_reports_survive_later_runs_pruning_the_served_one(
    artifacts_copy: Path, make_settings: Callable[..., ApiSettings]
) -> None:
    from customer_segmentation.publish import publish

    with serve(make_settings(artifacts_copy)) as client:
        summary = client.get("/reports/summary").text
        for i in range(5):  # later runs: the served run's folder is pruned
            publish(artifacts_copy, {"reports/summary.txt": f"run {i}".encode()}, keep=2)
        assert client.get("/reports/summary").text == summary
        assert client.get("/reports/figures/elbow.png").status_code == 200


def _swap_two_centroids(card: dict) -> None:
    centers = card["serving"]["centers_scaled"]
    centers[0], centers[1] = centers[1], centers[0]


def test_edited_served_numbers_are_refused(artifacts_copy: Path, make_settings: Callable[..., ApiSettings]) -> None:
    """Swapping two centroids in the card without the trainer's re-hashing is caught: 503, not other answers."""
    _edit_card(artifacts_copy, _swap_two_centroids, reseal=False)
    health, status, _ = _health_and_predict(make_settings(artifacts_copy))
    assert health["status"] == "no_model" and "content_sha256" in health["problem"]
    assert status == 503


def test_a_changed_card_is_a_different_model_version(trained_root: Path, artifacts_copy: Path) -> None:
    before = read_card(model_paths(trained_root)).model_version
    _edit_card(artifacts_copy, _swap_two_centroids, reseal=True)
    after = read_card(model_paths(artifacts_copy))
    after.verify()
    assert after.model_version != before


def test_with_a_model_key_only_signed_cards_are_served(
    artifacts_copy: Path, make_settings: Callable[..., ApiSettings]
) -> None:
    settings = make_settings(artifacts_copy, model_key="trainer-secret")
    health, status, _ = _health_and_predict(settings)  # the card was written without a key
    assert health["status"] == "no_model" and "SEGMENTATION_MODEL_KEY" in health["problem"] and status == 503
    _edit_card(artifacts_copy, lambda c: None, key="another-key")
    health, _, _ = _health_and_predict(settings)
    assert health["status"] == "no_model"
    _edit_card(artifacts_copy, lambda c: None, key="trainer-secret")
    health, status, _ = _health_and_predict(settings)
    assert health["status"] == "ok" and status == 200
