"""Shared fixtures: the canonical data (from the mirror), a trained run in a temp folder, and
synthetic customer tables with a known number of well-separated segments."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from customer_segmentation.config import PROJECT_ROOT, ArtifactPaths, Settings
from customer_segmentation.pipeline import RunConfig, RunResult, run

MIRROR = Path(os.environ.get("MALL_DATA_MIRROR", PROJECT_ROOT.parent / "shared" / "data")).resolve()
CANONICAL_CSV = MIRROR / "Mall_Customers.csv"


@pytest.fixture(scope="session")
def mirror_dir() -> Path:
    """The directory that MALL_DATA_MIRROR names (../shared/data by default)."""
    return MIRROR


@pytest.fixture(scope="session")
def mall_csv() -> Path:
    """The canonical 200-row file, read from the mirror (never committed to the repository)."""
    if not CANONICAL_CSV.is_file():
        pytest.fail(f"canonical data not found at {CANONICAL_CSV}: set MALL_DATA_MIRROR")
    return CANONICAL_CSV


@pytest.fixture(scope="session")
def wholesale_csv() -> Path:
    """The public UCI Wholesale customers table (440 rows, no id column), read from the mirror."""
    path = MIRROR / "wholesale_customers.csv"
    if not path.is_file():
        pytest.fail(f"wholesale data not found at {path}: set MALL_DATA_MIRROR to ../shared/data")
    return path


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory, mall_csv: Path) -> tuple[ArtifactPaths, RunResult]:
    """One full pipeline run on the canonical data, with every artifact in a temporary folder."""
    root = tmp_path_factory.mktemp("trained")
    paths = ArtifactPaths(root)
    settings = Settings(artifacts_root=root, data_mirror=MIRROR)
    result = run(RunConfig(data=mall_csv), settings, paths=paths)
    return paths, result


def snapshot_tree(root: Path) -> dict[str, str]:
    """SHA-256 of every file under ``root``: compare before/after to prove nothing was touched."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def snapshot() -> Callable[[Path], dict[str, str]]:
    return snapshot_tree


@pytest.fixture(scope="session")
def previous_run(tmp_path_factory: pytest.TempPathFactory, mall_csv: Path) -> Path:
    """An output folder holding a complete earlier CLI run (rejected inputs must leave it untouched)."""
    from customer_segmentation.cli import main

    root = tmp_path_factory.mktemp("previous_run")
    assert main(["--data", str(mall_csv), "--output-root", str(root), "-q", "--bootstrap", "2"]) == 0
    return root


def make_blobs_frame(k: int, n_per: int = 60, seed: int = 0) -> pd.DataFrame:
    """A customer table with ``k`` tight, well-separated groups in (age, income, spending)."""
    rng = np.random.default_rng(seed)
    centres = np.column_stack(
        [
            rng.permutation(np.linspace(22, 68, k)),
            np.linspace(20, 130, k),
            rng.permutation(np.linspace(8, 92, k)),
        ]
    )
    rows = []
    for i, (age, income, spending) in enumerate(centres):
        rows.append(
            np.column_stack(
                [
                    np.clip(rng.normal(age, 1.0, n_per), 18, 90).round(),
                    np.clip(rng.normal(income, 1.5, n_per), 1, 200).round(),
                    np.clip(rng.normal(spending, 1.5, n_per), 1, 100).round(),
                    np.full(n_per, i),
                ]
            )
        )
    data = np.vstack(rows)
    return pd.DataFrame(
        {
            "customer_id": np.arange(1, len(data) + 1).astype(str),
            "gender": np.where(rng.random(len(data)) < 0.5, "Female", "Male"),
            "age": data[:, 0].astype(int).astype(str),
            "annual_income": data[:, 1].astype(int).astype(str),
            "spending_score": data[:, 2].astype(int).astype(str),
            "true_group": data[:, 3].astype(int),
        }
    )


@pytest.fixture
def blobs_frame() -> Callable[..., pd.DataFrame]:
    return make_blobs_frame
