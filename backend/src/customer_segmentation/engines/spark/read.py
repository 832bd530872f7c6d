"""Read a customer table (CSV or Parquet, a local path or any URI Spark reads) as Spark text columns.

Like :mod:`customer_segmentation.data.load`, every column is read as text with its header mapped to
its canonical name — the feature schema's columns (:func:`feature_schema.match_columns`), or without a
schema the Mall headers — so the cleaning stage decides (and counts) what is a number or a missing
value. A ``_row`` column keeps the file order: "the first occurrence" of a duplicate, and a
``row_id``, mean the same row as in the default engine.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from ...data.load import _detect_delimiter as detect_delimiter  # the default engine's rule, not a copy
from ...errors import DataError
from ...feature_schema import FeatureSchema, match_columns
from ...schema import canonical_column

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

ROW = "_row"
PRUNING = "spark.sql.csv.parser.columnPruning.enabled"
CORRUPT = "_corrupt"
PARQUET_SUFFIXES = (".parquet", ".pq")


@dataclass
class SparkTable:
    """The table as Spark sees it: canonical text columns plus the file-order ``_row`` id."""

    frame: DataFrame
    source: str
    ignored_columns: list[str] = field(default_factory=list)


@dataclass
class RawTable:
    """The file as read, before any column is chosen: positional columns ``_c0…`` and the headers."""

    positional: DataFrame
    headers: list[str]
    source: str


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


def _header_names(header_line: str, delimiter: str) -> list[str]:
    """The header's column names, split as Spark splits them (leading blanks ignored)."""
    return next(csv.reader([header_line], delimiter=delimiter, skipinitialspace=True), [])


def _positional_schema(n_columns: int) -> Any:
    """Text columns ``_c0 … _c{n-1}`` for the header's columns, plus Spark's corrupt-record column
    (set to the raw line of a row whose field count differs from the header's)."""
    from pyspark.sql.types import StringType, StructField, StructType

    fields = [StructField(f"_c{i}", StringType()) for i in range(n_columns)]
    return StructType([*fields, StructField(CORRUPT, StringType())])


def _refuse_extra_fields(raw: DataFrame, n_columns: int, delimiter: str, data: str) -> None:
    """A row with a real value beyond the header's columns is a DataError, as in the default engine.

    Spark's permissive reader would silently drop it. A trailing delimiter's empty field (a common
    export quirk) is accepted, as the default engine does, and a short row is kept (its missing
    fields are null). Spark flags every row whose field count is off; the raw line of a flagged row
    is split on the delimiter to see whether a field beyond the header's holds a value. CSV column
    pruning is off for this one scan: with it, Spark tokenises only the columns a query uses and
    never sees that a row is too long.
    """
    from pyspark.sql import functions as F

    parts = F.split(F.col(CORRUPT), re.escape(delimiter), -1)
    beyond = F.slice(parts, n_columns + 1, F.greatest(F.size(parts) - n_columns, F.lit(1)))
    extra_value = F.col(CORRUPT).isNotNull() & (F.size(parts) > n_columns) & (F.trim(F.array_join(beyond, "")) != "")
    conf = raw.sparkSession.conf
    previous = conf.get(PRUNING, "true") or "true"
    conf.set(PRUNING, "false")
    try:
        # Spark refuses a query of the corrupt-record column alone: one data column comes along.
        found = raw.filter(extra_value).select(CORRUPT, "_c0").limit(1).collect()
    finally:
        conf.set(PRUNING, previous)
    if found:
        raise DataError(f"{data} has rows with more fields than its header")


def _spark_error(exc: Exception, data: str) -> DataError:
    text = str(exc)
    if "PATH_NOT_FOUND" in text or "does not exist" in text:
        return DataError(f"input file not found: {data}")
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return DataError(f"{data} could not be read by Spark: {first[:200]}")


def read_spark_raw(spark: SparkSession, data: str) -> RawTable:
    """Read ``data`` with positional text columns and its headers; unreadable input is a one-line DataError."""
    path = local_path(data)
    if path is not None:
        check_local(path)
    try:
        if is_parquet(data):
            raw = spark.read.parquet(data)
            originals = list(raw.columns)
            # Rename by position: original headers may hold dots, brackets and spaces.
            positional = raw.toDF(*[f"_c{i}" for i in range(len(originals))])
        else:
            encoding = _encoding(path)
            first = spark.read.option("encoding", encoding).text(data).limit(1).collect()
            header = first[0][0].lstrip("\ufeff") if first else ""
            if not header.strip():
                raise DataError(f"{data} has no header line")
            delimiter = detect_delimiter(header)
            originals = _header_names(header, delimiter)
            raw = (
                spark.read.schema(_positional_schema(len(originals)))
                .option("header", True)
                .option("sep", delimiter)
                .option("encoding", encoding)
                .option("ignoreLeadingWhiteSpace", True)
                .option("mode", "PERMISSIVE")
                .option("columnNameOfCorruptRecord", CORRUPT)
                .option("enforceSchema", True)  # positional names: the header line is only skipped
                .csv(data)
            )
            _refuse_extra_fields(raw, len(originals), delimiter, data)
            positional = raw
    except DataError:
        raise
    except Exception as exc:  # AnalysisException, Py4JJavaError …
        raise _spark_error(exc, data) from None
    name = path.name if path is not None else data.rstrip("/").rsplit("/", 1)[-1]
    return RawTable(positional, [str(h) for h in originals], name)


def select_columns(raw: RawTable, schema: FeatureSchema | None = None) -> SparkTable:
    """The columns ``schema`` declares (by :func:`match_columns`; without a schema the Mall headers),
    renamed to their canonical names, in file order, plus ``_row``."""
    from pyspark.sql import functions as F

    rename: Callable[[str], str | None] = canonical_column
    if schema is not None:
        rename = match_columns(raw.headers, schema).get
    selected: list[Any] = []
    ignored: list[str] = []
    seen: dict[str, str] = {}
    for i, original in enumerate(raw.headers):
        canonical = rename(original)
        if canonical is None:
            ignored.append(original)
            continue
        if canonical in seen:
            raise DataError(
                f"duplicate column {canonical!r}: headers {seen[canonical]!r} and {original!r} both mean the same thing"
            )
        seen[canonical] = original
        selected.append(F.col(f"_c{i}").cast("string").alias(canonical))
    frame = raw.positional.select(*selected, F.monotonically_increasing_id().alias(ROW))
    return SparkTable(frame, raw.source, ignored)


def read_spark_table(spark: SparkSession, data: str, schema: FeatureSchema | None = None) -> SparkTable:
    """Read ``data`` with the canonical text columns ``schema`` declares (see :func:`select_columns`)."""
    return select_columns(read_spark_raw(spark, data), schema)
