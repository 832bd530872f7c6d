"""Issue 13's acceptance, end to end through the pipeline, the store and the API — on SQLite and on
PostgreSQL: train on the Mall data, rename segment 2, retrain on a shuffled copy without 5 % of the
customers (every segment keeps its id, the rename survives, /runs lists both, the migration matrix
accounts for every customer in both runs), then retrain on other features (a new lineage, said so)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from customer_segmentation.api.app import create_app
from customer_segmentation.api.settings import ApiSettings
from customer_segmentation.config import ArtifactPaths, Settings
from customer_segmentation.pipeline import RunConfig, RunResult, run
from customer_segmentation.store import Store

KEY = "lineage-test-key"
QUICK = {"bootstrap_resamples": 2}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str | None]:
    """None: the default SQLite file beside the artifacts; else a fresh PostgreSQL database's URL."""
    if request.param == "sqlite":
        yield None
        return
    server = request.getfixturevalue("postgres_server")
    with server.database() as url:
        yield url


def shuffled_copy(source: Path, target: Path, drop: float = 0.05, seed: int = 7) -> set[str]:
    """The same customers with rows shuffled and ``drop`` of them removed; returns the kept ids."""
    frame = pd.read_csv(source)
    rng = np.random.default_rng(seed)
    frame = frame.iloc[rng.permutation(len(frame))].iloc[: round(len(frame) * (1 - drop))]
    frame.to_csv(target, index=False)
    return set(frame["CustomerID"].astype(str))


def train(data: Path, root: Path, url: str | None, **config: Any) -> RunResult:
    settings = Settings(artifacts_root=root, database_url=url)
    return run(RunConfig(data=data, **{**QUICK, **config}), settings, paths=ArtifactPaths(root))


def api(root: Path, url: str | None, **overrides: Any) -> TestClient:
    values: dict[str, Any] = {"artifacts_root": root, "frontend_dir": root / "no-frontend", "database_url": url}
    return TestClient(create_app(ApiSettings(**{**values, **overrides})))


@pytest.mark.slow
def test_segments_keep_ids_and_renames_across_retraining(tmp_path: Path, mall_csv: Path, database: str | None) -> None:
    root = tmp_path / "artifacts"
    first = train(mall_csv, root, database)
    assert first.lineage is not None and first.lineage.info.status == "fresh"
    assert [p.id for p in first.profiles] == list(range(first.selection.chosen_k))

    with api(root, database, api_key=KEY) as client:
        renamed = client.patch(
            "/clusters/2", json={"name": "Weekend regulars", "action": "Saturday offers"}, headers={"X-API-Key": KEY}
        )
        assert renamed.status_code == 200, renamed.text
        assert renamed.json()["name"] == "Weekend regulars" and renamed.json()["user_action"] == "Saturday offers"
        listed = {s["id"]: s for s in client.get("/clusters").json()["segments"]}
        assert listed[2]["name"] == "Weekend regulars"
        assert listed[2]["generated_name"] == first.profiles[2].name
        one = client.post("/predict", json={"age": 30, "annual_income": 60, "spending_score": 50}).json()
        assert one["segment_name"] == listed[one["segment"]]["name"]  # predictions use the served names

    copy = tmp_path / "mall_retrain.csv"
    kept = shuffled_copy(mall_csv, copy)
    second = train(copy, root, database)
    lineage = second.lineage
    assert lineage is not None and lineage.info.status == "continued"
    assert lineage.info.parent_version == first.model_version
    assert lineage.info.lineage_id == first.lineage.info.lineage_id
    assert lineage.info.method == "overlap"
    # Every segment keeps its id: each matched its namesake, and none is new or retired.
    assert [p.id for p in second.profiles] == [p.id for p in first.profiles]
    assert all(m.matched and m.parent_id == m.segment_id for m in lineage.info.matches)
    assert lineage.info.new_ids == [] and lineage.info.retired_ids == []
    # The rename survives: in the card, the clustered data and the summary of the new run.
    paths = ArtifactPaths(root)
    card = json.loads(paths.model_card.read_text())
    segment_2 = next(s for s in card["segments"] if s["id"] == 2)
    assert segment_2["name"] == "Weekend regulars" and segment_2["action"] == "Saturday offers"
    assert segment_2["user_name"] == "Weekend regulars" and segment_2["generated_name"]
    clustered = pd.read_csv(paths.clustered_csv)
    assert set(clustered.loc[clustered["segment"] == 2, "segment_name"]) == {"Weekend regulars"}
    summary = paths.summary.read_text()
    assert "Segment 2 — Weekend regulars" in summary and "CHANGES SINCE THE PREVIOUS MODEL" in summary
    # The migration matrix accounts for every customer present in both runs.
    report = json.loads(paths.migration.read_text())
    migration = report["migration"]
    assert migration["in_both"] == len(kept) == 190
    assert sum(map(sum, migration["counts"])) == migration["in_both"]
    assert migration["only_old"] == 200 - len(kept) and migration["only_new"] == 0
    assert sum(migration["only_old_by_segment"]) == migration["only_old"]
    assert {d["name"] for d in report["drift"]["features"]} == {"age", "annual_income", "spending_score"}
    assert report["drift"]["segments"]["flag"] == "stable"
    assert (paths.figures_dir / "migration_heatmap.png").read_bytes().startswith(b"\x89PNG")

    with api(root, database, api_key=KEY) as client:
        runs = client.get("/runs").json()["runs"]
        assert [r["model_version"] for r in runs] == [second.model_version, first.model_version]
        assert runs[0]["served"] and runs[0]["parent_version"] == first.model_version
        served = client.get(f"/runs/{second.model_version}/migration").json()
        assert served["migration"] == migration and served["drift_source"] == "artifacts"
        assert client.get("/clusters/2").json()["name"] == "Weekend regulars"
        a_kept_customer = sorted(kept)[0]
        history = client.get(f"/customers/{a_kept_customer}/history").json()["runs"]
        assert [h["model_version"] for h in history] == [second.model_version, first.model_version]
        assert client.get("/runs/unknown-version/migration").status_code == 404

    third = train(copy, root, database, features=("annual_income", "spending_score"))
    assert third.lineage is not None and third.lineage.info.status == "fresh"
    assert "feature schema changed" in third.lineage.info.reason
    assert third.lineage.info.lineage_id != lineage.info.lineage_id
    assert third.lineage.info.parent_version == second.model_version
    assert "Weekend regulars" not in {p.name for p in third.profiles}  # renames belong to their lineage
    assert "fresh lineage: the feature schema changed" in paths.summary.read_text()
    with Store(database or f"sqlite:///{root / 'segmentation.db'}") as store:
        recorded = store.runs()
        assert [r.model_version for r in recorded] == [third.model_version, second.model_version, first.model_version]
        assert recorded[0].lineage_id != recorded[1].lineage_id == recorded[2].lineage_id
        assert len(store.memberships(second.model_version)) == 190


def test_rename_needs_the_api_key(tmp_path: Path, trained_root_copy: Path) -> None:
    with api(trained_root_copy, None) as client:  # no key configured: the endpoint is disabled
        answer = client.patch("/clusters/2", json={"name": "x"})
        assert answer.status_code == 403 and "SEGMENTATION_API_KEY" in answer.json()["detail"]
    with api(trained_root_copy, None, api_key=KEY) as client:
        assert client.patch("/clusters/2", json={"name": "x"}, headers={"X-API-Key": "wrong"}).status_code == 401
        assert client.patch("/clusters/2", json={"name": "x"}).status_code == 401
        headers = {"X-API-Key": KEY}
        missing = client.patch("/clusters/99", json={"name": "x"}, headers=headers)
        assert missing.status_code == 404 and "0..5" in missing.json()["detail"]
        assert client.patch("/clusters/2", json={}, headers=headers).status_code == 422
        assert client.patch("/clusters/2", json={"name": "x", "colour": "red"}, headers=headers).status_code == 422
        assert client.get("/clusters/2").json()["name"] != "x"  # nothing was saved by a refused request
        cleared = client.patch("/clusters/2", json={"name": "Named"}, headers=headers).json()
        assert cleared["name"] == "Named"
        back = client.patch("/clusters/2", json={"name": ""}, headers=headers).json()
        assert back["name"] == back["generated_name"] and back["user_name"] is None


@pytest.mark.slow
def test_new_segments_get_new_ids_and_gaps_are_served(tmp_path: Path, mall_csv: Path) -> None:
    """k=5, then k=6 and k=4 on the same customers: unmatched segments retire, new ones take ids never
    used before, and the API serves non-contiguous ids end to end."""
    root = tmp_path / "artifacts"
    ever: set[int] = set()
    result = None
    for k in (5, 6, 4):
        result = train(mall_csv, root, None, sweep=_sweep(k))
        assert result.lineage is not None
        info = result.lineage.info
        ids = [p.id for p in result.profiles]
        assert ids == sorted(ids) and len(set(ids)) == k
        assert set(info.new_ids).isdisjoint(ever)  # a new segment never reuses an id
        assert set(info.retired_ids) <= ever
        ever |= set(ids)
    assert result is not None
    ids = [p.id for p in result.profiles]
    assert ids != list(range(4))  # the k=4 model kept ids with gaps
    clustered = pd.read_csv(ArtifactPaths(root).clustered_csv)
    assert set(clustered["segment"]) == set(ids)
    with api(root, None) as client:
        assert [s["id"] for s in client.get("/clusters").json()["segments"]] == ids
        assert client.get(f"/clusters/{ids[-1]}").json()["id"] == ids[-1]
        customers = [{"age": a, "annual_income": i, "spending_score": s} for a, i, s in [(25, 20, 80), (50, 120, 10)]]
        scored = client.post("/predict/batch", json={"customers": customers}).json()["predictions"]
        assert {p["segment"] for p in scored} <= set(ids)
        assert {c["segment"] for c in client.get("/customers").json()["customers"]} == set(ids)
        assert len(client.get("/runs").json()["runs"]) == 3
    with Store(f"sqlite:///{root / 'segmentation.db'}") as store:
        lineage = result.lineage.info.lineage_id
        assert {r.segment_id for r in store.retired_segments(lineage)} == ever - set(ids)


def _sweep(k: int) -> Any:
    from customer_segmentation.modeling.select_k import SweepSettings

    return SweepSettings(pinned_k=k)


@pytest.fixture
def trained_root_copy(tmp_path: Path, trained: tuple[ArtifactPaths, RunResult]) -> Path:
    import shutil

    target = tmp_path / "trained"
    shutil.copytree(trained[0].root, target, symlinks=True)
    return target


@pytest.mark.slow
def test_an_unreachable_store_stops_the_run_before_publishing(
    previous_run: Path, tmp_path: Path, mall_csv: Path, snapshot: Any
) -> None:
    import shutil
    import subprocess
    import sys

    from customer_segmentation.config import PROJECT_ROOT

    root = tmp_path / "out"
    shutil.copytree(previous_run, root, symlinks=True)
    before = snapshot(root)
    env = {**os.environ, "SEGMENTATION_DATABASE_URL": "postgresql+psycopg://user:s3cret@127.0.0.1:1/segments"}
    done = subprocess.run(
        [
            sys.executable,
            str(PROJECT_ROOT / "backend/src/main.py"),
            "--data",
            str(mall_csv),
            "--output-root",
            str(root),
            "--quiet",
            "--bootstrap",
            "2",
            "--k",
            "4",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "127.0.0.1:1/segments" in lines[0] and "opening" in lines[0], lines
    assert "s3cret" not in done.stderr
    assert snapshot(root) == before  # nothing published, nothing recorded


def test_a_run_staged_elsewhere_links_to_the_served_run(
    tmp_path: Path, trained_root_copy: Path, mall_csv: Path
) -> None:
    """Training staged in a private folder (the API's training jobs) matches the served model and leaves
    recording to publishing: the store sees the run once it is published and reconciled."""
    served = read_card_version(trained_root_copy)
    staging = tmp_path / "staging"
    settings = Settings(artifacts_root=staging)
    staged = run(
        RunConfig(data=mall_csv, **QUICK),
        settings,
        paths=ArtifactPaths(staging),
        lineage_root=trained_root_copy,
        record=False,
    )
    assert staged.lineage is not None and staged.lineage.info.status == "continued"
    assert staged.lineage.info.parent_version == served
    assert not (staging / "segmentation.db").exists()
    with Store(f"sqlite:///{trained_root_copy / 'segmentation.db'}") as store:
        assert [r.model_version for r in store.runs()] == [served]


def read_card_version(root: Path) -> str:
    from customer_segmentation.artifacts import read_card

    return read_card(ArtifactPaths(root)).model_version
