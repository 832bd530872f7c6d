"""A real uvicorn over real HTTP: the documented command serves the app; hot reload under load."""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from customer_segmentation.artifacts import read_card
from customer_segmentation.pipeline import RunResult

from .conftest import model_paths
from .live_server import live_server
from .test_reload import retrain

KEY = "live-key"
CUSTOMERS = [
    {"gender": "Female", "age": 31, "annual_income": 87, "spending_score": 82},
    {"gender": "Male", "age": 52, "annual_income": 23, "spending_score": 12},
    {"gender": "f", "age": 23, "annual_income": 60, "spending_score": 50},
]


@pytest.mark.slow
def test_uvicorn_serves_the_api_over_http(trained_root: Path, trained_result: RunResult) -> None:
    with live_server(trained_root) as base, httpx.Client(base_url=base, timeout=10) as http:
        health = http.get("/health").json()
        assert health["status"] == "ok" and health["model_version"] == trained_result.model_version
        prediction = http.post("/predict", json=CUSTOMERS[0])
        assert prediction.status_code == 200 and prediction.json()["segment"] >= 0
        bad = http.post("/predict", json={**CUSTOMERS[0], "age": "old"})
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "age"
        csv = "Gender,Age,Annual Income (k$),Spending Score (1-100)\nMale,40,60,50\nMale,x,60,50\n"
        scored = http.post("/predict/csv", files={"file": ("a.csv", csv.encode(), "text/csv")})
        assert scored.status_code == 200 and scored.headers["x-rows-failed"] == "1"
        assert http.get("/clusters").json()["k"] == trained_result.selection.chosen_k
        assert http.get("/docs").status_code == 200
        preflight = http.options(
            "/predict",
            headers={"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST"},
        )
        assert preflight.headers["access-control-allow-origin"] == "http://localhost:3000"


@pytest.mark.slow
def test_reload_under_concurrent_load_loses_no_request(artifacts_copy: Path, mall_csv: Path) -> None:
    """Clients hammer /predict while a new model is trained and swapped in: every request succeeds
    and every answer is consistent with the model version it reports."""
    old_card = read_card(model_paths(artifacts_copy)).model_dump(mode="json")
    names = {old_card["model_version"]: {s["id"]: s["name"] for s in old_card["segments"]}}  # by stable id
    results: list[tuple[int, dict]] = []
    failures: list[str] = []
    stop = threading.Event()
    lock = threading.Lock()

    def client_loop(offset: int) -> None:
        with httpx.Client(base_url=base, timeout=20) as http:
            i = offset
            while not stop.is_set():
                try:
                    answer = http.post("/predict", json=CUSTOMERS[i % len(CUSTOMERS)])
                    with lock:
                        results.append((answer.status_code, answer.json()))
                except Exception as exc:  # a dropped connection is a failure too
                    with lock:
                        failures.append(repr(exc))
                i += 1

    with live_server(artifacts_copy, SEGMENTATION_API_KEY=KEY) as base:
        threads = [threading.Thread(target=client_loop, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        time.sleep(0.5)
        new_version = retrain(artifacts_copy, mall_csv, k=3)  # publishes while the server reads
        new_card = read_card(model_paths(artifacts_copy)).model_dump(mode="json")
        names[new_version] = {s["id"]: s["name"] for s in new_card["segments"]}
        with httpx.Client(base_url=base, timeout=20) as http:
            for _ in range(10):  # repeated swaps under load
                reload = http.post("/model/reload", headers={"X-API-Key": KEY})
                assert reload.status_code == 200, reload.text
                time.sleep(0.05)
            swapped_at = len(results)
            time.sleep(0.5)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)

    assert not failures, failures[:3]
    statuses = Counter(status for status, _ in results)
    assert statuses == {200: len(results)}, statuses
    versions = Counter(body["model_version"] for _, body in results)
    assert set(versions) == {old_card["model_version"], new_version}, versions
    assert len(results) > 200, len(results)
    for _, body in results:  # each answer is wholly from one model
        assert body["segment_name"] == names[body["model_version"]][body["segment"]]
    after = [body["model_version"] for _, body in results[swapped_at + 8 :]]  # skip requests in flight
    assert after and set(after) == {new_version}
