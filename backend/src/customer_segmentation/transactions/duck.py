"""A DuckDB connection bounded for out-of-core work, and DuckDB errors as one-line DataErrors.

DuckDB streams the order lines (CSV or Parquet) through its vectorised, multi-threaded operators;
only small aggregates live in memory. ``memory_limit`` caps its buffers (it spills to ``temp_dir``
beyond it); insertion order is not preserved because nothing here depends on it (results are sorted).
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import DataError


@contextlib.contextmanager
def connect(memory_limit: str = "2GB", threads: int | None = None, temp_dir: Path | None = None) -> Iterator[Any]:
    """An in-memory DuckDB connection; its spill folder is removed afterwards when we made it."""
    import duckdb

    made = temp_dir is None
    spill = Path(tempfile.mkdtemp(prefix="rfm-duckdb-")) if temp_dir is None else Path(temp_dir)
    config: dict[str, Any] = {
        "memory_limit": memory_limit,
        "temp_directory": str(spill),
        "preserve_insertion_order": False,
    }
    if threads:
        config["threads"] = threads
    con = duckdb.connect(config=config)
    try:
        yield con
    finally:
        con.close()
        if made:
            shutil.rmtree(spill, ignore_errors=True)


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__


def is_encoding_error(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "unicode" in text or "utf-8" in text or "utf8" in text


def data_error(exc: BaseException, name: str) -> DataError:
    """A DuckDB failure while reading ``name`` as the user's problem, in one line."""
    message = first_line(exc)
    for prefix in ("Invalid Input Error: ", "Conversion Error: ", "IO Error: "):
        message = message.removeprefix(prefix)
    return DataError(f"{name} could not be read: {message}")
