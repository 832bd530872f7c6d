"""Obtaining the canonical data: cache → mirror → pinned URL, always checksum-verified."""

import functools
import hashlib
import http.server
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from customer_segmentation.config import Settings
from customer_segmentation.data.fetch import fetch_mall_customers
from customer_segmentation.errors import DataError


@pytest.fixture
def http_dir(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A real HTTP server on loopback serving a folder."""
    folder = tmp_path / "www"
    folder.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None  # type: ignore[assignment]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", folder
    finally:
        server.shutdown()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def settings(tmp_path: Path, **kwargs: object) -> Settings:
    return Settings(**{"artifacts_root": tmp_path / "root", "data_mirror": None, **kwargs})


def test_mirror_copy_is_verified_and_cached(tmp_path: Path, mirror_dir: Path, mall_csv: Path) -> None:
    config = settings(tmp_path, data_mirror=mirror_dir, data_url="http://127.0.0.1:9/never-used")
    path = fetch_mall_customers(config)
    assert path == config.paths.raw_data
    assert path.read_bytes() == mall_csv.read_bytes()


def test_corrupted_mirror_is_refused(tmp_path: Path, mall_csv: Path) -> None:
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "Mall_Customers.csv").write_bytes(mall_csv.read_bytes().replace(b"Male", b"Mule", 1))
    with pytest.raises(DataError, match="does not match the pinned checksum"):
        fetch_mall_customers(settings(tmp_path, data_mirror=mirror))
    assert not settings(tmp_path).paths.raw_data.exists()


def test_download_from_pinned_url(tmp_path: Path, http_dir: tuple[str, Path], mall_csv: Path) -> None:
    base, folder = http_dir
    (folder / "Mall_Customers.csv").write_bytes(mall_csv.read_bytes())
    config = settings(tmp_path, data_url=f"{base}/Mall_Customers.csv")
    path = fetch_mall_customers(config)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == config.data_sha256
    # Cached: a second call does not need the server any more.
    (folder / "Mall_Customers.csv").unlink()
    assert fetch_mall_customers(config) == path


def test_faithful_copy_in_another_form_is_rewritten_canonically(
    tmp_path: Path, http_dir: tuple[str, Path], mall_csv: Path
) -> None:
    """Public copies use `Genre`, other headers, CRLF and no final newline: same data, other bytes."""
    base, folder = http_dir
    lines = mall_csv.read_text().splitlines()
    lines[0] = "CustomerID,Genre,Age,Annual_Income,Spending_Score"
    (folder / "Mall_Customers.csv").write_bytes("\r\n".join(lines).encode())
    config = settings(tmp_path, data_url=f"{base}/Mall_Customers.csv")
    assert fetch_mall_customers(config).read_bytes() == mall_csv.read_bytes()


def test_copy_with_one_changed_value_is_refused(tmp_path: Path, http_dir: tuple[str, Path], mall_csv: Path) -> None:
    base, folder = http_dir
    lines = mall_csv.read_text().splitlines()
    last = lines[-1].split(",")
    last[2] = str(int(last[2]) + 1)  # one customer one year older
    lines[-1] = ",".join(last)
    (folder / "Mall_Customers.csv").write_text("\n".join(lines).replace("Gender", "Genre") + "\n")
    with pytest.raises(DataError, match="checksum"):
        fetch_mall_customers(settings(tmp_path, data_url=f"{base}/Mall_Customers.csv"))


def test_download_with_wrong_content_is_refused(tmp_path: Path, http_dir: tuple[str, Path]) -> None:
    base, folder = http_dir
    (folder / "Mall_Customers.csv").write_text("CustomerID,Gender\n1,Male\n")
    config = settings(tmp_path, data_url=f"{base}/Mall_Customers.csv")
    with pytest.raises(DataError, match="checksum"):
        fetch_mall_customers(config)
    assert not config.paths.raw_data.exists()


def test_offline_error_tells_both_ways(tmp_path: Path) -> None:
    config = settings(tmp_path, data_url=f"http://127.0.0.1:{free_port()}/Mall_Customers.csv", download_timeout_s=2)
    with pytest.raises(DataError) as excinfo:
        fetch_mall_customers(config)
    message = str(excinfo.value)
    assert "MALL_DATA_MIRROR" in message and "--data" in message and "\n" not in message
