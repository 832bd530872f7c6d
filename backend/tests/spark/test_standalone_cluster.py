"""``--engine spark`` against a real standalone Spark cluster, not ``local[...]``.

The test starts a master and one worker from pyspark's own jars (``org.apache.spark.deploy.master.
Master`` / ``…worker.Worker``, ``SPARK_HOME`` = the pyspark package folder) on 127.0.0.1 with free
ports, waits until the worker has registered, runs the CLI in a fresh process (so that it does not
reuse the tests' local session) with ``--spark-master spark://127.0.0.1:<port>``, checks the
artifacts and that the master ran the application on its worker, and stops both servers (their
whole process groups: the executor too) — also when anything fails. Every server listens on
loopback only (``SPARK_LOCAL_IP``); every wait is bounded.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from customer_segmentation.config import PROJECT_ROOT, ArtifactPaths
from customer_segmentation.modeling.card import ModelCard

from .marks import SPARK
from .tables import WHOLESALE_CATEGORICAL, WHOLESALE_FEATURES, write_wholesale_like

pytestmark = [*SPARK, pytest.mark.timeout(900)]
LOOPBACK = "127.0.0.1"
START_TIMEOUT = 120.0  # seconds for the master to answer and the worker to register
RUN_TIMEOUT = 600.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


@dataclass
class Cluster:
    url: str  # spark://127.0.0.1:<port>
    ui: str  # the master's web UI (JSON status at /json/)
    logs: Path

    def status(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"{self.ui}/json/", timeout=5) as response:
            data: dict[str, Any] = json.loads(response.read())
            return data


def _spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).resolve().parent


def _start(cls: str, args: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    java = shutil.which("java")
    assert java is not None
    # No REST submission server (it would take the fixed port 6066).
    options = ["-Xmx512m", "-Dspark.master.rest.enabled=false"]
    command = [java, *options, "-cp", str(_spark_home() / "jars" / "*"), cls, *args]
    with open(log, "wb") as handle:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT, env=env, start_new_session=True)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's own process group (a worker's executors included), then SIGKILL."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=20)


def _tail(path: Path) -> str:
    return path.read_text(errors="replace")[-2000:] if path.exists() else "(no log)"


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    pytest.importorskip("pyspark", reason="pip install -r backend/requirements-spark.txt")
    if shutil.which("java") is None:
        pytest.skip("the standalone cluster needs Java 17+ (make spark-install)")
    env = {
        **os.environ,
        "SPARK_HOME": str(_spark_home()),
        "SPARK_LOCAL_IP": LOOPBACK,
        # pip's pyspark is not a build tree: the worker's executor launcher needs the Scala version said.
        "SPARK_SCALA_VERSION": "2.13",
    }
    port, ui_port, worker_port, worker_ui = free_port(), free_port(), free_port(), free_port()
    url, ui = f"spark://{LOOPBACK}:{port}", f"http://{LOOPBACK}:{ui_port}"
    master_log, worker_log = tmp_path / "master.log", tmp_path / "worker.log"
    (tmp_path / "work").mkdir()
    processes = [
        _start(
            "org.apache.spark.deploy.master.Master",
            ["--host", LOOPBACK, "--port", str(port), "--webui-port", str(ui_port)],
            master_log,
            env,
        )
    ]
    try:
        processes.append(
            _start(
                "org.apache.spark.deploy.worker.Worker",
                [
                    *("--host", LOOPBACK, "--port", str(worker_port), "--webui-port", str(worker_ui)),
                    *("--cores", "1", "--memory", "1g", "--work-dir", str(tmp_path / "work")),
                    url,
                ],
                worker_log,
                env,
            )
        )
        running = Cluster(url, ui, tmp_path)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            for process, log in zip(processes, (master_log, worker_log), strict=True):
                if process.poll() is not None:
                    pytest.fail(f"{log.stem} exited with {process.returncode}:\n{_tail(log)}")
            try:
                if running.status().get("aliveworkers", 0) >= 1:
                    break
            except OSError:
                pass  # the master's UI is not up yet
            if time.monotonic() > deadline:
                pytest.fail(f"no worker registered within {START_TIMEOUT:.0f} s:\n{_tail(worker_log)}")
            time.sleep(1)
        yield running
    finally:
        for process in reversed(processes):
            _stop(process)


def test_cli_runs_on_a_standalone_cluster(cluster: Cluster, tmp_path: Path) -> None:
    data = write_wholesale_like(tmp_path / "customers.csv", n=300)
    out = tmp_path / "out"
    command = [
        sys.executable,
        str(PROJECT_ROOT / "backend" / "src" / "main.py"),
        *("--engine", "spark", "--spark-master", cluster.url),
        *("--data", str(data), "--output-root", str(out), "--quiet", "--bootstrap", "3"),
        *("--features", ",".join(WHOLESALE_FEATURES), "--categorical", ",".join(WHOLESALE_CATEGORICAL)),
        *("--spark-conf", f"spark.driver.host={LOOPBACK}", "--spark-conf", f"spark.driver.bindAddress={LOOPBACK}"),
        *("--spark-conf", "spark.executor.memory=512m", "--spark-conf", "spark.sql.shuffle.partitions=4"),
    ]
    env = {**os.environ, "SPARK_LOCAL_IP": LOOPBACK, "PYSPARK_PYTHON": sys.executable}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=RUN_TIMEOUT, check=False)
    assert done.returncode == 0, f"{done.stderr[-3000:]}\nworker log:\n{_tail(cluster.logs / 'worker.log')}"

    paths = ArtifactPaths(out)
    card = ModelCard.model_validate_json(paths.model_card.read_text(encoding="utf-8"))
    card.verify()
    assert card.engine == "spark"
    assert card.spark is not None and card.spark["master"] == cluster.url
    assert f"--spark-master {cluster.url}" in card.reproduce
    assert card.data.rows_used == 300 and card.data.id_column == "row_id"
    clustered = pd.read_csv(paths.clustered_csv)
    # Rows are numbered in file order: the blank 30th data row keeps its number, the repeated last row is dropped.
    assert clustered["row_id"].tolist() == [*range(1, 30), *range(31, 302)]
    assert clustered["segment"].nunique() == card.k
    assert len(list(paths.figures_dir.glob("*.png"))) >= 5
    # The master ran the application on its worker (not a local fallback).
    apps = cluster.status().get("completedapps", [])
    assert any(app.get("name") == "customer-segmentation" for app in apps), apps
