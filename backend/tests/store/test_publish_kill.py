"""A CLI killed (SIGKILL) at any point of publishing leaves the published model and the store consistent.

The order is: publish the artifacts (one symlink swap), then record the run (one transaction). So the
only possible gap is a published run the store has not recorded yet — never a recorded run that was
not published — and the next run (or the API, when it serves that run) records it from its artifacts.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from customer_segmentation.api.app import create_app
from customer_segmentation.api.settings import ApiSettings
from customer_segmentation.artifacts import read_card
from customer_segmentation.config import PROJECT_ROOT, ArtifactPaths
from customer_segmentation.store import Store

MAIN = PROJECT_ROOT / "backend" / "src" / "main.py"
CHILD = Path(__file__).with_name("kill_cli_child.py")


def _cli(mall_csv: Path, root: Path) -> list[str]:
    return ["--data", str(mall_csv), "--output-root", str(root), "--quiet", "--bootstrap", "2"]


def _kill_at(point: str, args: list[str]) -> None:
    """Run the CLI in a child that freezes at ``point``, then SIGKILL it there."""
    child = subprocess.Popen(
        [sys.executable, str(CHILD), point, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()  # blocks until the child reaches the point (or ends)
        assert line.strip() == f"FROZEN {point}", (line, child.stderr.read() if child.stderr else "")
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=60)


def _state(root: Path) -> tuple[str, str | None, list[str]]:
    """(published version, its parent, recorded versions newest first)."""
    card = read_card(ArtifactPaths(root))
    with Store(f"sqlite:///{root / 'segmentation.db'}") as store:
        recorded = [r.model_version for r in store.runs()]
    parent = card.lineage.parent_version if card.lineage else None
    return card.model_version, parent, recorded


@pytest.mark.slow
def test_a_kill_during_publishing_leaves_model_and_store_consistent(tmp_path: Path, mall_csv: Path) -> None:
    root = tmp_path / "out"
    args = _cli(mall_csv, root)
    subprocess.run([sys.executable, str(MAIN), *args], check=True, capture_output=True, timeout=300)
    published_ever = [_state(root)[0]]
    assert _state(root)[2] == published_ever

    # Killed before the commit point: the previous run stays published, the store is unchanged.
    _kill_at("swap", args)
    version, _, recorded = _state(root)
    assert version == published_ever[-1] and recorded == published_ever[::-1]

    # Killed after publishing, before recording: the new run is served but not recorded yet ...
    _kill_at("recorded-not", args)
    version, parent, recorded = _state(root)
    assert version not in published_ever and parent == published_ever[-1]
    assert recorded == published_ever[::-1]  # never a recorded run that was not published
    published_ever.append(version)
    # ... and the API, serving it, records it from the artifacts it loaded before it lists runs.
    settings = ApiSettings(artifacts_root=root, frontend_dir=root / "no-frontend")
    with TestClient(create_app(settings)) as client:
        runs = client.get("/runs").json()["runs"]
    assert [r["model_version"] for r in runs] == published_ever[::-1]
    assert runs[0]["served"] and runs[0]["parent_version"] == published_ever[-2]

    # Killed inside the store's transaction: it rolls back; the run stays published and unrecorded ...
    _kill_at("mid-record", args)
    version, parent, recorded = _state(root)
    assert version not in published_ever and parent == published_ever[-1]
    assert recorded == published_ever[::-1]
    published_ever.append(version)

    # ... until the next run, which records it before linking to it.
    subprocess.run([sys.executable, str(MAIN), *args], check=True, capture_output=True, timeout=300)
    version, parent, recorded = _state(root)
    assert parent == published_ever[-1]
    published_ever.append(version)
    assert recorded == published_ever[::-1]
    with Store(f"sqlite:///{root / 'segmentation.db'}") as store:
        reconciled = store.run(published_ever[-2])
        assert reconciled is not None and reconciled.run.parent_version == published_ever[-3]
        assert len(store.memberships(published_ever[-2])) == 200
        assert len({r.lineage_id for r in store.runs()}) == 1  # one lineage throughout
