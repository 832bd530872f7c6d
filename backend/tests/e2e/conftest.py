"""Browser tests of the built dashboard: a real uvicorn serving the static export and a model
trained into a temp folder, driven by Debian's chromium through Playwright.

Every test here is marked ``browser``. Run them with ``make test-e2e`` (which builds the export
first); ``make test-python`` deselects them (``-m "not browser"``). Missing prerequisites fail
loudly instead of skipping, so a CI that forgot to build never reports a green browser suite.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from customer_segmentation.config import PROJECT_ROOT, ArtifactPaths

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
EXPORT_DIR = PROJECT_ROOT / "frontend" / "out"
ARTIFACTS = PROJECT_ROOT / "backend" / "tests" / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--enable-unsafe-swiftshader",  # software WebGL, so the 3D chart renders headless
    "--use-angle=swiftshader",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--metrics-recording-only",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A running uvicorn: its base URL and where its artifacts live."""

    url: str
    root: Path
    process: subprocess.Popen[bytes]
    log: Path
    extra: dict[str, str] = field(default_factory=dict)

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30)


def start_server(root: Path, log: Path) -> Server:
    """Start uvicorn on a free port serving the API (artifacts under ``root``) and the export."""
    port = _free_port()
    env = {
        **os.environ,
        "SEGMENTATION_ARTIFACTS_ROOT": str(root),
        "SEGMENTATION_FRONTEND_DIR": str(EXPORT_DIR),
    }
    command = [
        sys.executable, "-m", "uvicorn", "--factory", "customer_segmentation.api.app:create_app",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
    ]  # fmt: skip
    handle = log.open("wb")
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return Server(url=url, root=root, process=process, log=log)
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.terminate()
    raise RuntimeError(f"uvicorn did not answer /health within 60 s:\n{log.read_text()}")


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:  # pragma: no cover - uvicorn ignores SIGTERM only when hung
        server.process.kill()


@pytest.fixture(scope="session")
def export_dir() -> Path:
    if not (EXPORT_DIR / "index.html").is_file():
        pytest.fail(f"the dashboard is not built ({EXPORT_DIR}/index.html missing): run `make frontend-build`")
    return EXPORT_DIR


@pytest.fixture(scope="session")
def server(
    export_dir: Path, trained: tuple[ArtifactPaths, object], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """The API + dashboard on a free port, serving the model trained on the canonical data."""
    paths, _ = trained
    running = start_server(paths.root, tmp_path_factory.mktemp("uvicorn") / "server.log")
    yield running
    stop_server(running)


@pytest.fixture(scope="session")
def empty_server(export_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The same app over an artifacts folder with no model: the dashboard's empty state."""
    root = tmp_path_factory.mktemp("no-model")
    running = start_server(root, tmp_path_factory.mktemp("uvicorn-empty") / "server.log")
    yield running
    stop_server(running)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.is_file():
        pytest.fail(f"chromium not found at {CHROMIUM}: `apt-get install chromium` (or set CHROMIUM_PATH)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Visit:
    """A page plus everything it requested and logged, to assert "no request leaves the machine"."""

    page: object
    requests: list[str]
    console_errors: list[str]


@pytest.fixture
def visit(browser: object, server: Server) -> Iterator[Visit]:
    """A fresh 1440×900 page on the dashboard's server that records its requests and errors."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)  # type: ignore[attr-defined]
    page = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield Visit(page=page, requests=requests, console_errors=errors)
    context.close()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Screenshots and measurements (gitignored: backend/tests/artifacts/)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
