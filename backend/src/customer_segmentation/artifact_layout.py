"""Which processed-table files a run writes, by size — shared by the writer and the card builder.

Up to ``CSV_MAX_ROWS`` cleaned rows the processed tables are CSV (byte-identical between runs); above
it Parquet, because writing 10 M rows of CSV takes minutes and Parquet takes a second.
"""

from __future__ import annotations

from pathlib import Path

from .config import ArtifactPaths

CSV_MAX_ROWS = 100_000
PROCESSED_TABLES = ("preprocessed_data", "clustered_data")


def processed_format(rows: int) -> str:
    """``"csv"`` up to CSV_MAX_ROWS rows, else ``"parquet"``."""
    return "csv" if rows <= CSV_MAX_ROWS else "parquet"


def processed_files(paths: ArtifactPaths, rows: int, extra: tuple[str, ...] = ()) -> dict[str, Path]:
    """The processed tables a run of ``rows`` cleaned rows writes, by table name (``extra``: more
    tables of the same run, e.g. ``rfm``)."""
    suffix = processed_format(rows)
    return {name: paths.processed_dir / f"{name}.{suffix}" for name in (*PROCESSED_TABLES, *extra)}
