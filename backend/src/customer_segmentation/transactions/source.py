"""Where the order lines are: a CSV or Parquet file, or a folder of them, and how to read it.

Only the header (and for CSV the first 64 KiB) is read here; the lines themselves are streamed by
the engine. A folder is read as one table: every visible ``.csv``/``.tsv``/``.txt`` or
``.parquet``/``.pq`` file in it (recursively, sorted by path; names starting with ``.`` or ``_``, like
Spark's ``_SUCCESS``, are skipped). Its files must be of one kind and share one header.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..errors import DataError
from .rules import HEADER_ALIASES

CSV_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})
PARQUET_SUFFIXES = frozenset({".parquet", ".pq"})
_DELIMITERS = (",", ";", "\t", "|")
_SNIFF_BYTES = 64 * 1024
_KNOWN = frozenset(alias for aliases in HEADER_ALIASES.values() for alias in aliases)


def squash(name: str) -> str:
    """Lower-case letters and digits only, so "Customer ID", "customer_id" and "CustomerID" meet."""
    return "".join(ch for ch in str(name).strip().lstrip("\ufeff").lower() if ch.isascii() and ch.isalnum())


@dataclass(frozen=True)
class Source:
    """A readable input: its files, kind, header and (for CSV) dialect."""

    files: tuple[Path, ...]
    kind: Literal["csv", "parquet"]
    header: tuple[str, ...]
    delimiter: str = ","
    encoding: str = "utf-8"
    name: str = ""

    def sql_column(self, header: str) -> str:
        """The SQL identifier of a header in :meth:`scan_sql` (CSV columns are read by position)."""
        if self.kind == "csv":
            return f"c{self.header.index(header)}"
        return '"' + header.replace('"', '""') + '"'

    def scan_sql(self) -> str:
        """A DuckDB table function reading every line; CSV values all as text, exactly as written."""
        files = "[" + ", ".join(_literal(str(f)) for f in self.files) + "]"
        if self.kind == "parquet":
            return f"read_parquet({files})"
        columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(self.header))) + "}"
        return (
            f"read_csv({files}, header = true, columns = {columns}, delim = {_literal(self.delimiter)}, "
            f"quote = '\"', escape = '\"', auto_detect = false, encoding = {_literal(self.encoding)})"
        )


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _files(path: Path) -> tuple[list[Path], Literal["csv", "parquet"]]:
    if not path.exists():
        raise DataError(f"input not found: {path}")
    if path.is_file():
        return [path], "parquet" if path.suffix.lower() in PARQUET_SUFFIXES else "csv"
    found = sorted(
        p
        for p in path.rglob("*")
        if p.is_file()
        and p.suffix.lower() in CSV_SUFFIXES | PARQUET_SUFFIXES
        and not any(part.startswith((".", "_")) for part in p.relative_to(path).parts)
    )
    if not found:
        raise DataError(f"folder {path} holds no .csv or .parquet files")
    kinds = {p.suffix.lower() in PARQUET_SUFFIXES for p in found}
    if len(kinds) > 1:
        raise DataError(f"folder {path} mixes CSV and Parquet files: keep one kind per folder")
    return found, "parquet" if kinds.pop() else "csv"


def _encoding(sample: bytes, path: Path) -> str:
    if b"\x00" in sample:
        raise DataError(f"{path} is not a CSV text file (it contains binary data)")
    try:
        sample[: max(len(sample) - 3, 0)].decode("utf-8")  # a character may be cut at the end
        return "utf-8"
    except UnicodeDecodeError:
        return "latin-1"


def sniff_delimiter(header_line: str) -> str:
    """The delimiter under which the header names the most known columns, then the most fields."""

    def score(delimiter: str) -> tuple[int, int, bool]:
        names = next(csv.reader([header_line], delimiter=delimiter), [])
        return sum(squash(n) in _KNOWN for n in names), len(names), delimiter == ","

    return max(_DELIMITERS, key=score)


def _csv_header(path: Path) -> tuple[tuple[str, ...], str, str]:
    if path.stat().st_size == 0:
        raise DataError(f"input file is empty: {path}")
    with open(path, "rb") as handle:
        sample = handle.read(_SNIFF_BYTES)
    encoding = _encoding(sample, path)
    lines = sample.decode(encoding, errors="replace").lstrip("\ufeff").splitlines()
    if not lines or not lines[0].strip():
        raise DataError(f"{path} has no header line")
    delimiter = sniff_delimiter(lines[0])
    header = next(csv.reader([lines[0]], delimiter=delimiter))
    return tuple(h.strip() for h in header), delimiter, encoding


def _parquet_header(path: Path) -> tuple[str, ...]:
    import pyarrow.parquet as pq

    try:
        return tuple(pq.read_schema(path).names)
    except Exception as exc:  # pyarrow raises many types for a damaged file
        raise DataError(f"{path} is not a readable Parquet file ({type(exc).__name__})") from None


def open_source(source: Path | str) -> Source:
    """Find the files behind ``source`` and read their header; a one-line DataError when unusable."""
    path = Path(source)
    files, kind = _files(path)
    headers = []
    delimiter, encoding = ",", "utf-8"
    for file in files:
        if kind == "csv":
            header, delimiter_i, encoding_i = _csv_header(file)
            if file == files[0]:
                delimiter, encoding = delimiter_i, encoding_i
            elif encoding_i != encoding:
                encoding = "latin-1"  # latin-1 reads any bytes; a UTF-8 file differs only beyond ASCII
        else:
            header = _parquet_header(file)
        headers.append(header)
        if header != headers[0]:
            raise DataError(f"{file} has other columns than {files[0]}: a folder's files must share one header")
    header = headers[0]
    if kind == "csv" and len(set(header)) != len(header):
        repeated = next(h for h in header if header.count(h) > 1)
        raise DataError(f"{files[0]} names the column {repeated!r} twice")
    if not any(h for h in header):
        raise DataError(f"{files[0]} has no column names")
    return Source(tuple(files), kind, header, delimiter, encoding, path.name or str(path))
