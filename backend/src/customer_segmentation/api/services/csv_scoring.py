"""Score an uploaded CSV: read it with the pipeline's own loader, validate every row, score the good
rows in one vectorised pass, and report each bad row (row number, column, reason).

Reading reuses :func:`customer_segmentation.data.load.read_table`, so uploads accept exactly the
headers, delimiters and encodings the CLI accepts. Unlike training, nothing is imputed or dropped:
a row that cannot be scored as it stands gets an error instead of a guess.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ... import csv_safety
from ...data.load import MALL_PLAN, ColumnPlan, LoadedTable, read_raw_csv, read_table
from ...errors import DataError
from ...schema import (
    CUSTOMER_ID,
    canonical_column,
)
from .errors import InvalidInput
from .feature_input import ID_FIELD, CellError, validate_columns
from .limits import Deadline
from .model_store import SEGMENT, SEGMENT_NAME
from .scoring import score_columns
from .scoring_model import ScoringModel
from .uploads import check_parsed_rows

ERROR = "error"
OOD = "out_of_distribution"
MARGIN = "margin"
CONFIDENCE = "confidence"
APPENDED = (SEGMENT, SEGMENT_NAME, OOD, MARGIN, CONFIDENCE, ERROR)
_MANGLED = re.compile(r"^(?P<name>.*)\.(?P<n>\d+)$")  # pandas renames a repeated header "Age" to "Age.1"


@dataclass
class CsvScoring:
    """Everything one upload produced, ready to render as CSV or JSON."""

    filename: str
    model_version: str
    table: pd.DataFrame  # the file's columns (as text) + segment, segment_name, error
    columns: dict[str, str]
    errors: list[CellError] = field(default_factory=list)

    @property
    def rows_total(self) -> int:
        return len(self.table)

    @property
    def rows_failed(self) -> int:
        return int(self.table[ERROR].notna().sum())

    @property
    def rows_scored(self) -> int:
        return self.rows_total - self.rows_failed

    def csv_bytes(self) -> bytes:
        """The scored file; cells a spreadsheet would run as formulas are neutralised (csv_safety)."""
        return csv_safety.csv_bytes(self.table)

    def output_name(self) -> str:
        stem = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(self.filename).stem).strip("._") or "customers"
        return f"{stem[:80]}_segmented.csv"


def score_upload(data: bytes, filename: str, model: ScoringModel, max_rows: int, deadline: Deadline) -> CsvScoring:
    """Score ``data``, the bytes of an upload already within its size, row and column limits
    (``uploads.read_upload``); whole-file problems raise :class:`InvalidInput`."""
    loaded, raw = _read(data, filename, model)
    deadline.check("reading the CSV")
    check_parsed_rows(len(raw), filename, max_rows)
    _check_columns(loaded, model, filename)

    frame = loaded.frame
    numeric, levels, bad, errors = validate_columns(model.inputs, frame)
    deadline.check("validating rows")

    good = ~bad
    segments = pd.array(np.zeros(len(frame), dtype="int64"), dtype="Int64")
    segments[bad] = pd.NA
    names = np.full(len(frame), None, dtype=object)
    ood = pd.array([None] * len(frame), dtype="boolean")
    margin = np.full(len(frame), np.nan)
    if good.any():
        scored = score_columns(model, numeric[good], [index[good] for index in levels])
        segments[good] = scored.labels
        names[good] = model.segment_names[scored.labels]
        ood[good] = scored.out_of_distribution
        margin[good] = scored.margin
    deadline.check("scoring rows")

    errors.sort(key=lambda e: e.row)
    table = raw.drop(columns=[c for c in APPENDED if c in raw.columns])
    table[SEGMENT] = segments
    table[SEGMENT_NAME] = names
    table[OOD] = ood
    table[MARGIN] = np.round(margin, 4)
    table[CONFIDENCE] = np.where(ood.to_numpy(dtype=bool, na_value=True), np.nan, table[MARGIN])
    table[ERROR] = _row_messages(errors, len(table))
    return CsvScoring(filename, model.model_version, table, dict(loaded.renamed_columns), errors)


# -- reading --------------------------------------------------------------------------------------
def _plan(model: ScoringModel) -> ColumnPlan:
    """The Mall's own plan for a Mall model; else the served schema's features and id, by any name the
    schema accepts (every value read as text: validation decides)."""
    if model.schema.kind == "mall":
        return MALL_PLAN
    spec = model.inputs

    def rename(header: str) -> str | None:
        name = spec.canonical(header)
        return name if name is not None and (name in spec.features or name == ID_FIELD) else None

    return ColumnPlan(rename, frozenset(), None)


def _read(data: bytes, filename: str, model: ScoringModel) -> tuple[LoadedTable, pd.DataFrame]:
    """The canonical view (via the pipeline's loader) and the file's own columns, row-aligned."""
    with tempfile.TemporaryDirectory(prefix="segmentation-upload-") as folder:
        path = Path(folder) / "upload.csv"  # .csv: an upload is always read as CSV text
        path.write_bytes(data)
        try:
            loaded = read_table(path, plan=_plan(model))
            raw = read_raw_csv(path, loaded.encoding, loaded.delimiter)
        except DataError as exc:
            raise InvalidInput(str(exc).replace(str(path), repr(filename)), field="file") from None
        except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:  # pragma: no cover
            raise InvalidInput(f"{filename!r} is not a well-formed CSV file ({exc})", field="file") from None
    if len(raw) != len(loaded.frame):  # pragma: no cover - same parser, same options
        raise InvalidInput(f"{filename!r} could not be read consistently", field="file")
    return loaded, raw


def _check_columns(loaded: LoadedTable, model: ScoringModel, filename: str) -> None:
    for ignored in loaded.ignored_columns:
        match = _MANGLED.match(ignored)
        if match and canonical_column(match["name"]) is not None:
            raise InvalidInput(f"{filename!r} repeats the column {match['name']!r} in its header", field="file")
    serving = model.serving
    required = [c.name for c in serving.categorical] + list(serving.numeric_features)
    missing = [c for c in required if c not in loaded.frame.columns]
    if missing:
        found = ", ".join(map(str, [*loaded.renamed_columns, *loaded.ignored_columns])) or "none"
        raise InvalidInput(
            f"{filename!r} has no {missing[0]!r} column (columns found: {found[:300]}); the model needs "
            f"{', '.join(required)}",
            field="file",
        )


def _row_messages(errors: list[CellError], n_rows: int) -> pd.Series:
    messages: list[str | None] = [None] * n_rows
    for error in errors:
        index = error.row - 1
        messages[index] = error.reason if messages[index] is None else f"{messages[index]}; {error.reason}"
    return pd.Series(messages, dtype=object)


def customer_ids(scoring: CsvScoring) -> list[str | None]:
    """The upload's customer ids as text (None when the file has no id column)."""
    source = next((orig for orig, canon in scoring.columns.items() if canon == CUSTOMER_ID), None)
    if source is None or source not in scoring.table.columns:
        return [None] * scoring.rows_total
    return [str(v).strip() or None for v in scoring.table[source].tolist()]
