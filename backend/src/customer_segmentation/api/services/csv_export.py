"""Stream the served customers as a formula-safe CSV, a slice of rows at a time.

The served table is in memory already; what must not be is a second copy of it as text. So the
selection is encoded :data:`CHUNK_ROWS` rows at a time, each slice through :mod:`csv_safety` (cells a
spreadsheet would run as formulas get a leading quote), and handed to the response as it is made:
a million-customer export holds one slice of text at any moment.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from ... import csv_safety
from ...artifacts import CSV_FLOAT_FORMAT
from ...reporting.axes import PCA_COLUMNS

CHUNK_ROWS = 10_000


def export_columns(frame: pd.DataFrame) -> list[str]:
    """Every column of the served customers (id, features, described columns, segment and its
    name), without the charts' principal-component coordinates."""
    return [str(c) for c in frame.columns if c not in PCA_COLUMNS]


def csv_chunks(frame: pd.DataFrame, positions: np.ndarray, chunk_rows: int = CHUNK_ROWS) -> Iterator[bytes]:
    """The header, then the rows at ``positions`` (in that order), as UTF-8 CSV pieces."""
    columns = export_columns(frame)
    yield csv_safety.csv_bytes(frame.iloc[:0][columns])
    for start in range(0, len(positions), chunk_rows):
        part = frame.iloc[positions[start : start + chunk_rows]][columns]
        yield csv_safety.csv_bytes(part, header=False, float_format=CSV_FLOAT_FORMAT)
