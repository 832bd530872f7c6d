"""Fixtures for the API tests: apps built on trained artifact folders (never backend/ itself).

The session's ``trained`` run (tests/conftest.py) is shared read-only; tests that tamper with
artifacts or retrain work on a copy (``artifacts_copy``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from customer_segmentation.api.app import create_app
from customer_segmentation.api.settings import ApiSettings
from customer_segmentation.config import ArtifactPaths, Settings
from customer_segmentation.pipeline import RunConfig, RunResult, run

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
GENDER_FEATURES = ("gender", "age", "annual_income", "spending_score")


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings come from the test, never from the developer's SEGMENTATION_* variables."""
    for name in list(os.environ):
        if name.startswith("SEGMENTATION_"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def trained_root(trained: tuple[ArtifactPaths, RunResult]) -> Path:
    return trained[0].root


@pytest.fixture(scope="session")
def trained_result(trained: tuple[ArtifactPaths, RunResult]) -> RunResult:
    return trained[1]


@pytest.fixture(scope="session")
def trained_gender(tmp_path_factory: pytest.TempPathFactory, mall_csv: Path) -> tuple[Path, RunResult]:
    """A second model that uses gender as a feature (so the encoder path is exercised too)."""
    root = tmp_path_factory.mktemp("trained-gender")
    config = RunConfig(data=mall_csv, features=GENDER_FEATURES, bootstrap_resamples=2)
    result = run(config, Settings(artifacts_root=root, data_mirror=mall_csv.parent), paths=ArtifactPaths(root))
    return root, result


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., ApiSettings]:
    """ApiSettings on ``root`` with no dashboard and no API key unless the test says otherwise."""

    def factory(root: Path, **overrides: Any) -> ApiSettings:
        values: dict[str, Any] = {"artifacts_root": root, "frontend_dir": tmp_path / "no-frontend"}
        values.update(overrides)
        return ApiSettings(**values)

    return factory


@pytest.fixture
def api_settings(trained_root: Path, make_settings: Callable[..., ApiSettings]) -> ApiSettings:
    return make_settings(trained_root)


@contextmanager
def serve(settings: ApiSettings, **client_options: Any) -> Iterator[TestClient]:
    """A TestClient with the lifespan run (the model is loaded on entry)."""
    with TestClient(create_app(settings), **client_options) as client:
        yield client


@pytest.fixture
def client(api_settings: ApiSettings) -> Iterator[TestClient]:
    with serve(api_settings) as test_client:
        yield test_client


@pytest.fixture
def artifacts_copy(tmp_path: Path, trained_root: Path) -> Path:
    """A private copy of the trained artifacts, free to tamper with or retrain into."""
    target = tmp_path / "artifacts"
    shutil.copytree(trained_root, target, symlinks=True)
    return target


def model_paths(root: Path) -> ArtifactPaths:
    """Where the served files really are (inside the published run when runs are used)."""
    from customer_segmentation.api.services.model_store import snapshot_paths

    return snapshot_paths(root)
