"""Where the store lives by default, and the SQLite settings its guarantees depend on."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from customer_segmentation.config import Settings
from customer_segmentation.store import ENV_VAR, database_url
from customer_segmentation.store.engine import create_store_engine


def test_the_default_is_a_sqlite_file_beside_the_artifacts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    url = database_url(Settings(artifacts_root=tmp_path))
    assert url == f"sqlite:///{tmp_path.resolve() / 'segmentation.db'}"


def test_the_environment_variable_wins_over_the_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, "postgresql+psycopg://user@db.example/segments")
    assert database_url(Settings(artifacts_root=tmp_path)) == "postgresql+psycopg://user@db.example/segments"


def test_a_database_url_setting_wins_over_everything(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, "sqlite:///ignored.db")

    class WithUrl:
        artifacts_root = tmp_path
        database_url = "sqlite:///chosen.db"

    assert database_url(WithUrl()) == "sqlite:///chosen.db"


def test_sqlite_runs_in_wal_mode_with_foreign_keys_on(tmp_path: Path) -> None:
    engine = create_store_engine(f"sqlite:///{tmp_path / 'nested' / 'store.db'}")  # folders are created
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        engine.dispose()
