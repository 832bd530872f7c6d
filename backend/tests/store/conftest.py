"""Store fixtures: every test runs against SQLite and against a real PostgreSQL server.

The PostgreSQL server is Debian's (``/usr/lib/postgresql/<version>/bin``), started once per test
session in a temporary folder on 127.0.0.1 and a free port, with a random password, and stopped at
the end — also when tests fail. PostgreSQL refuses to run as root, so as root the server runs as the
``postgres`` user. Without the binaries the PostgreSQL tests fail under CI (``CI=true``), where
``make test`` installs them, and are skipped with the reason elsewhere.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import count
from pathlib import Path

import pytest

from customer_segmentation.store import Store

_DATABASES = count()


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    password: str

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres:{self.password}@{self.host}:{self.port}/{database}"

    @contextmanager
    def database(self) -> Iterator[str]:
        """A new, empty database on the server (each test gets its own), dropped afterwards: its URL."""
        name = f"store_test_{next(_DATABASES)}"
        self._admin(f'CREATE DATABASE "{name}"')
        try:
            yield self.url(name)
        finally:
            self._admin(f'DROP DATABASE "{name}" WITH (FORCE)')  # FORCE: a test may leave a connection

    def _admin(self, statement: str) -> None:
        import psycopg

        dsn = f"host={self.host} port={self.port} user=postgres password={self.password} dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(statement.encode())


def _bin_dir() -> Path | None:
    """The newest Debian PostgreSQL server's binaries, if installed."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    return found[-1].parent if found else None


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() in {"true", "1"}:
        pytest.fail(f"PostgreSQL tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL tests skipped: {reason} (install the Debian package 'postgresql')")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _run(command: list[str]) -> None:
    done = subprocess.run(_as_server_user(command), capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A throw-away PostgreSQL server on 127.0.0.1, for the whole session."""
    bin_dir = _bin_dir()
    if bin_dir is None:
        _unavailable("no /usr/lib/postgresql/<version>/bin/initdb")
    assert bin_dir is not None
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        _unavailable("running as root without runuser to drop to the postgres user")
    folder = Path(tempfile.mkdtemp(prefix="store-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data, log, password_file = folder / "data", folder / "server.log", folder / "password"
    password = secrets.token_hex(16)
    password_file.write_text(password)
    if os.geteuid() == 0:
        shutil.chown(password_file, "postgres", "postgres")
    port = _free_port()
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} "
        # A scratch server: durability buys nothing, fsync costs seconds.
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    )
    pg_ctl = str(bin_dir / "pg_ctl")
    started = False
    try:
        _run(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=scram-sha-256",
                f"--pwfile={password_file}",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            ]
        )
        _run([pg_ctl, "-D", str(data), "-l", str(log), "-o", options, "-w", "-t", "60", "start"])
        started = True
        yield PostgresServer("127.0.0.1", port, password)
    finally:
        if started:
            _run([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"])
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to a new, empty store: a SQLite file, or a fresh database on the test server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'segmentation.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    with server.database() as url:
        yield url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store(store_url) as opened:
        yield opened
