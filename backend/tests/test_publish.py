"""Artifacts switch from one run to the next all at once — even when the pipeline is killed mid-run."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from customer_segmentation.artifacts import load_pipeline_trusted, read_card
from customer_segmentation.config import PROJECT_ROOT, ArtifactPaths
from customer_segmentation.publish import current_run, publish

MAIN = PROJECT_ROOT / "backend" / "src" / "main.py"


def test_publish_swaps_every_file_at_once(tmp_path: Path) -> None:
    publish(tmp_path, {"models/a.txt": b"1", "reports/b.txt": b"1", "reports/old.txt": b"x"})
    first = current_run(tmp_path)
    publish(tmp_path, {"models/a.txt": b"2", "reports/b.txt": b"2"})
    assert (tmp_path / "models/a.txt").read_bytes() == (tmp_path / "reports/b.txt").read_bytes() == b"2"
    assert not (tmp_path / "reports/old.txt").exists()  # no longer produced → no dangling link
    assert first is not None and first.is_dir()  # the previous run is kept for readers mid-way


def test_old_runs_are_pruned(tmp_path: Path) -> None:
    for i in range(6):
        publish(tmp_path, {"m.txt": str(i).encode()}, keep=2)
    runs = [p for p in (tmp_path / ".runs").iterdir() if p.is_dir() and not p.is_symlink()]
    assert len(runs) <= 3
    assert (tmp_path / "m.txt").read_text() == "5"


def _consistent(root: Path) -> int:
    """Model, card, clustered data and summary all describe the same run; returns its k."""
    paths = ArtifactPaths(root)
    card = read_card(paths).model_dump(mode="json")
    model = load_pipeline_trusted(paths)  # verifies the card's SHA-256 of the model
    k = card["k"]
    assert model.named_steps["kmeans"].n_clusters == k
    clustered = pd.read_csv(paths.clustered_csv)
    assert clustered["segment"].nunique() == k
    assert sorted(set(clustered["segment_name"])) == sorted(s["name"] for s in card["segments"])
    assert f"THE {k} SEGMENTS" in paths.summary.read_text()
    assert json.loads(paths.data_quality.read_text())["rows_out"] == card["data"]["rows_used"]
    return int(k)


@pytest.mark.slow
def test_killed_pipeline_leaves_a_consistent_previous_run(tmp_path: Path, mall_csv: Path) -> None:
    base = [
        sys.executable,
        str(MAIN),
        "--data",
        str(mall_csv),
        "--output-root",
        str(tmp_path),
        "--quiet",
        "--bootstrap",
        "3",
    ]
    subprocess.run([*base, "--k", "4"], check=True, capture_output=True, timeout=120)
    assert _consistent(tmp_path) == 4
    start = time.perf_counter()
    subprocess.run([*base, "--k", "5"], check=True, capture_output=True, timeout=120)
    duration = time.perf_counter() - start
    assert _consistent(tmp_path) == 5

    killed_mid_run = 0
    for i in range(8):
        delay = duration * (0.35 + 0.1 * i)  # from mid-training to the very end (publishing)
        process = subprocess.Popen([*base, "--k", str(4 + i % 2)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        if process.poll() is None:
            killed_mid_run += 1
            os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
        assert _consistent(tmp_path) in (4, 5)
    assert killed_mid_run >= 3
    subprocess.run([*base, "--k", "6"], check=True, capture_output=True, timeout=120)
    assert _consistent(tmp_path) == 6
