"""Read a customer table (CSV or Parquet, a local path or any URI Spark reads) as Spark text columns.

Like :mod:`customer_segmentation.data.load`, every column is read as text with its header mapped to
the canonical name, so the cleaning stage decides — and counts — what is a number or a missing
value. A ``_row`` column keeps the file order: "the first occurrence" of a duplicate means the same
row as in the default engine.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from ...errors import DataError
from ...schema import canonical_column

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

ROW = "_row"
PARQUET_SUFFIXES = (".parquet", ".pq")
_DELIMITERS = (",", ";", "\t", "|")


@dataclass
class SparkTable:
    """The table as Spark sees it: canonical text columns plus the file-order ``_row`` id."""

    frame: DataFrame
    source: str
    ignored_columns: list[str] = field(default_factory=list)


def local_path(data: str) -> Path | None:
    """The local file behind ``data`` (a plain path or ``file:`` URI), or None for remote URIs."""
    parsed = urlparse(data)
    if parsed.scheme in ("", "file"):
        return Path(parsed.path if parsed.scheme else data)
    if len(parsed.scheme) == 1:  # a Windows drive letter, not a scheme
        return Path(data)
    return None


def is_parquet(data: str) -> bool:
    path = local_path(data)
    if path is not None and path.is_dir():
        return any(path.glob("*.parquet")) or any(path.glob("**/*.parquet"))
    return urlparse(data).path.lower().rstrip("/").endswith(PARQUET_SUFFIXES)


def check_local(path: Path) -> None:
    """A local input must exist and not be empty (one-line DataError otherwise)."""
    if not path.exists():
        raise DataError(f"input file not found: {path}")
    if path.is_file() and path.stat().st_size == 0:
        raise DataError(f"input file is empty: {path}")


def _encoding(path: Path | None) -> str:
    """UTF-8 unless a local file's first 64 KiB say otherwise (binary data is refused)."""
    if path is None or not path.is_file():
        return "UTF-8"
    with open(path, "rb") as handle:
        sample = handle.read(64 * 1024)
    if b"\x00" in sample:
        raise DataError(f"{path} is not a CSV text file (it contains binary data)")
    try:
        sample[: max(len(sample) - 3, 0)].decode("utf-8")
        return "UTF-8"
    except UnicodeDecodeError:
        return "ISO-8859-1"


def _delimiter(header_line: str) -> str:
    """The delimiter under which the header names the most known columns (ties: comma)."""

    def known(delimiter: str) -> int:
        names = next(csv.reader([header_line], delimiter=delimiter), [])
        return sum(canonical_column(name) is not None for name in names)

    return max(_DELIMITERS, key=lambda d: (known(d), d == ","))


def _spark_error(exc: Exception, data: str) -> DataError:
    text = str(exc)
    if "PATH_NOT_FOUND" in text or "does not exist" in text:
        return DataError(f"input file not found: {data}")
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return DataError(f"{data} could not be read by Spark: {first[:200]}")


def read_spark_table(spark: SparkSession, data: str) -> SparkTable:
    """Read ``data`` with canonical text columns; unreadable input is a one-line DataError."""
    from pyspark.sql import functions as F

    path = local_path(data)
    if path is not None:
        check_local(path)
    try:
        if is_parquet(data):
            raw = spark.read.parquet(data)
        else:
            encoding = _encoding(path)
            first = spark.read.option("encoding", encoding).text(data).limit(1).collect()
            header = first[0][0].lstrip("\ufeff") if first else ""
            if not header.strip():
                raise DataError(f"{data} has no header line")
            raw = (
                spark.read.option("header", True)
                .option("sep", _delimiter(header))
                .option("encoding", encoding)
                .option("inferSchema", False)
                .option("ignoreLeadingWhiteSpace", True)
                .option("mode", "PERMISSIVE")
                .option("enforceSchema", False)
                .csv(data)
            )
    except DataError:
        raise
    except Exception as exc:  # AnalysisException, Py4JJavaError …
        raise _spark_error(exc, data) from None

    # Rename by position: original headers may hold dots, brackets and spaces.
    originals = list(raw.columns)
    positional = raw.toDF(*[f"_c{i}" for i in range(len(originals))])
    selected: list[Any] = []
    ignored: list[str] = []
    seen: dict[str, str] = {}
    for i, original in enumerate(originals):
        canonical = canonical_column(original)
        if canonical is None:
            ignored.append(original)
            continue
        if canonical in seen:
            raise DataError(
                f"duplicate column {canonical!r}: headers {seen[canonical]!r} and {original!r} both mean the same thing"
            )
        seen[canonical] = original
        selected.append(F.col(f"_c{i}").cast("string").alias(canonical))
    frame = positional.select(*selected, F.monotonically_increasing_id().alias(ROW))
    name = path.name if path is not None else data.rstrip("/").rsplit("/", 1)[-1]
    return SparkTable(frame, name, ignored)
