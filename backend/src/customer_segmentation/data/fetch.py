"""Obtain the canonical Mall Customers file the way scikit-learn's dataset fetchers do.

Order: the file already in ``data/raw`` (the cache) → a local mirror directory (``MALL_DATA_MIRROR``)
→ a pinned public URL. Whatever is fetched is verified by SHA-256 before it is cached, so a changed
upstream or a corrupted mirror never silently becomes "the data". Public copies of this data set
differ only in form (``Genre`` for ``Gender``, CRLF line endings, no final newline): such a copy is
rewritten in the canonical Kaggle form, and it is accepted only if that rewrite has the pinned
SHA-256 — i.e. every value is exactly the canonical data's.
"""

from __future__ import annotations

import hashlib
import urllib.error
import urllib.request
from pathlib import Path

from .. import atomic
from ..config import DATA_FILENAME, Settings
from ..errors import DataError

_MAX_DOWNLOAD_BYTES = 10 * 1024 * 1024


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """SHA-256 of a file, streamed (input files may be large)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def canonical_form(data: bytes) -> bytes | None:
    """The table rewritten with the Kaggle header and LF line endings, or None if it is not one."""
    import io

    import pandas as pd

    from ..schema import ALL_COLUMNS, KAGGLE_HEADER
    from .load import normalise_columns

    try:
        raw = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8-sig")
        frame, _, _ = normalise_columns(raw)
    except Exception:  # anything unreadable is simply "not the data"
        return None
    if list(frame.columns) != list(ALL_COLUMNS):
        return None
    frame = frame.apply(lambda column: column.str.strip()).rename(columns=KAGGLE_HEADER)
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def _verified(data: bytes, expected_sha256: str, origin: str) -> bytes:
    actual = sha256_bytes(data)
    if actual == expected_sha256:
        return data
    rewritten = canonical_form(data)
    if rewritten is not None and sha256_bytes(rewritten) == expected_sha256:
        return rewritten
    if actual != expected_sha256:
        raise DataError(
            f"{origin} does not match the pinned checksum (sha256 {actual[:12]}…, expected "
            f"{expected_sha256[:12]}…); refusing to use it"
        )
    return data


def _download(url: str, timeout_s: float) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "customer-segmentation"})
    with urllib.request.urlopen(request, timeout=timeout_s) as response:
        data: bytes = response.read(_MAX_DOWNLOAD_BYTES + 1)
    if len(data) > _MAX_DOWNLOAD_BYTES:
        raise DataError(f"download from {url} is larger than {_MAX_DOWNLOAD_BYTES} bytes")
    return data


def fetch_mall_customers(settings: Settings, *, destination: Path | None = None) -> Path:
    """Return the path of a verified copy of the canonical data, fetching and caching it if needed."""
    target = destination or settings.paths.raw_data
    if target.is_file():
        return target

    mirror = settings.data_mirror
    if mirror is not None:
        candidate = Path(mirror) / DATA_FILENAME
        if candidate.is_file():
            data = _verified(candidate.read_bytes(), settings.data_sha256, f"mirror copy {candidate}")
            atomic.write_bytes(target, data)
            return target

    try:
        data = _download(settings.data_url, settings.download_timeout_s)
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        mirror_hint = f" (MALL_DATA_MIRROR={mirror} has no {DATA_FILENAME})" if mirror else ""
        reason = getattr(exc, "reason", exc)
        raise DataError(
            f"{DATA_FILENAME} is not at {target}{mirror_hint} and downloading it from "
            f"{settings.data_url} failed ({reason}); put the file there, pass --data PATH, or set "
            f"MALL_DATA_MIRROR to a directory that holds it"
        ) from None
    atomic.write_bytes(target, _verified(data, settings.data_sha256, f"download from {settings.data_url}"))
    return target
