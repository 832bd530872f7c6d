"""Read a customer table (CSV or Parquet) into a DataFrame with canonical column names.

Everything is read as text here: deciding what is a number, a missing marker or a bad value is the
cleaning stage's job, so that it can count and report each decision.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import DataError
from ..schema import canonical_column

PARQUET_SUFFIXES = frozenset({".parquet", ".pq"})
_DELIMITERS = (",", ";", "\t", "|")
_SNIFF_BYTES = 64 * 1024


@dataclass
class LoadedTable:
    """A table as read from disk, with what the reader had to decide about it."""

    frame: pd.DataFrame
    source: str
    encoding: str = "utf-8"
    delimiter: str = ","
    ignored_columns: list[str] = field(default_factory=list)
    renamed_columns: dict[str, str] = field(default_factory=dict)


def _check_file(path: Path) -> None:
    if not path.exists():
        raise DataError(f"input file not found: {path}")
    if not path.is_file():
        raise DataError(f"input path is not a file: {path}")
    if path.stat().st_size == 0:
        raise DataError(f"input file is empty: {path}")


def _detect_encoding(sample: bytes, path: Path) -> str:
    if b"\x00" in sample:
        raise DataError(f"{path} is not a CSV text file (it contains binary data)")
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        # A multi-byte character may be cut at the end of the sample: ignore the last 3 bytes.
        sample[: max(len(sample) - 3, 0)].decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "latin-1"


def _detect_delimiter(header_line: str) -> str:
    """Pick the delimiter under which the header names the most known columns (ties: comma)."""

    def known(delimiter: str) -> int:
        names = next(csv.reader([header_line], delimiter=delimiter), [])
        return sum(canonical_column(name) is not None for name in names)

    return max(_DELIMITERS, key=lambda d: (known(d), d == ","))


def normalise_columns(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str], list[str]]:
    """Rename known headers to canonical names; drop (and return) the columns we don't use."""
    renamed: dict[str, str] = {}
    ignored: list[str] = []
    seen: dict[str, str] = {}
    for original in frame.columns:
        canonical = canonical_column(str(original))
        if canonical is None:
            ignored.append(str(original))
            continue
        if canonical in seen:
            raise DataError(
                f"duplicate column {canonical!r}: headers {seen[canonical]!r} and {original!r} "
                "both mean the same thing"
            )
        seen[canonical] = str(original)
        renamed[str(original)] = canonical
    out = frame.loc[:, list(renamed)].copy()
    out.columns = list(renamed.values())
    return out, renamed, ignored


def read_table(path: Path) -> LoadedTable:
    """Read ``path`` (CSV of any common dialect/encoding, or Parquet) with canonical column names."""
    path = Path(path)
    _check_file(path)
    if path.suffix.lower() in PARQUET_SUFFIXES:
        return _read_parquet(path)
    return _read_csv(path)


def _read_parquet(path: Path) -> LoadedTable:
    try:
        raw = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises many types for a damaged file
        raise DataError(f"{path} is not a readable Parquet file ({type(exc).__name__})") from None
    frame, renamed, ignored = normalise_columns(raw)
    return LoadedTable(frame, str(path), "parquet", "", ignored, renamed)


def _read_csv(path: Path) -> LoadedTable:
    with open(path, "rb") as handle:
        sample = handle.read(_SNIFF_BYTES)
    encoding = _detect_encoding(sample, path)
    text = sample.decode(encoding, errors="replace")
    header_line = text.splitlines()[0] if text.splitlines() else ""
    if not header_line.strip():
        raise DataError(f"{path} has no header line")
    delimiter = _detect_delimiter(header_line)
    try:
        raw = pd.read_csv(
            path,
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            encoding=encoding,
            skipinitialspace=True,
        )
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"{path} is not a well-formed CSV file: {first_line}") from None
    except pd.errors.EmptyDataError:
        raise DataError(f"input file has no columns: {path}") from None
    frame, renamed, ignored = normalise_columns(raw)
    return LoadedTable(frame, str(path), encoding, delimiter, ignored, renamed)
