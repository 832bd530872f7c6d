"""GET /clusters, /customers, /model and /reports: the served model's card, data and reports."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from customer_segmentation.api.settings import ApiSettings
from customer_segmentation.artifacts import read_card
from customer_segmentation.pipeline import RunResult

from .conftest import model_paths, serve


def test_clusters_carry_k_the_evidence_and_every_segment(client: TestClient, trained_result: RunResult) -> None:
    body = client.get("/clusters").json()
    selection = trained_result.selection
    assert body["k"] == selection.chosen_k
    assert [s["k"] for s in body["k_selection"]["scores"]] == [s.k for s in selection.scores]
    assert body["k_selection"]["chosen_k"] == selection.chosen_k
    assert body["k_selection"]["reason"] == selection.reason
    assert body["stability"]["mean_ari"] == pytest.approx(trained_result.stability.mean_ari)
    assert body["rows_used"] == len(trained_result.clean)
    segments = body["segments"]
    assert [s["id"] for s in segments] == list(range(selection.chosen_k))
    assert sum(s["size"] for s in segments) == len(trained_result.clean)
    assert sum(s["share"] for s in segments) == pytest.approx(1.0)
    for segment, profile in zip(segments, trained_result.profiles, strict=True):
        assert segment["name"] == profile.name and segment["action"] == profile.action
        assert segment["centroid"] == pytest.approx(profile.centroid)
        assert segment["medians"] == pytest.approx(profile.medians)
        assert set(segment["gender_mix"]) == {"Female", "Male"}


def test_one_cluster_and_unknown_cluster(client: TestClient) -> None:
    listing = client.get("/clusters").json()["segments"]
    for segment in listing:
        assert client.get(f"/clusters/{segment['id']}").json() == segment
    missing = client.get(f"/clusters/{len(listing)}")
    assert missing.status_code == 404
    assert f"0..{len(listing) - 1}" in missing.json()["detail"]


def test_every_training_customer_can_be_looked_up(client: TestClient, trained_result: RunResult) -> None:
    table = trained_result.clustered_table()
    for row in table.sample(25, random_state=0).itertuples():
        body = client.get(f"/customers/{row.customer_id}").json()
        assert body["segment"] == row.segment and body["segment_name"] == row.segment_name
        assert body["age"] == row.age and body["gender"] == row.gender
        assert body["model_version"] == trained_result.model_version


def test_customer_ids_are_matched_as_written(client: TestClient) -> None:
    assert client.get("/customers/007").json()["customer_id"] == "7"
    for unknown in ("100000", "abc", "-1"):
        answer = client.get(f"/customers/{unknown}")
        assert answer.status_code == 404
        assert unknown in answer.json()["detail"]


def test_customer_list_is_complete_or_a_stable_sample(client: TestClient, trained_result: RunResult) -> None:
    everyone = client.get("/customers", params={"limit": 20_000}).json()
    assert everyone["total"] == everyone["returned"] == len(trained_result.clean)
    assert everyone["sampled"] is False
    first = client.get("/customers", params={"limit": 50}).json()
    assert first["returned"] == 50 and first["sampled"] is True
    assert first == client.get("/customers", params={"limit": 50}).json()  # same points every time
    ids = [int(c["customer_id"]) for c in first["customers"]]
    assert ids == sorted(ids)  # kept in file order
    assert client.get("/customers", params={"limit": 0}).status_code == 422


def test_model_card_is_served_as_written(client: TestClient, trained_root: Path) -> None:
    assert client.get("/model").json() == read_card(model_paths(trained_root)).model_dump(mode="json")


def test_summary_report_is_the_text_file(client: TestClient, trained_root: Path) -> None:
    answer = client.get("/reports/summary")
    assert answer.headers["content-type"].startswith("text/plain")
    assert answer.text == model_paths(trained_root).summary.read_text(encoding="utf-8")


def test_figures_are_listed_and_served(client: TestClient) -> None:
    figures = client.get("/reports/figures").json()["figures"]
    assert {f["name"] for f in figures} >= {"Customer Segmentation 2D.png", "Customer Segmentation 3D.png"}
    for figure in figures:
        assert figure["available"] is True
        image = client.get(figure["url"])
        assert image.status_code == 200 and image.headers["content-type"] == "image/png"
        assert image.content.startswith(b"\x89PNG")


@pytest.mark.parametrize("name", ["../models/model_card.json", "..%2F..%2Fmodels%2Fclustering_model.pkl", "x.png"])
def test_only_whitelisted_figures(client: TestClient, name: str) -> None:
    answer = client.get(f"/reports/figures/{name}")
    assert answer.status_code in (404, 422)
    assert "model_sha256" not in answer.text


def test_missing_report_files_are_404(artifacts_copy: Path, make_settings: Callable[..., ApiSettings]) -> None:
    paths = model_paths(artifacts_copy)
    paths.summary.unlink()
    (paths.figures_dir / "elbow.png").unlink()
    with serve(make_settings(artifacts_copy)) as client:
        assert client.get("/reports/summary").status_code == 404
        assert client.get("/reports/figures/elbow.png").status_code == 404
        listed = {f["name"]: f["available"] for f in client.get("/reports/figures").json()["figures"]}
        assert listed["elbow.png"] is False and listed["silhouette_by_k.png"] is True


def test_customers_table_reads_like_the_training_file(trained_root: Path, trained_result: RunResult) -> None:
    """The lookup table is the processed clustered CSV (not recomputed), so ids and values round-trip."""
    from customer_segmentation.api.services.model_store import load_bundle

    bundle = load_bundle(ApiSettings(artifacts_root=trained_root))
    assert bundle.customers is not None
    expected = pd.read_csv(model_paths(trained_root).clustered_csv)
    assert len(bundle.customers) == len(expected) == len(trained_result.clean)
    assert bundle.customers.frame["segment"].tolist() == expected["segment"].tolist()


@pytest.mark.parametrize("odd_id", ["--1", "++1", "+-1", "%C2%B2", "%E2%91%A0", "%D9%A1"])
def test_odd_customer_ids_are_404_not_500(client: TestClient, odd_id: str) -> None:
    """Unicode digits ("²", "①", Arabic-Indic "١") and doubled signs are not ids, not crashes."""
    answer = client.get(f"/customers/{odd_id}")
    assert answer.status_code == 404
    assert "customer" in answer.json()["detail"]
