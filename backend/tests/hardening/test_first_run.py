"""A first run needs nothing it doesn't use (issue 14): `make run` installs the runtime requirements
only and no Debian package, a busy port is reported before any set-up, HOST/PORT are documented,
`make test` installs the rest and runs lint."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from customer_segmentation.config import PROJECT_ROOT

MAKE = shutil.which("make")
pytestmark = pytest.mark.skipif(MAKE is None, reason="needs make")


def make(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(MAKE), "--no-print-directory", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=timeout
    )


def planned(target: str, tmp_path: Path) -> list[str]:
    """The commands `make TARGET` would run from scratch (dry run, every target out of date)."""
    result = make("-n", "-B", target, f"VENV={tmp_path / 'venv'}")
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_make_run_installs_the_runtime_requirements_and_no_debian_package(tmp_path: Path) -> None:
    commands = "\n".join(planned("run", tmp_path))
    assert "-r backend/requirements.txt" in commands
    assert "requirements-dev.txt" not in commands
    assert "apt-get" not in commands and "dpkg" not in commands


def test_make_run_checks_the_port_before_anything_else(tmp_path: Path) -> None:
    assert "check_port.py" in planned("run", tmp_path)[0]


def test_make_test_installs_the_rest_and_runs_lint(tmp_path: Path) -> None:
    commands = "\n".join(planned("test", tmp_path))
    assert "-r backend/requirements-dev.txt" in commands
    assert "apt-get install" in commands
    assert "ruff format --check backend" in commands and "mypy" in commands


def test_the_test_debian_packages_are_one_variable(tmp_path: Path) -> None:
    result = make("-n", "-B", "system-deps", "TEST_DEB_PACKAGES=chromium wrk some-extra-package")
    assert "some-extra-package" in result.stdout


def test_a_busy_port_stops_make_run_at_once_with_one_line(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        started = time.monotonic()
        result = make("run", f"PORT={port}", "HOST=127.0.0.1", f"VENV={tmp_path / 'venv'}", f"PYTHON={sys.executable}")
    assert result.returncode != 0
    assert time.monotonic() - started < 10
    message = [line for line in result.stdout.splitlines() if line.startswith("error:")]
    assert len(message) == 1 and f"make run PORT={port + 1}" in message[0] and "in use" in message[0]
    assert not (tmp_path / "venv").exists()  # nothing was set up


def test_help_and_readme_document_host_and_port() -> None:
    help_text = make("help").stdout
    assert "HOST=" in help_text and "PORT=" in help_text and "make run PORT=" in help_text
    readme = (PROJECT_ROOT / "README.md").read_text()
    assert "make run PORT=" in readme and "HOST=" in readme
    assert "--reload-dir backend/src" in readme
    assert "uvicorn backend.src.main:app --reload\n" not in readme  # the form that watched .venv too
