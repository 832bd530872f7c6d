"""Versioned schema changes: Alembic, configured in code, with its scripts shipped in this package.

``upgrade_to_head`` runs on every :class:`~.repository.Store` open, so a new release migrates the
database it finds. Concurrent openers (the API and a pipeline run) are serialised: a PostgreSQL
advisory lock, or SQLite's write lock, is held by the transaction that migrates.

To add a migration after changing ``models.py``::

    python -m customer_segmentation.store revision "what changed"

autogenerates it against a scratch SQLite database at head; review it before committing.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from .engine import WRITE, create_store_engine
from .models import Base

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: Arbitrary constant naming this application's migration lock among PostgreSQL advisory locks.
_PG_LOCK_KEY = 0x5E6_5709E


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration without an ini file: the scripts in this package, on ``connection``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade_engine(engine: Engine) -> None:
    """Migrate the database behind ``engine`` to head in one transaction (nothing to do: no write)."""
    with engine.connect() as connection:
        if current_revision(connection) == head_revision():
            return
    with _locked_transaction(engine) as connection:
        command.upgrade(alembic_config(connection), "head")


def downgrade_engine(engine: Engine, revision: str) -> None:
    """Migrate down to ``revision`` ("base": drop everything) — for tests and emergency rollbacks."""
    with _locked_transaction(engine) as connection:
        command.downgrade(alembic_config(connection), revision)


@contextmanager
def _locked_transaction(engine: Engine) -> Iterator[Connection]:
    with engine.connect().execution_options(**{WRITE: True}) as connection, connection.begin():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        yield connection


def upgrade_to_head(url: str) -> None:
    """Create or migrate the store at ``url`` to the newest schema."""
    engine = create_store_engine(url)
    try:
        upgrade_engine(engine)
    finally:
        engine.dispose()


def schema_differences(engine: Engine) -> list[object]:
    """What ``models.py`` declares that the database lacks (or vice versa): empty when at head."""
    with engine.connect() as connection:
        return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))


def new_revision(message: str) -> None:
    """Autogenerate a migration from the difference between ``models.py`` and head."""
    with tempfile.TemporaryDirectory() as scratch:
        engine = create_store_engine(f"sqlite:///{scratch}/scratch.db")
        try:
            upgrade_engine(engine)
            with engine.connect() as connection:
                command.revision(alembic_config(connection), message=message, autogenerate=True)
        finally:
            engine.dispose()
