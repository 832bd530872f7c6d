"""Start the real thing — ``uvicorn backend.src.main:app`` from the repository root — on a free port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from customer_segmentation.config import PROJECT_ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def live_server(root: Path, **env: str) -> Iterator[str]:
    """Yield the base URL of a uvicorn serving ``root``'s model; stop it (by its pid) afterwards."""
    port = free_port()
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SEGMENTATION_")},
        "SEGMENTATION_ARTIFACTS_ROOT": str(root),
        "SEGMENTATION_FRONTEND_DIR": str(root / "no-frontend"),
        **env,
    }
    command = [sys.executable, "-m", "uvicorn", "backend.src.main:app", "--host", "127.0.0.1", "--port", str(port)]
    # The log goes to a file, never to an unread pipe: a full pipe buffer blocks the server's writes
    # (after ~1,000 access-log lines) and would look exactly like a hung server.
    log = tempfile.NamedTemporaryFile(prefix="uvicorn-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"uvicorn exited early:\n{Path(log.name).read_text(errors='replace')}")
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not answer /health within 30 s")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        Path(log.name).unlink(missing_ok=True)
