"""Where the store lives and how to connect to it, with the per-backend settings atomicity relies on.

SQLite: the ``sqlite3`` driver's own transaction handling starts transactions lazily (only before
INSERT/UPDATE/DELETE) and leaves DDL outside them, so it is switched off and every SQLAlchemy
transaction begins with an explicit ``BEGIN`` — a migration or a run is then all-or-nothing. Writes
begin with ``BEGIN IMMEDIATE`` (take the write lock up front: two writers queue instead of failing
half-way with "database is locked"); reads begin with a plain ``BEGIN`` and, in WAL mode, never wait
for a writer, so the API keeps answering while a large run is recorded. Foreign keys are off in
SQLite unless asked for, per connection.
"""

from __future__ import annotations

import json
import os
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url

ENV_VAR = "SEGMENTATION_DATABASE_URL"
DEFAULT_FILENAME = "segmentation.db"
#: Execution option that makes a SQLite transaction take the write lock when it begins.
WRITE = "store_write"
#: How long a SQLite writer waits for another writer (a 10 M-row run takes tens of seconds).
SQLITE_BUSY_TIMEOUT_S = 120.0


class HasArtifactsRoot(Protocol):
    artifacts_root: Path


def database_url(settings: HasArtifactsRoot) -> str:
    """The store's URL: ``settings.database_url`` if set, else ``SEGMENTATION_DATABASE_URL``, else a
    SQLite file beside the artifacts (``<artifacts_root>/segmentation.db``)."""
    configured = getattr(settings, "database_url", None) or os.environ.get(ENV_VAR)
    if configured:
        return str(configured)
    return f"sqlite:///{Path(settings.artifacts_root).resolve() / DEFAULT_FILENAME}"


def create_store_engine(url: str) -> Engine:
    """An engine for ``url`` (``sqlite:///…`` or ``postgresql+psycopg://…``, any SQLAlchemy URL)."""
    parsed = make_url(url)
    # NaN is not JSON: PostgreSQL rejects it, SQLite would store it; refuse it the same way on both.
    serializer = partial(json.dumps, allow_nan=False)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, json_serializer=serializer, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, json_serializer=serializer, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # autocommit at the driver: we issue BEGIN ourselves
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    immediate = connection.get_execution_options().get(WRITE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
