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
from ..feature_schema import (
    IMPUTED_WARN_SHARE,
    MALL_SCHEMA,
    MAX_LEVELS,
    OTHER_LEVEL,
    OUT_OF_RANGE_WARN_SHARE,
    RARE_LEVEL_SHARE,
    ROW_ID,
    FeatureSchema,
    FeatureSpec,
    mall_schema,
)
from ..schema import GENDER, GENDER_CATEGORIES, MISSING_MARKERS, gender_spellings


@dataclass(frozen=True)
class CleaningOptions:
    """What the cleaning needs to know about the model it prepares data for.

    ``features`` alone means the Mall schema clustering those Mall columns (how every Mall run has
    always been described); ``schema`` names any table's columns, kinds and ranges.
    """

    features: tuple[str, ...] = ()
    clip_outliers: bool = False
    iqr_factor: float = 1.5
    schema: FeatureSchema | None = None

    def resolved_schema(self) -> FeatureSchema:
        if self.schema is not None:
            return self.schema
        return mall_schema(self.features) if self.features else MALL_SCHEMA


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
    #: Problems the user should know about (``--strict`` turns them into errors).
    warnings: list[str] = field(default_factory=list)

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
    schema = options.resolved_schema()
    report = QualityReport(rows_in=len(frame))
    missing_required = [c for c in schema.feature_names if c not in frame.columns]
    if missing_required:
        found = ", ".join(map(str, frame.columns)) or "none"
        raise DataError(f"required column {missing_required[0]!r} is missing (columns found: {found})")
    if schema.kind == "mall" and GENDER not in frame.columns:
        report.notes.append("no gender column: gender mix is not reported")

    all_missing = {c: _missing_rows(frame[c]) for c in frame.columns}
    blank = np.logical_and.reduce(list(all_missing.values())) if all_missing else np.zeros(len(frame), bool)
    report.add("blank_row", None, int(blank.sum()), "rows with no values at all dropped")
    keep = ~blank
    positions = np.flatnonzero(keep) + 1  # 1-based data row numbers in the file
    frame = frame.loc[keep] if blank.any() else frame
    missing = {c: m[keep] if blank.any() else m for c, m in all_missing.items()}
    for column in frame.columns:
        report.add("missing_marker", column, int(missing[column].sum()), "empty or missing-marker values")

    out = pd.DataFrame(index=frame.index)
    out[schema.id_name] = _customer_ids(frame, missing, report, schema, positions)
    for spec in schema.columns:
        if spec.name in frame.columns:
            out[spec.name] = _column(frame[spec.name], missing[spec.name], spec, schema, report)

    out = _drop_unusable_rows(out, schema, report)
    out = _impute(out, report, schema)
    out = _group_rare_levels(out, schema, report)
    out = _handle_outliers(out, options, schema, report)
    out = _tidy_types(out, schema)
    report.rows_out = len(out)
    if out.empty:
        raise DataError("no usable rows are left after cleaning (every row was empty, invalid or duplicated)")
    _warn_constant_features(out, schema, report)
    return out.reset_index(drop=True), report


def _column(
    column: pd.Series, missing: np.ndarray, spec: FeatureSpec, schema: FeatureSchema, report: QualityReport
) -> pd.Series:
    if schema.kind == "mall" and spec.name == GENDER:
        return _genders(column, missing, report)
    if spec.is_numeric or (spec.kind is None and _mostly_numbers(column, missing)):
        return _numbers(column, missing, spec, report)
    return _categories(column, missing, spec, report)


def _mostly_numbers(column: pd.Series, missing: np.ndarray) -> bool:
    """An undeclared (describe) column is numeric when every present value parses as a number."""
    values = _number_values(column, missing)
    present = ~missing
    return bool(present.any()) and bool(np.isfinite(values[present]).all())


def _customer_ids(
    frame: pd.DataFrame,
    missing: dict[str, np.ndarray],
    report: QualityReport,
    schema: FeatureSchema,
    positions: np.ndarray,
) -> pd.Series:
    id_column = schema.id_column
    if id_column is None:  # no id declared: customers are their data row numbers in the file
        detail = "no customer id column: customers numbered row_id 1..n in file order"
        report.add("generated_id", ROW_ID, len(frame), detail)
        return pd.Series(positions, index=frame.index, dtype="int64")
    if id_column not in frame.columns:
        report.add("generated_id", id_column, len(frame), "no customer id column: ids 1..n generated")
        return pd.Series(np.arange(1, len(frame) + 1), index=frame.index, dtype="int64")
    column = frame[id_column]
    present_any = not missing[id_column].all()
    if pd.api.types.is_integer_dtype(column.dtype) and present_any:
        return column.astype("Int64")  # typed integers: what the text rules below conclude for them
    ids = column.astype("string").str.strip().where(~missing[id_column])
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


def category_spellings(counts: pd.Series, levels: tuple[str, ...] | None = None) -> dict[str, str]:
    """Case- and space-insensitive spelling → canonical level.

    With declared ``levels`` the canonical spelling is the declared one (others are unknown); without,
    it is the most frequent spelling (ties: the alphabetically first) — so ``" basic"``, ``"Basic"``
    and ``"BASIC"`` become one level. ``counts``: rows per stripped spelling.
    """
    if levels is not None:
        return {level.strip().lower(): level for level in levels}
    best: dict[str, tuple[int, str]] = {}
    for text, count in counts.items():
        key = str(text).lower()
        current = best.get(key)
        if current is None or (-count, str(text)) < (-current[0], current[1]):
            best[key] = (int(count), str(text))
    return {key: text for key, (_, text) in best.items()}


def _categories(column: pd.Series, missing: np.ndarray, spec: FeatureSpec, report: QualityReport) -> pd.Series:
    """Categorical text: trimmed, one spelling per level (case-insensitive), unknown declared levels → missing."""
    distinct = _Distinct.of(column)
    stripped = distinct.values.str.strip()
    present = ~pd.Series(distinct.missing, index=stripped.index)
    rows_per_value = np.bincount(distinct.codes[distinct.codes >= 0], minlength=len(stripped))
    counts = pd.Series(rows_per_value, index=stripped.to_numpy(dtype=object))[present.to_numpy()]
    spellings = category_spellings(counts.groupby(level=0).sum(), spec.levels)
    mapped = stripped.str.lower().map(spellings).astype("string").where(present)
    respelled = distinct.broadcast((mapped.notna() & (distinct.values != mapped)).fillna(False).to_numpy(bool), False)
    unknown = distinct.broadcast((mapped.isna() & present).to_numpy(bool), False)
    report.add("category_respelled", spec.name, int(respelled.sum()), "spellings normalised (spaces, case)")
    report.add("category_unknown", spec.name, int(unknown.sum()), "values outside the declared levels set to missing")
    rows = mapped.array.take(distinct.codes, allow_fill=True)
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


def _numbers(column: pd.Series, missing: np.ndarray, spec: FeatureSpec, report: QualityReport) -> pd.Series:
    name = spec.name
    values = _number_values(column, missing)
    nan = np.isnan(values)
    report.add("not_a_number", name, int((nan & ~missing).sum()), "non-numeric values set to missing")
    non_finite = np.isinf(values)
    report.add("not_finite", name, int(non_finite.sum()), "infinite values set to missing")
    values[non_finite] = np.nan
    valid = spec.valid_range
    if valid is not None:
        with np.errstate(invalid="ignore"):
            out_of_range = ~np.isnan(values) & ((values < valid.low) | (values > valid.high))
        count = int(out_of_range.sum())
        report.add("out_of_range", name, count, f"values outside {valid.describe()} set to missing")
        present = int((~np.isnan(values)).sum())
        if present and count / present > OUT_OF_RANGE_WARN_SHARE:
            report.warnings.append(
                f"{count:,} of {present:,} values of {name!r} ({count / present:.0%}) are outside its declared range "
                f"{valid.describe()}: check the column and its units"
            )
        values[out_of_range] = np.nan
    return pd.Series(values, index=column.index, dtype="float64")


def _without(out: pd.DataFrame, drop: pd.Series) -> pd.DataFrame:
    """``out`` minus the flagged rows; no copy when nothing is flagged (the usual case at scale)."""
    return out.loc[~drop] if bool(drop.any()) else out


def _duplicate_rows(out: pd.DataFrame, id_name: str, generated: bool) -> pd.Series:
    """``out.duplicated(keep="first")``, hashing whole rows only where the id repeats.

    Two identical rows share their customer id, so rows with a unique id cannot be duplicates: at
    10 M rows this hashes one column instead of five (≈10× faster), with the very same result. When
    the ids are generated row numbers, rows are compared on every other column instead.
    """
    if generated:
        return out.drop(columns=[id_name]).duplicated(keep="first")
    repeated_id = out[id_name].duplicated(keep=False).to_numpy()
    flags = np.zeros(len(out), dtype=bool)
    if repeated_id.any():
        flags[repeated_id] = out.loc[repeated_id].duplicated(keep="first").to_numpy()
    return pd.Series(flags, index=out.index)


def _drop_unusable_rows(out: pd.DataFrame, schema: FeatureSchema, report: QualityReport) -> pd.DataFrame:
    id_name = schema.id_name
    no_id = out[id_name].isna()
    report.add("missing_id", id_name, int(no_id.sum()), "rows without a customer id dropped")
    out = _without(out, no_id)

    duplicated_rows = _duplicate_rows(out, id_name, schema.id_column is None)
    report.add("duplicate_row", None, int(duplicated_rows.sum()), "exact duplicate rows dropped")
    out = _without(out, duplicated_rows)

    duplicated_ids = out[id_name].duplicated(keep="first")
    report.add("duplicate_id", id_name, int(duplicated_ids.sum()), "rows repeating an earlier customer id dropped")
    out = _without(out, duplicated_ids)

    features = [c for c in schema.feature_names if c in out.columns]
    max_missing = len(features) // 2  # more than half missing → too little left to impute
    too_sparse = out[features].isna().sum(axis=1) > max_missing
    report.add(
        "too_sparse",
        None,
        int(too_sparse.sum()),
        f"rows missing more than {max_missing} of the {len(features)} model features dropped",
    )
    return _without(out, too_sparse)


def _imputed_columns(out: pd.DataFrame, schema: FeatureSchema) -> tuple[list[str], list[str]]:
    """Numeric and categorical columns to impute: the features (and, for the Mall, every Mall column,
    as the Mall pipeline always has)."""
    specs = schema.columns if schema.kind == "mall" else schema.features
    numeric = [s.name for s in specs if s.name in out.columns and pd.api.types.is_float_dtype(out[s.name].dtype)]
    categorical = [s.name for s in specs if s.name in out.columns and s.is_categorical]
    return numeric, categorical


def _impute(out: pd.DataFrame, report: QualityReport, schema: FeatureSchema) -> pd.DataFrame:
    out = out.copy()
    numeric, categorical = _imputed_columns(out, schema)
    features = set(schema.feature_names)
    for column in numeric:
        gaps = out[column].isna()
        if gaps.any() and not gaps.all():
            median = float(out[column].median())
            out[column] = out[column].fillna(median)
            report.add("imputed_median", column, int(gaps.sum()), f"missing values set to the median {median:g}")
            _warn_imputed(column, int(gaps.sum()), len(out), column in features, report)
    for column in categorical:
        gaps = out[column].isna()
        if gaps.any() and not gaps.all():
            counts = out[column].value_counts()
            order = list(GENDER_CATEGORIES) if column == GENDER and schema.kind == "mall" else sorted(counts.index)
            # Ties resolve to the first level in order so the result is deterministic.
            mode = max(order, key=lambda g: (counts.get(g, 0), -order.index(g)))
            out[column] = out[column].fillna(mode)
            report.add("imputed_mode", column, int(gaps.sum()), f"missing values set to the mode {mode}")
            _warn_imputed(column, int(gaps.sum()), len(out), column in features, report)
    for column in [c for c in out.columns if len(out) and out[c].isna().all()]:
        if column in features or column == schema.id_name:
            raise DataError(f"column {column!r} has no usable values")
        # Not a model feature (e.g. gender filled with "Unknown" by the export): drop it, and say so.
        out = out.drop(columns=[column])
        report.add("empty_column_dropped", column, len(out), "no usable values: column dropped (not a model feature)")
    return out


def _warn_imputed(column: str, count: int, rows: int, is_feature: bool, report: QualityReport) -> None:
    if is_feature and rows and count / rows > IMPUTED_WARN_SHARE:
        report.warnings.append(
            f"{count:,} of {rows:,} values of feature {column!r} ({count / rows:.0%}) were imputed: "
            "its segments rest on guesses"
        )


def _group_rare_levels(out: pd.DataFrame, schema: FeatureSchema, report: QualityReport) -> pd.DataFrame:
    """Levels held by fewer than RARE_LEVEL_SHARE of customers become ``other``; more than MAX_LEVELS
    levels is refused (one-hot columns would drown the numeric features)."""
    for spec in schema.categorical_features:
        if spec.levels is not None or spec.name not in out.columns or out.empty:
            continue
        shares = out[spec.name].value_counts(normalize=True)
        rare = [str(level) for level, share in shares.items() if share < RARE_LEVEL_SHARE]
        if rare and len(rare) < len(shares):
            mask = out[spec.name].isin(rare)
            out[spec.name] = out[spec.name].where(~mask, OTHER_LEVEL)
            report.add(
                "rare_level_grouped",
                spec.name,
                int(mask.sum()),
                f"values of {len(rare)} levels rarer than {RARE_LEVEL_SHARE:.0%} grouped as '{OTHER_LEVEL}'",
            )
        levels = out[spec.name].nunique()
        if levels > MAX_LEVELS:
            raise DataError(
                f"categorical feature {spec.name!r} has {levels} levels (more than {MAX_LEVELS}): group its levels, "
                f"declare it with --describe to profile it without clustering, or leave it out"
            )
    return out


def _handle_outliers(
    out: pd.DataFrame, options: CleaningOptions, schema: FeatureSchema, report: QualityReport
) -> pd.DataFrame:
    for spec in schema.numeric_features:
        column = spec.name
        if column not in out.columns or out.empty:
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


def _tidy_types(out: pd.DataFrame, schema: FeatureSchema) -> pd.DataFrame:
    """Whole-number columns become int64 so the written CSVs read like the input."""
    for spec in schema.columns:
        column = spec.name
        if column in out.columns and pd.api.types.is_float_dtype(out[column].dtype):
            values = out[column].to_numpy(dtype="float64")
            if len(values) and bool(np.all(values == np.floor(values))) and math.isfinite(values.max()):
                out[column] = values.astype("int64")
    return out


def _warn_constant_features(out: pd.DataFrame, schema: FeatureSchema, report: QualityReport) -> None:
    for name in schema.feature_names:
        if name in out.columns and out[name].nunique(dropna=True) <= 1:
            report.warnings.append(f"feature {name!r} is constant after cleaning: it cannot separate segments")
