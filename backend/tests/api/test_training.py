"""Training from an upload: POST /runs (API key) → 202, GET /runs/{id} by stage until done or failed,
the comparison with the served model, publish (the served segments change) and discard."""

from __future__ import annotations

import fcntl
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from customer_segmentation.api.services.staging import LOCK_NAME, training_root
from customer_segmentation.api.services.training_job import CUSTOMER_STAGES, TRANSACTION_STAGES
from customer_segmentation.api.settings import ApiSettings
from customer_segmentation.publish import current_run
from customer_segmentation.transactions.synth import write_transactions

from .conftest import serve

KEY = "train-key"
WHOLESALE_SPEND = ["Fresh", "Milk", "Grocery", "Frozen", "Detergents_Paper", "Delicassen"]
#: Small sweeps keep each training to a few seconds.
QUICK = {"k_min": 2, "k_max": 4, "bootstrap_resamples": 2}


def post_run(client: TestClient, path: Path, options: dict[str, Any], key: str | None = KEY) -> httpx.Response:
    headers = {"X-API-Key": key} if key is not None else {}
    return client.post(
        "/runs",
        files={"file": (path.name, path.read_bytes(), "text/csv")},
        data={"options": json.dumps(options)},
        headers=headers,
    )


def wait(client: TestClient, run_id: str, timeout: float = 180) -> dict[str, Any]:
    """Poll until the run is no longer running; return its last status."""
    deadline = time.monotonic() + timeout
    while True:
        status = client.get(f"/runs/{run_id}")
        assert status.status_code == 200, status.text
        body = status.json()
        if body["state"] != "running" and body["finished_at"] is not None:
            return body
        assert time.monotonic() < deadline, body
        time.sleep(0.2)


def job_folders(root: Path) -> list[str]:
    folder = training_root(root)
    return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.exists() else []


@pytest.fixture
def keyed(artifacts_copy: Path, make_settings: Callable[..., ApiSettings]) -> Iterator[TestClient]:
    with serve(make_settings(artifacts_copy, api_key=KEY)) as client:
        yield client


def test_train_watch_compare_and_publish(keyed: TestClient, artifacts_copy: Path, wholesale_csv: Path) -> None:
    before = keyed.get("/clusters").json()
    served_run = current_run(artifacts_copy)
    started = post_run(keyed, wholesale_csv, {"features": WHOLESALE_SPEND, **QUICK})
    assert started.status_code == 202, started.text
    accepted = started.json()
    run_id = accepted["run_id"]
    assert run_id.startswith("job-") and accepted["status_url"] == f"/runs/{run_id}"
    assert accepted["input_kind"] == "customers" and accepted["state"] == "running"

    second = post_run(keyed, wholesale_csv, {"features": WHOLESALE_SPEND, **QUICK})
    assert second.status_code == 409 and run_id in second.json()["detail"]
    assert keyed.get(f"/runs/{run_id}").json()["stages"][0]["name"] == "Loading data"

    status = wait(keyed, run_id)
    assert status["state"] == "done", status["error"]
    assert status["progress"] == 1.0 and status["error"] is None
    names = [s["name"] for s in status["stages"]]
    assert len(names) == len(CUSTOMER_STAGES)
    assert all(n.startswith(expected) for n, expected in zip(names, CUSTOMER_STAGES, strict=True)), names
    assert all(s["state"] == "done" and s["seconds"] >= 0 for s in status["stages"])
    sweep = next(s for s in status["stages"] if s["name"].startswith("Choosing k"))
    assert sweep["steps_total"] == sweep["steps_done"] == 3 and sweep["detail"].startswith("k=")
    result = status["result"]
    assert result["features"] == [f.lower() for f in WHOLESALE_SPEND] and 2 <= result["k"] <= 4
    assert [s["k"] for s in result["k_selection"]["scores"]] == [2, 3, 4]
    assert status["k_certainty"] is not None and status["k"] == result["k"]
    assert sum(s["size"] for s in status["segments"]) == 440
    comparison = status["comparison"]
    assert comparison["served_version"] == before["model_version"] and comparison["served_k"] == before["k"]
    assert comparison["same_schema"] is False
    assert comparison["migration"]["status"] == "fresh" and comparison["migration"]["migration"] is None
    assert comparison["migration"]["parent_version"] == before["model_version"]
    assert current_run(artifacts_copy) == served_run  # nothing was published yet
    assert keyed.get("/clusters").json() == before

    published = keyed.post(f"/runs/{run_id}/publish", headers={"X-API-Key": KEY})
    assert published.status_code == 200, published.text
    assert published.json() == {
        "run_id": run_id,
        "model_version": status["model_version"],
        "previous_version": before["model_version"],
        "k": result["k"],
        "warnings": [],
    }
    now = keyed.get("/clusters").json()
    assert now["model_version"] == status["model_version"] and now["features"] == result["features"]
    assert now["segments"] == result["segments"]
    assert keyed.get("/customers", params={"page": 1}).json()["total"] == 440
    assert current_run(artifacts_copy) != served_run
    assert job_folders(artifacts_copy) == []  # the staging folder is gone
    assert keyed.get(f"/runs/{run_id}").json()["state"] == "published"
    version = keyed.get(f"/runs/{status['model_version']}").json()
    assert version["kind"] == "version" and version["state"] == "published" and version["k"] == result["k"]
    listed = {r["model_version"]: r for r in keyed.get("/runs").json()["runs"]}
    assert listed[status["model_version"]]["served"] is True and before["model_version"] in listed
    previous = keyed.get(f"/runs/{before['model_version']}").json()  # no longer served: from the store
    assert previous["kind"] == "version" and previous["k"] == before["k"] and previous["result"] is None
    assert [s["id"] for s in previous["segments"]] == [s["id"] for s in before["segments"]]

    again = keyed.post(f"/runs/{run_id}/publish", headers={"X-API-Key": KEY})
    assert again.status_code == 409 and "already published" in again.json()["detail"]
    assert keyed.delete(f"/runs/{run_id}", headers={"X-API-Key": KEY}).status_code == 409


def test_same_schema_shows_the_migration_and_discard_removes_the_run(
    keyed: TestClient, artifacts_copy: Path, mall_csv: Path
) -> None:
    before = keyed.get("/clusters").json()
    run_id = post_run(
        keyed, mall_csv, {"features": ["age", "annual_income", "spending_score"], "k": 4, **QUICK}
    ).json()["run_id"]
    status = wait(keyed, run_id)
    assert status["state"] == "done", status["error"]
    comparison = status["comparison"]
    assert comparison["same_schema"] is True
    report = comparison["migration"]
    assert report["status"] == "continued" and report["parent_version"] == before["model_version"]
    migration = report["migration"]
    assert migration["in_both"] == 200 and migration["only_old"] == migration["only_new"] == 0
    assert sum(map(sum, migration["counts"])) == 200
    assert migration["old_segments"] == list(range(before["k"])) and len(migration["new_segments"]) == 4
    assert sorted(s["id"] for s in status["segments"]) == migration["new_segments"]  # stable ids
    assert job_folders(artifacts_copy) == [run_id]

    discarded = keyed.delete(f"/runs/{run_id}", headers={"X-API-Key": KEY})
    assert discarded.status_code == 200 and discarded.json()["state"] == "discarded"
    assert job_folders(artifacts_copy) == []
    refused = keyed.post(f"/runs/{run_id}/publish", headers={"X-API-Key": KEY})
    assert refused.status_code == 409 and "discarded" in refused.json()["detail"]
    assert keyed.get("/clusters").json() == before


def test_a_running_training_can_be_discarded(keyed: TestClient, artifacts_copy: Path, mall_csv: Path) -> None:
    run_id = post_run(keyed, mall_csv, {"features": ["age", "annual_income", "spending_score"]}).json()["run_id"]
    answer = keyed.delete(f"/runs/{run_id}", headers={"X-API-Key": KEY})
    assert answer.status_code == 200 and answer.json()["state"] == "discarded"
    status = wait(keyed, run_id, timeout=60)  # it stops at its next stage
    assert status["state"] == "discarded" and status["error"] is None
    assert job_folders(artifacts_copy) == []
    assert post_run(keyed, mall_csv, {"features": ["age"], **QUICK}).status_code == 202  # the slot is free


def test_a_failed_training_says_why_in_one_line(keyed: TestClient, artifacts_copy: Path, tmp_path: Path) -> None:
    tiny = tmp_path / "tiny.csv"
    tiny.write_text("ID,spend,visits\n1,10,3\n2,20,4\n3,300,9\n")
    run_id = post_run(keyed, tiny, {"features": ["spend", "visits"], "k": 5, **QUICK}).json()["run_id"]
    status = wait(keyed, run_id)
    assert status["state"] == "failed" and status["result"] is None and status["model_version"] is None
    assert "usable rows" in status["error"] and "\n" not in status["error"]
    assert str(artifacts_copy) not in status["error"]
    assert job_folders(artifacts_copy) == []
    assert keyed.post(f"/runs/{run_id}/publish", headers={"X-API-Key": KEY}).status_code == 409


def test_order_lines_are_trained_on_their_rfm_columns(keyed: TestClient, tmp_path: Path) -> None:
    orders = write_transactions(tmp_path / "orders.csv", lines=4_000, seed=3)
    answer = post_run(keyed, orders, {"features": ["recency_days", "frequency", "monetary"], **QUICK})
    assert answer.status_code == 202, answer.text
    assert answer.json()["input_kind"] == "transactions"
    status = wait(keyed, answer.json()["run_id"])
    assert status["state"] == "done", status["error"]
    assert status["input_kind"] == "transactions"
    assert status["result"]["features"] == ["recency_days", "frequency", "monetary"]
    names = [s["name"] for s in status["stages"]]
    assert all(n.startswith(expected) for n, expected in zip(names, TRANSACTION_STAGES, strict=True)), names
    assert len(names) == len(TRANSACTION_STAGES)


@pytest.mark.parametrize(
    ("options", "field", "words"),
    [
        ("{not json", "options", "JSON"),
        (json.dumps({"k_min": 2}), "options.features", "Field required"),
        (json.dumps({"features": []}), "options.features", "at least 1"),
        (json.dumps({"features": ["age"], "k_min": 6, "k_max": 3}), "options", "k_min (6) is above k_max (3)"),
        (json.dumps({"features": ["age"], "colour": "red"}), "options.colour", "Extra inputs"),
        (json.dumps({"features": ["age", "nope"]}), "options", "'nope'"),
        (json.dumps({"features": ["age"], "transforms": {"age": "sqrt"}}), "options.transforms.age", "none"),
    ],
)
def test_bad_options_are_422_and_start_nothing(
    keyed: TestClient, artifacts_copy: Path, mall_csv: Path, options: str, field: str, words: str
) -> None:
    answer = keyed.post(
        "/runs",
        files={"file": ("m.csv", mall_csv.read_bytes(), "text/csv")},
        data={"options": options},
        headers={"X-API-Key": KEY},
    )
    assert answer.status_code == 422, answer.text
    assert words in answer.json()["detail"]
    assert [e["field"] for e in answer.json()["errors"]] == [field]
    assert job_folders(artifacts_copy) == []


def test_order_lines_take_no_categorical_options(keyed: TestClient, tmp_path: Path) -> None:
    orders = write_transactions(tmp_path / "orders.csv", lines=2_000, seed=4)
    answer = post_run(keyed, orders, {"features": ["frequency"], "categorical": ["frequency"]})
    assert answer.status_code == 422 and "order-line export" in answer.json()["detail"]
    answer = post_run(keyed, orders, {"features": ["age"]})
    assert answer.status_code == 422 and "unknown feature 'age'" in answer.json()["detail"]


def test_the_key_is_required(artifacts_copy: Path, make_settings: Callable[..., ApiSettings], mall_csv: Path) -> None:
    options = {"features": ["age"], **QUICK}
    with serve(make_settings(artifacts_copy)) as client:  # no key configured: disabled
        answer = post_run(client, mall_csv, options, key="anything")
        assert answer.status_code == 403 and "SEGMENTATION_API_KEY" in answer.json()["detail"]
        for method, path in (("post", "/runs/job-x/publish"), ("delete", "/runs/job-x")):
            assert client.request(method, path, headers={"X-API-Key": "k"}).status_code == 403
    with serve(make_settings(artifacts_copy, api_key=KEY)) as client:
        for key in (None, "wrong"):
            answer = post_run(client, mall_csv, options, key=key)
            assert answer.status_code == 401 and "X-API-Key" in answer.json()["detail"]
            for method, path in (("post", "/runs/job-x/publish"), ("delete", "/runs/job-x")):
                headers = {"X-API-Key": key} if key else {}
                assert client.request(method, path, headers=headers).status_code == 401
        assert job_folders(artifacts_copy) == []
        # With the key, an unknown run is a 404 (the key is checked first).
        assert client.post("/runs/job-x/publish", headers={"X-API-Key": KEY}).status_code == 404


def test_unknown_runs_are_404_and_the_served_version_is_known(client: TestClient) -> None:
    missing = client.get("/runs/job-000000000000")
    assert missing.status_code == 404 and "job-000000000000" in missing.json()["detail"]
    assert client.get("/runs/bad id!").status_code in (404, 422)
    version = client.get("/health").json()["model_version"]
    served = client.get(f"/runs/{version}").json()
    assert served["kind"] == "version" and served["state"] == "published"
    assert served["result"] == client.get("/clusters").json()


def test_startup_removes_what_a_killed_training_left(
    artifacts_copy: Path, make_settings: Callable[..., ApiSettings]
) -> None:
    dead = training_root(artifacts_copy) / "job-dead00000000"
    (dead / "artifacts" / ".runs" / ".staging-x").mkdir(parents=True)
    (dead / LOCK_NAME).touch()
    (dead / "upload.csv").write_text("a\n1\n")
    alive = training_root(artifacts_copy) / "job-alive0000000"
    alive.mkdir()
    with open(alive / LOCK_NAME, "a+") as lock:  # another live server process holds this one
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with serve(make_settings(artifacts_copy)) as client:
            assert client.get("/health").status_code == 200
            assert job_folders(artifacts_copy) == ["job-alive0000000"]
