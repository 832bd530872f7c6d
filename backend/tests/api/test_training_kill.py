"""A server killed mid-training (SIGKILL: no shutdown code runs) publishes nothing, and the next start
removes the half-written staging folder it left."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from customer_segmentation.api.services.staging import training_root
from customer_segmentation.config import PROJECT_ROOT
from customer_segmentation.publish import current_run

from .live_server import free_port, live_server

KEY = "kill-key"


@contextmanager
def uvicorn(root: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """A uvicorn serving ``root`` (as live_server does), with its process handle to kill it."""
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SEGMENTATION_")},
        "SEGMENTATION_ARTIFACTS_ROOT": str(root),
        "SEGMENTATION_FRONTEND_DIR": str(root / "no-frontend"),
        "SEGMENTATION_API_KEY": KEY,
    }
    command = [sys.executable, "-m", "uvicorn", "backend.src.main:app", "--host", "127.0.0.1", "--port", str(port)]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                assert process.poll() is None, "uvicorn exited early"
                try:
                    if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "uvicorn did not answer /health within 30 s"
                time.sleep(0.1)
            yield process, base
        finally:
            if process.poll() is None:
                process.kill()
            process.wait()


def served_files(snapshot: Callable[[Path], dict[str, str]], root: Path) -> dict[str, str]:
    """Every file under the root but the staging folders and the store's database."""
    return {
        name: digest
        for name, digest in snapshot(root).items()
        if not name.startswith(".training/") and not name.startswith("segmentation.db")
    }


def test_a_server_killed_mid_training_publishes_nothing_and_leaves_nothing(
    artifacts_copy: Path, mall_csv: Path, snapshot: Callable[[Path], dict[str, str]]
) -> None:
    before = served_files(snapshot, artifacts_copy)
    published = current_run(artifacts_copy)
    with uvicorn(artifacts_copy) as (process, base):
        version = httpx.get(f"{base}/health").json()["model_version"]
        started = httpx.post(
            f"{base}/runs",
            files={"file": ("mall.csv", mall_csv.read_bytes(), "text/csv")},
            data={"options": json.dumps({"features": ["age", "annual_income", "spending_score"]})},
            headers={"X-API-Key": KEY},
            timeout=30,
        )
        assert started.status_code == 202, started.text
        run_id = started.json()["run_id"]
        deadline = time.monotonic() + 60
        while True:  # kill it inside the k sweep, with the staging folder half-written
            status = httpx.get(f"{base}/runs/{run_id}", timeout=10).json()
            assert status["state"] == "running", status
            if len(status["stages"]) >= 4:
                break
            assert time.monotonic() < deadline, status
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert (training_root(artifacts_copy) / run_id).is_dir()  # what the killed server left
    assert current_run(artifacts_copy) == published
    assert served_files(snapshot, artifacts_copy) == before

    with live_server(artifacts_copy) as base:
        assert httpx.get(f"{base}/health").json()["model_version"] == version
        assert not (training_root(artifacts_copy) / run_id).exists()  # removed at startup
        assert httpx.get(f"{base}/runs/{run_id}").status_code == 404
    assert served_files(snapshot, artifacts_copy) == before
