"""Validate and clean a customer table, counting every action so it can be reported.

The rules, in order (each one's count lands in :class:`QualityReport`):

1. blank rows are dropped;
2. missing markers (empty, ``NA``, ``N/A``, ``null``, ``?``, ``nan`` …) become missing;
3. numbers are coerced; text in a numeric column becomes missing;
4. gender spellings are normalised (case, spaces, ``M``/``F``); unknown spellings become missing;
5. values outside their valid range (negative income, spending outside 1–100, impossible ages)
   become missing;
6. a missing ``customer_id`` column is generated (1..n); rows with a missing id are dropped;
7. exact duplicate rows, then rows repeating an earlier ``customer_id``, are dropped;
8. rows missing more than half of the model's features are dropped (too little left to impute);
9. remaining gaps are imputed: median for numbers, mode for gender;
10. outliers (outside the 1.5×IQR fences) are counted and kept, or clipped to the fences on request.

All of it is vectorised: it runs on millions of rows in seconds. Columns may arrive as text (the
text loader, every value a string) or already typed (the fast loader's numbers and categorical gender,
Parquet): a typed numeric column's nulls/NaNs are its missing markers, and text columns are parsed once
per *distinct* value (``pd.factorize``) and broadcast back, so the counts are the same either way —
``tests/test_scale_load.py`` checks that both loaders give identical cleaned frames and reports.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from ..schema import (
    CUSTOMER_ID,
    GENDER,
    GENDER_CATEGORIES,
    MISSING_MARKERS,
    NUMERIC_COLUMNS,
    VALID_RANGES,
    gender_spellings,
)


@dataclass(frozen=True)
class CleaningOptions:
    """What the cleaning needs to know about the model it prepares data for."""

    features: tuple[str, ...]
    clip_outliers: bool = False
    iqr_factor: float = 1.5


@dataclass
class QualityAction:
    """One thing the cleaning did: which step, to which column, how many values or rows."""

    step: str
    column: str | None
    count: int
    detail: str


@dataclass
class OutlierSummary:
    column: str
    low_fence: float
    high_fence: float
    count: int
    clipped: bool


@dataclass
class QualityReport:
    """Everything cleaning decided, for the report, the model card and ``data_quality.json``."""

    rows_in: int = 0
    rows_out: int = 0
    actions: list[QualityAction] = field(default_factory=list)
    outliers: list[OutlierSummary] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, step: str, column: str | None, count: int, detail: str) -> None:
        """Record an action; zero counts are not actions and are skipped."""
        if count:
            self.actions.append(QualityAction(step, column, int(count), detail))

    def count(self, step: str, column: str | None = None) -> int:
        """Total count of a step (optionally for one column) — handy for tests and summaries."""
        return sum(a.count for a in self.actions if a.step == step and (column is None or a.column == column))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _missing_mask(text: pd.Series) -> pd.Series:
    return text.str.strip().str.lower().isin(MISSING_MARKERS)


def _is_typed_number(column: pd.Series) -> bool:
    """Already numeric (not bool): its missing values are exactly its nulls/NaNs."""
    return pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column.dtype)


@dataclass
class _Distinct:
    """A text column as codes into its distinct values; per-value results are broadcast to rows."""

    codes: np.ndarray
    values: pd.Series  # distinct values as pandas strings
    missing: np.ndarray  # per distinct value: empty or a missing marker

    @classmethod
    def of(cls, column: pd.Series) -> _Distinct:
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
        values = pd.Series(np.asarray(uniques, dtype=object), dtype="string")
        return cls(codes, values, _missing_mask(values).to_numpy(dtype=bool))

    def broadcast(self, per_value: np.ndarray, na_value: object) -> np.ndarray:
        """Row-wise array of ``per_value`` (one entry per distinct value); nulls get ``na_value``."""
        extended = np.append(np.asarray(per_value), np.asarray([na_value], dtype=np.asarray(per_value).dtype))
        return extended[self.codes]  # code -1 (null) picks the appended na_value

    def row_missing(self) -> np.ndarray:
        return self.broadcast(self.missing, True).astype(bool)


def _missing_rows(column: pd.Series) -> np.ndarray:
    if _is_typed_number(column):
        return column.isna().to_numpy(dtype=bool)
    return _Distinct.of(column).row_missing()


def clean_customers(frame: pd.DataFrame, options: CleaningOptions) -> tuple[pd.DataFrame, QualityReport]:
    """Return a cleaned copy of ``frame`` (canonical columns) and the report of what was done."""
    report = QualityReport(rows_in=len(frame))
    missing_required = [c for c in options.features if c not in frame.columns]
    if missing_required:
        found = ", ".join(map(str, frame.columns)) or "none"
        raise DataError(f"required column {missing_required[0]!r} is missing (columns found: {found})")
    if GENDER not in frame.columns:
        report.notes.append("no gender column: gender mix is not reported")

    all_missing = {c: _missing_rows(frame[c]) for c in frame.columns}
    blank = np.logical_and.reduce(list(all_missing.values())) if all_missing else np.zeros(len(frame), bool)
    report.add("blank_row", None, int(blank.sum()), "rows with no values at all dropped")
    keep = ~blank
    frame = frame.loc[keep] if blank.any() else frame
    missing = {c: m[keep] if blank.any() else m for c, m in all_missing.items()}
    for column in frame.columns:
        report.add("missing_marker", column, int(missing[column].sum()), "empty or missing-marker values")

    out = pd.DataFrame(index=frame.index)
    out[CUSTOMER_ID] = _customer_ids(frame, missing, report)
    if GENDER in frame.columns:
        out[GENDER] = _genders(frame[GENDER], missing[GENDER], report)
    for column in NUMERIC_COLUMNS:
        if column in frame.columns:
            out[column] = _numbers(frame[column], missing[column], column, report)

    out = _drop_unusable_rows(out, options, report)
    out = _impute(out, report, options)
    out = _handle_outliers(out, options, report)
    out = _tidy_types(out)
    report.rows_out = len(out)
    if out.empty:
        raise DataError("no usable rows are left after cleaning (every row was empty, invalid or duplicated)")
    return out.reset_index(drop=True), report


def _customer_ids(frame: pd.DataFrame, missing: dict[str, np.ndarray], report: QualityReport) -> pd.Series:
    if CUSTOMER_ID not in frame.columns:
        report.add("generated_id", CUSTOMER_ID, len(frame), "no customer id column: ids 1..n generated")
        return pd.Series(np.arange(1, len(frame) + 1), index=frame.index, dtype="int64")
    column = frame[CUSTOMER_ID]
    present_any = not missing[CUSTOMER_ID].all()
    if pd.api.types.is_integer_dtype(column.dtype) and present_any:
        return column.astype("Int64")  # typed integers: what the text rules below conclude for them
    ids = column.astype("string").str.strip().where(~missing[CUSTOMER_ID])
    numeric = pd.to_numeric(ids, errors="coerce")
    present = ids.notna()
    integral = numeric.notna() & np.isfinite(numeric.astype("float64")) & (numeric % 1 == 0)
    if bool((integral | ~present).all()) and present.any():
        return numeric.astype("Int64")
    return ids.astype("string")


def _genders(column: pd.Series, missing: np.ndarray, report: QualityReport) -> pd.Series:
    distinct = _Distinct.of(column)
    stripped = distinct.values.str.strip()
    mapped = stripped.str.lower().map(gender_spellings()).astype("string")
    respelled = distinct.broadcast((mapped.notna() & (stripped != mapped)).fillna(False).to_numpy(bool), False)
    unknown = distinct.broadcast(mapped.isna().to_numpy(bool), False) & ~missing
    report.add("gender_respelled", GENDER, int(respelled.sum()), "spellings normalised to Female/Male")
    report.add("gender_unknown", GENDER, int(unknown.sum()), "unrecognised gender values set to missing")
    rows = mapped.array.take(distinct.codes, allow_fill=True)  # code -1 → <NA>
    return pd.Series(rows, index=column.index, dtype="string")


def _number_values(column: pd.Series, missing: np.ndarray) -> np.ndarray:
    """float64 per row: typed numbers as they are, text parsed once per distinct value."""
    if _is_typed_number(column):
        return np.array(column.to_numpy(dtype="float64", na_value=np.nan), dtype="float64")  # own copy
    distinct = _Distinct.of(column)
    text = distinct.values.str.strip().where(~pd.Series(distinct.missing, index=distinct.values.index))
    parsed = pd.to_numeric(text, errors="coerce").astype("float64").to_numpy(dtype="float64", na_value=np.nan)
    values = distinct.broadcast(parsed, np.nan).astype("float64")
    values[missing] = np.nan
    return values


def _numbers(column: pd.Series, missing: np.ndarray, name: str, report: QualityReport) -> pd.Series:
    values = _number_values(column, missing)
    nan = np.isnan(values)
    report.add("not_a_number", name, int((nan & ~missing).sum()), "non-numeric values set to missing")
    non_finite = np.isinf(values)
    report.add("not_finite", name, int(non_finite.sum()), "infinite values set to missing")
    values[non_finite] = np.nan
    valid = VALID_RANGES[name]
    with np.errstate(invalid="ignore"):
        out_of_range = ~np.isnan(values) & ((values < valid.low) | (values > valid.high))
    report.add("out_of_range", name, int(out_of_range.sum()), f"values outside {valid.describe()} set to missing")
    values[out_of_range] = np.nan
    return pd.Series(values, index=column.index, dtype="float64")


def _without(out: pd.DataFrame, drop: pd.Series) -> pd.DataFrame:
    """``out`` minus the flagged rows; no copy when nothing is flagged (the usual case at scale)."""
    return out.loc[~drop] if bool(drop.any()) else out


def _duplicate_rows(out: pd.DataFrame) -> pd.Series:
    """``out.duplicated(keep="first")``, hashing whole rows only where the id repeats.

    Two identical rows share their customer id, so rows with a unique id cannot be duplicates: at
    10 M rows this hashes one column instead of five (≈10× faster), with the very same result.
    """
    repeated_id = out[CUSTOMER_ID].duplicated(keep=False).to_numpy()
    flags = np.zeros(len(out), dtype=bool)
    if repeated_id.any():
        flags[repeated_id] = out.loc[repeated_id].duplicated(keep="first").to_numpy()
    return pd.Series(flags, index=out.index)


def _drop_unusable_rows(out: pd.DataFrame, options: CleaningOptions, report: QualityReport) -> pd.DataFrame:
    no_id = out[CUSTOMER_ID].isna()
    report.add("missing_id", CUSTOMER_ID, int(no_id.sum()), "rows without a customer id dropped")
    out = _without(out, no_id)

    duplicated_rows = _duplicate_rows(out)
    report.add("duplicate_row", None, int(duplicated_rows.sum()), "exact duplicate rows dropped")
    out = _without(out, duplicated_rows)

    duplicated_ids = out[CUSTOMER_ID].duplicated(keep="first")
    report.add("duplicate_id", CUSTOMER_ID, int(duplicated_ids.sum()), "rows repeating an earlier customer id dropped")
    out = _without(out, duplicated_ids)

    features = [c for c in options.features if c in out.columns]
    max_missing = len(features) // 2  # more than half missing → too little left to impute
    too_sparse = out[features].isna().sum(axis=1) > max_missing
    report.add(
        "too_sparse",
        None,
        int(too_sparse.sum()),
        f"rows missing more than {max_missing} of the {len(features)} model features dropped",
    )
    return _without(out, too_sparse)


def _impute(out: pd.DataFrame, report: QualityReport, options: CleaningOptions) -> pd.DataFrame:
    out = out.copy()
    for column in NUMERIC_COLUMNS:
        if column not in out.columns:
            continue
        gaps = out[column].isna()
        if gaps.any() and not gaps.all():
            median = float(out[column].median())
            out[column] = out[column].fillna(median)
            report.add("imputed_median", column, int(gaps.sum()), f"missing values set to the median {median:g}")
    if GENDER in out.columns:
        gaps = out[GENDER].isna()
        if gaps.any() and not gaps.all():
            counts = out[GENDER].value_counts()
            # Ties resolve to the first category in GENDER_CATEGORIES so the result is deterministic.
            mode = max(GENDER_CATEGORIES, key=lambda g: (counts.get(g, 0), -GENDER_CATEGORIES.index(g)))
            out[GENDER] = out[GENDER].fillna(mode)
            report.add("imputed_mode", GENDER, int(gaps.sum()), f"missing values set to the mode {mode}")
    for column in [c for c in out.columns if len(out) and out[c].isna().all()]:
        if column in options.features or column == CUSTOMER_ID:
            raise DataError(f"column {column!r} has no usable values")
        # Not a model feature (e.g. gender filled with "Unknown" by the export): drop it, and say so.
        out = out.drop(columns=[column])
        report.add("empty_column_dropped", column, len(out), "no usable values: column dropped (not a model feature)")
    return out


def _handle_outliers(out: pd.DataFrame, options: CleaningOptions, report: QualityReport) -> pd.DataFrame:
    for column in NUMERIC_COLUMNS:
        if column not in options.features or column not in out.columns or out.empty:
            continue
        q1, q3 = out[column].quantile([0.25, 0.75]).to_numpy(dtype="float64")
        spread = q3 - q1
        low, high = q1 - options.iqr_factor * spread, q3 + options.iqr_factor * spread
        outside = (out[column] < low) | (out[column] > high)
        count = int(outside.sum())
        report.outliers.append(OutlierSummary(column, float(low), float(high), count, options.clip_outliers))
        if options.clip_outliers and count:
            out[column] = out[column].clip(low, high)
            report.add("clipped_outlier", column, count, f"values clipped to [{low:g}, {high:g}]")
    return out


def _tidy_types(out: pd.DataFrame) -> pd.DataFrame:
    """Whole-number columns become int64 so the written CSVs read like the input."""
    for column in NUMERIC_COLUMNS:
        if column in out.columns:
            values = out[column].to_numpy(dtype="float64")
            if len(values) and bool(np.all(values == np.floor(values))) and math.isfinite(values.max()):
                out[column] = values.astype("int64")
    return out
