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

from ...data.load import LoadedTable, read_raw_csv, read_table
from ...errors import DataError
from ...schema import (
    CUSTOMER_ID,
    GENDER,
    GENDER_CATEGORIES,
    MISSING_MARKERS,
    VALID_RANGES,
    canonical_column,
    gender_spellings,
)
from ..settings import ApiSettings
from .errors import InvalidInput, PayloadTooLarge
from .limits import Deadline
from .model_store import SEGMENT, SEGMENT_NAME, ModelBundle
from .scoring import score_arrays

ERROR = "error"
APPENDED = (SEGMENT, SEGMENT_NAME, ERROR)
_MANGLED = re.compile(r"^(?P<name>.*)\.(?P<n>\d+)$")  # pandas renames a repeated header "Age" to "Age.1"


@dataclass(frozen=True)
class CellError:
    row: int  # 1-based data row
    column: str | None
    value: str | None
    reason: str


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
        return self.table.to_csv(index=False, lineterminator="\n").encode("utf-8")

    def output_name(self) -> str:
        stem = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(self.filename).stem).strip("._") or "customers"
        return f"{stem[:80]}_segmented.csv"


def score_upload(
    data: bytes, filename: str, bundle: ModelBundle, settings: ApiSettings, deadline: Deadline
) -> CsvScoring:
    """Score ``data`` (the uploaded file's bytes); whole-file problems raise :class:`InvalidInput`."""
    if len(data) > settings.max_upload_bytes:
        raise PayloadTooLarge(
            f"the uploaded file has {len(data):,} bytes; the limit is {settings.max_upload_bytes:,} "
            "(setting SEGMENTATION_MAX_UPLOAD_BYTES)",
            field="file",
        )
    if not data.strip():
        raise InvalidInput(f"the uploaded file {filename!r} is empty", field="file")
    loaded, raw = _read(data, filename)
    deadline.check("reading the CSV")
    if len(raw) > settings.max_upload_rows:
        raise PayloadTooLarge(
            f"the uploaded file has {len(raw):,} data rows; the limit is {settings.max_upload_rows:,} "
            "(setting SEGMENTATION_MAX_UPLOAD_ROWS)",
            field="file",
        )
    if raw.empty:
        raise InvalidInput(f"{filename!r} has a header but no data rows", field="file")
    _check_columns(loaded, bundle, filename)

    model = bundle.serving
    frame = loaded.frame
    errors: list[CellError] = []
    numeric = np.empty((len(frame), len(model.numeric_features)), dtype="float64")
    bad = np.zeros(len(frame), dtype=bool)
    for j, column in enumerate(model.numeric_features):
        values, problems = _validate_numeric(frame[column], column)
        numeric[:, j] = values
        bad |= _collect(problems, frame[column], column, errors)
    male: np.ndarray | None = None
    if model.gender_in_model:
        genders, problems = _validate_gender(frame[GENDER])
        male = (genders == GENDER_CATEGORIES[1]).to_numpy(dtype="float64")
        bad |= _collect(problems, frame[GENDER], GENDER, errors)
    deadline.check("validating rows")

    good = ~bad
    segments = pd.array(np.zeros(len(frame), dtype="int64"), dtype="Int64")
    segments[bad] = pd.NA
    names = np.full(len(frame), None, dtype=object)
    if good.any():
        scored = score_arrays(bundle, numeric[good], None if male is None else male[good])
        segments[good] = scored.labels
        names[good] = bundle.segment_names[scored.labels]
    deadline.check("scoring rows")

    errors.sort(key=lambda e: e.row)
    table = raw.drop(columns=[c for c in APPENDED if c in raw.columns])
    table[SEGMENT] = segments
    table[SEGMENT_NAME] = names
    table[ERROR] = _row_messages(errors, len(table))
    return CsvScoring(filename, bundle.model_version, table, dict(loaded.renamed_columns), errors)


# -- reading --------------------------------------------------------------------------------------
def _read(data: bytes, filename: str) -> tuple[LoadedTable, pd.DataFrame]:
    """The canonical view (via the pipeline's loader) and the file's own columns, row-aligned."""
    with tempfile.TemporaryDirectory(prefix="segmentation-upload-") as folder:
        path = Path(folder) / "upload.csv"  # .csv: an upload is always read as CSV text
        path.write_bytes(data)
        try:
            loaded = read_table(path)
            raw = read_raw_csv(path, loaded.encoding, loaded.delimiter)
        except DataError as exc:
            raise InvalidInput(str(exc).replace(str(path), repr(filename)), field="file") from None
        except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:  # pragma: no cover
            raise InvalidInput(f"{filename!r} is not a well-formed CSV file ({exc})", field="file") from None
    if len(raw) != len(loaded.frame):  # pragma: no cover - same parser, same options
        raise InvalidInput(f"{filename!r} could not be read consistently", field="file")
    return loaded, raw


def _check_columns(loaded: LoadedTable, bundle: ModelBundle, filename: str) -> None:
    for ignored in loaded.ignored_columns:
        match = _MANGLED.match(ignored)
        if match and canonical_column(match["name"]) is not None:
            raise InvalidInput(f"{filename!r} repeats the column {match['name']!r} in its header", field="file")
    model = bundle.serving
    required = list(model.numeric_features) + ([GENDER] if model.gender_in_model else [])
    missing = [c for c in required if c not in loaded.frame.columns]
    if missing:
        found = ", ".join(map(str, [*loaded.renamed_columns, *loaded.ignored_columns])) or "none"
        raise InvalidInput(
            f"{filename!r} has no {missing[0]!r} column (columns found: {found[:300]}); the model needs "
            f"{', '.join(required)}",
            field="file",
        )


# -- validating -----------------------------------------------------------------------------------
def _validate_numeric(text: pd.Series, column: str) -> tuple[np.ndarray, pd.Series]:
    """Values (NaN where unusable) and a reason per bad cell (None where fine)."""
    stripped = text.astype("string").fillna("").str.strip()
    missing = stripped.str.lower().isin(MISSING_MARKERS)
    values = pd.to_numeric(stripped.where(~missing), errors="coerce").astype("float64")
    array = values.to_numpy()
    valid = VALID_RANGES[column]
    with np.errstate(invalid="ignore"):
        not_number = np.isnan(array) & ~missing.to_numpy()
        not_finite = np.isinf(array)
        outside = np.isfinite(array) & ((array < valid.low) | (array > valid.high))
    reasons = pd.Series([None] * len(text), index=text.index, dtype=object)
    reasons[missing.to_numpy()] = f"{column} is missing"
    reasons[not_number] = [f"{column} {v!r} is not a number" for v in stripped[not_number]]
    reasons[not_finite] = [f"{column} {v!r} is not a finite number" for v in stripped[not_finite]]
    limits = _describe(valid.low, valid.high)
    reasons[outside] = [f"{column} {v!r} is outside the valid range {limits}" for v in stripped[outside]]
    array = np.where(reasons.isna().to_numpy(), array, np.nan)
    return array, reasons


def _describe(low: float, high: float) -> str:
    return f"{low:,.10g}–{high:,.10g}"


def _validate_gender(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Canonical genders (schema.normalise_gender's rule, vectorised) and a reason per bad cell."""
    stripped = text.astype("string").fillna("").str.strip()
    missing = stripped.str.lower().isin(MISSING_MARKERS)
    mapped = stripped.str.lower().map(gender_spellings())
    unknown = (mapped.isna() & ~missing).to_numpy()
    reasons = pd.Series([None] * len(text), index=text.index, dtype=object)
    reasons[missing.to_numpy()] = f"{GENDER} is missing"
    reasons[unknown] = [
        f"{GENDER} {v!r} is not a recognised spelling (use Female/Male or F/M)" for v in stripped[unknown]
    ]
    return mapped, reasons


def _collect(problems: pd.Series, text: pd.Series, column: str, errors: list[CellError]) -> np.ndarray:
    bad = problems.notna().to_numpy()
    for position in np.flatnonzero(bad):
        errors.append(CellError(int(position) + 1, column, str(text.iloc[position]), str(problems.iloc[position])))
    return bad


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
