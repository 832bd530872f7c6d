"""The default engine's cleaning rules (:mod:`customer_segmentation.data.clean`) as Spark operations.

Same rules, same order, same :class:`QualityReport` — step names, columns, counts and details — so
a Spark run and a scikit-learn run of the same file report the same data quality. Each rule is a
column expression; the counts of several rules are gathered in one aggregation, so the whole
cleaning costs a handful of passes over the data whatever its size:

1. per-value flags (missing marker, not a number, not finite, out of range, gender spellings) and
   their counts — one pass;
2. "first occurrence" by file order (the ``_row`` id) for duplicate rows and ids, and rows too sparse
   to impute — one shuffle by customer id;
3. exact medians (Spark's ``percentile``, linear interpolation like pandas) and the gender mode;
4. IQR fences on the imputed values; 5. outlier counts and whole-number checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...data.clean import CleaningOptions, OutlierSummary, QualityReport
from ...errors import DataError
from ...schema import (
    CUSTOMER_ID,
    GENDER,
    GENDER_CATEGORIES,
    MISSING_MARKERS,
    NUMERIC_COLUMNS,
    VALID_RANGES,
    gender_spellings,
)
from .read import ROW

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

# Exactly the characters Python's str.strip() removes (Unicode whitespace and the ASCII separators
# 0x1c-0x1f), trimmed with btrim — no regular expression per value.
_WHITESPACE = "".join(ch for ch in map(chr, range(0x110000)) if ch.isspace())
# What pandas.to_numeric accepts as a number (Java's parser also takes "1d", "0x1p3": refused here).
_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(?i)(inf|infinity)$"


@dataclass
class SparkCleaned:
    """The cleaned table (cached, canonical typed columns plus ``_row``) and what was done."""

    frame: DataFrame
    report: QualityReport
    rows: int
    integral_columns: tuple[str, ...]


def _strip(col: Column) -> Column:
    from pyspark.sql import functions as F

    return F.btrim(col, F.lit(_WHITESPACE))


def _count(condition: Column) -> Column:
    from pyspark.sql import functions as F

    return F.sum(F.when(condition, 1).otherwise(0))


def _first(row: Any, name: str) -> int:
    value = row[name]
    return int(value) if value is not None else 0


def clean_spark(frame: DataFrame, options: CleaningOptions) -> SparkCleaned:
    """Clean a Spark table of canonical text columns; the same rules and report as the default engine."""
    from pyspark.sql import functions as F

    columns = [c for c in frame.columns if c != ROW]
    missing_required = [c for c in options.features if c not in columns]
    if missing_required:
        found = ", ".join(columns) or "none"
        raise DataError(f"required column {missing_required[0]!r} is missing (columns found: {found})")
    report = QualityReport()
    if GENDER not in columns:
        report.notes.append("no gender column: gender mix is not reported")

    # -- pass 1: per-value flags. Each value is stripped, parsed and mapped once, in projections that
    # later steps reference by name; the result is cached, so the input is parsed only once.
    stripped = frame.select(F.col(ROW), *[_strip(F.col(c)).alias(c) for c in columns])
    markers = F.array(*[F.lit(m) for m in sorted(MISSING_MARKERS)])
    missing = {c: F.col(c).isNull() | F.array_contains(markers, F.lower(F.col(c))) for c in columns}
    derived: list[Column] = [F.col(ROW), *[missing[c].alias(f"_m_{c}") for c in columns]]
    if GENDER in columns:
        mapping = F.create_map(*[F.lit(x) for kv in sorted(gender_spellings().items()) for x in kv])
        mapped = mapping[F.lower(F.col(GENDER))]
        derived += [mapped.alias("_g"), (mapped.isNotNull() & (F.col(GENDER) != mapped)).alias("_respelled")]
    for c in (c for c in NUMERIC_COLUMNS if c in columns):
        derived.append(F.when(~missing[c] & F.col(c).rlike(_NUMBER), F.col(c).try_cast("double")).alias(f"_p_{c}"))
    if CUSTOMER_ID in columns:
        ids = F.when(~missing[CUSTOMER_ID], F.col(CUSTOMER_ID))
        derived += [ids.alias("_i"), F.when(ids.rlike(_NUMBER), ids.try_cast("double")).alias("_in")]
    flags = stripped.select(*derived).withColumn("_blank", F.expr(" AND ".join(f"_m_{c}" for c in columns))).persist()
    typed_columns: dict[str, Column] = {}
    aggregates: list[Column] = [F.count(F.lit(1)).alias("rows_in"), _count(F.col("_blank")).alias("blank")]
    live = ~F.col("_blank")
    for c in columns:
        aggregates.append(_count(live & F.col(f"_m_{c}")).alias(f"missing_{c}"))
    if GENDER in columns:
        typed_columns[GENDER] = F.col("_g")
        aggregates.append(_count(live & F.col("_respelled")).alias("gender_respelled"))
        aggregates.append(_count(live & F.col("_g").isNull() & ~F.col(f"_m_{GENDER}")).alias("gender_unknown"))
    for c in (c for c in NUMERIC_COLUMNS if c in columns):
        parsed = F.col(f"_p_{c}")
        finite = parsed.isNotNull() & ~F.isnan(parsed) & (F.abs(parsed) != float("inf"))
        valid = VALID_RANGES[c]
        in_range = (parsed >= valid.low) & (parsed <= valid.high)
        typed_columns[c] = F.when(finite & in_range, parsed)
        aggregates.append(_count(live & parsed.isNull() & ~F.col(f"_m_{c}")).alias(f"nan_{c}"))
        aggregates.append(_count(live & parsed.isNotNull() & ~finite).alias(f"inf_{c}"))
        aggregates.append(_count(live & finite & ~in_range).alias(f"range_{c}"))
    if CUSTOMER_ID in columns:
        ids, numeric_id = F.col("_i"), F.col("_in")
        integral = numeric_id.isNotNull() & (F.abs(numeric_id) != float("inf")) & (numeric_id % 1 == 0)
        aggregates.append(_count(live & ids.isNotNull()).alias("id_present"))
        aggregates.append(_count(live & ids.isNotNull() & ~integral).alias("id_not_integral"))
    counts = flags.agg(*aggregates).first()
    assert counts is not None
    report.rows_in = _first(counts, "rows_in")
    report.add("blank_row", None, _first(counts, "blank"), "rows with no values at all dropped")
    for c in columns:
        report.add("missing_marker", c, _first(counts, f"missing_{c}"), "empty or missing-marker values")

    if CUSTOMER_ID in columns:
        numeric_ids = _first(counts, "id_not_integral") == 0 and _first(counts, "id_present") > 0
        id_column = numeric_id.try_cast("long") if numeric_ids else ids
        typed = flags.where(live).select(
            F.col(ROW),
            id_column.alias(CUSTOMER_ID),
            *[typed_columns[c].alias(c) for c in columns if c in typed_columns],
        )
    else:
        typed = _generated_ids(flags.where(live), [F.col(ROW), *[typed_columns[c].alias(c) for c in typed_columns]])
        report.add(
            "generated_id",
            CUSTOMER_ID,
            report.rows_in - _first(counts, "blank"),
            "no customer id column: ids 1..n generated",
        )
    if GENDER in columns:
        report.add(
            "gender_respelled", GENDER, _first(counts, "gender_respelled"), "spellings normalised to Female/Male"
        )
        report.add(
            "gender_unknown", GENDER, _first(counts, "gender_unknown"), "unrecognised gender values set to missing"
        )
    for c in (c for c in NUMERIC_COLUMNS if c in columns):
        report.add("not_a_number", c, _first(counts, f"nan_{c}"), "non-numeric values set to missing")
        report.add("not_finite", c, _first(counts, f"inf_{c}"), "infinite values set to missing")
        report.add(
            "out_of_range",
            c,
            _first(counts, f"range_{c}"),
            f"values outside {VALID_RANGES[c].describe()} set to missing",
        )

    kept = _drop_unusable_rows(typed, options, report)
    flags.unpersist()  # the ranked rows are cached now
    imputed = _impute(kept, report, options)
    cleaned, whole_columns = _handle_outliers(imputed, options, report)
    return SparkCleaned(cleaned, report, report.rows_out, whole_columns)


def _generated_ids(live: DataFrame, selection: list[Column]) -> DataFrame:
    """ids 1..n in file order, computed per input partition (no single-partition window).

    ``monotonically_increasing_id`` keeps the partition index in its upper 31 bits, so the rank of
    a row is the row count of all earlier partitions plus its rank inside its own partition.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    parted = live.select(*selection).withColumn("_part", F.shiftright(F.col(ROW), 33))
    sizes = sorted(
        (int(r["_part"]), int(r["n"])) for r in parted.groupBy("_part").agg(F.count(F.lit(1)).alias("n")).collect()
    )
    offsets, total = [], 0
    for part, size in sizes:
        offsets.append((part, total))
        total += size
    offset_map = F.create_map(*[F.lit(x) for pair in offsets for x in pair]) if offsets else F.create_map()
    rank = F.row_number().over(Window.partitionBy("_part").orderBy(ROW))
    ids = parted.withColumn(CUSTOMER_ID, (offset_map[F.col("_part")] + rank).cast("long")).drop("_part")
    return ids.select(ROW, CUSTOMER_ID, *[c for c in ids.columns if c not in (ROW, CUSTOMER_ID)])


def _drop_unusable_rows(typed: DataFrame, options: CleaningOptions, report: QualityReport) -> DataFrame:
    """Missing ids, exact duplicates, repeated ids (first row in file order kept), too-sparse rows.

    After exact duplicates are gone the first row of an id is still its first row overall, so one
    window by id gives both: ``duplicate_row`` = rows repeating an earlier identical row, and
    ``duplicate_id`` = the remaining rows that are not the first of their id.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    values = [c for c in typed.columns if c != ROW]
    features = [c for c in options.features if c in values]
    max_missing = len(features) // 2
    sparse = sum((F.col(c).isNull().cast("int") for c in features), F.lit(0)) > max_missing
    has_id = F.col(CUSTOMER_ID).isNotNull()
    ranked = (
        typed.withColumn("_id_rank", F.row_number().over(Window.partitionBy(CUSTOMER_ID).orderBy(ROW)))
        .withColumn("_row_rank", F.row_number().over(Window.partitionBy(*values).orderBy(ROW)))
        .withColumn("_sparse", sparse)
        .persist()  # the shuffle by id is the expensive part: later passes read its result
    )
    stats = ranked.agg(
        _count(~has_id).alias("no_id"),
        _count(has_id & (F.col("_row_rank") > 1)).alias("duplicate_row"),
        _count(has_id & (F.col("_id_rank") > 1)).alias("not_first_id"),
        _count(has_id & (F.col("_id_rank") == 1) & F.col("_sparse")).alias("too_sparse"),
    ).first()
    assert stats is not None
    duplicate_rows = _first(stats, "duplicate_row")
    report.add("missing_id", CUSTOMER_ID, _first(stats, "no_id"), "rows without a customer id dropped")
    report.add("duplicate_row", None, duplicate_rows, "exact duplicate rows dropped")
    report.add(
        "duplicate_id",
        CUSTOMER_ID,
        _first(stats, "not_first_id") - duplicate_rows,
        "rows repeating an earlier customer id dropped",
    )
    report.add(
        "too_sparse",
        None,
        _first(stats, "too_sparse"),
        f"rows missing more than {max_missing} of the {len(features)} model features dropped",
    )
    kept = ranked.where(has_id & (F.col("_id_rank") == 1) & ~F.col("_sparse")).select(ROW, *values)
    return kept


def _impute(kept: DataFrame, report: QualityReport, options: CleaningOptions) -> DataFrame:
    """Median for numbers (exact, interpolated like pandas), mode for gender (ties: Female)."""
    from pyspark.sql import functions as F

    numeric = [c for c in NUMERIC_COLUMNS if c in kept.columns]
    aggregates = [F.count(F.lit(1)).alias("rows")]
    for c in numeric:
        aggregates += [
            _count(F.col(c).isNull()).alias(f"gaps_{c}"),
            F.percentile(F.col(c), F.lit(0.5)).alias(f"median_{c}"),
        ]
    if GENDER in kept.columns:
        aggregates.append(_count(F.col(GENDER).isNull()).alias(f"gaps_{GENDER}"))
        aggregates += [_count(F.col(GENDER) == g).alias(f"n_{g}") for g in GENDER_CATEGORIES]
    if CUSTOMER_ID in kept.columns:
        aggregates.append(_count(F.col(CUSTOMER_ID).isNull()).alias(f"gaps_{CUSTOMER_ID}"))
    stats = kept.agg(*aggregates).first()
    assert stats is not None
    rows = _first(stats, "rows")
    fills: dict[str, Any] = {}
    for c in numeric:
        gaps = _first(stats, f"gaps_{c}")
        if gaps and gaps < rows:
            median = float(stats[f"median_{c}"])
            fills[c] = median
            report.add("imputed_median", c, gaps, f"missing values set to the median {median:g}")
    if GENDER in kept.columns:
        gaps = _first(stats, f"gaps_{GENDER}")
        if gaps and gaps < rows:
            mode = max(GENDER_CATEGORIES, key=lambda g: (_first(stats, f"n_{g}"), -GENDER_CATEGORIES.index(g)))
            fills[GENDER] = mode
            report.add("imputed_mode", GENDER, gaps, f"missing values set to the mode {mode}")
    empty = [
        c for c in [CUSTOMER_ID, GENDER, *numeric] if c in kept.columns and rows and _first(stats, f"gaps_{c}") == rows
    ]
    for c in empty:  # the same rule as data/clean.py: fatal for model features, dropped otherwise
        if c in options.features or c == CUSTOMER_ID:
            raise DataError(f"column {c!r} has no usable values")
        report.add("empty_column_dropped", c, rows, "no usable values: column dropped (not a model feature)")
    if not rows:
        raise DataError("no usable rows are left after cleaning (every row was empty, invalid or duplicated)")
    kept = kept.drop(*empty) if empty else kept
    return kept.fillna(fills) if fills else kept


def _handle_outliers(
    imputed: DataFrame, options: CleaningOptions, report: QualityReport
) -> tuple[DataFrame, tuple[str, ...]]:
    """IQR fences (exact quartiles), counted, clipped on request; whole-number columns become long."""
    from pyspark.sql import functions as F

    numeric = [c for c in NUMERIC_COLUMNS if c in imputed.columns]
    checked = [c for c in numeric if c in options.features]
    fences: dict[str, tuple[float, float]] = {}
    if checked:
        quartiles = imputed.agg(
            *[F.percentile(F.col(c), F.array(F.lit(0.25), F.lit(0.75))).alias(c) for c in checked]
        ).first()
        assert quartiles is not None
        for c in checked:
            q1, q3 = (float(v) for v in quartiles[c])
            spread = q3 - q1
            fences[c] = (q1 - options.iqr_factor * spread, q3 + options.iqr_factor * spread)
    clipped = imputed
    if options.clip_outliers:
        clipped = imputed.select(
            *[
                F.least(F.greatest(F.col(c), F.lit(fences[c][0])), F.lit(fences[c][1])).alias(c)
                if c in fences
                else F.col(c)
                for c in imputed.columns
            ]
        )
    stats = imputed.agg(
        F.count(F.lit(1)).alias("rows"),
        *[_count(F.col(c) < low).alias(f"low_{c}") for c, (low, _) in fences.items()],
        *[_count(F.col(c) > high).alias(f"high_{c}") for c, (_, high) in fences.items()],
        *[_count(F.col(c) != F.floor(F.col(c))).alias(f"frac_{c}") for c in numeric],
    ).first()
    assert stats is not None
    for c in checked:
        count = _first(stats, f"low_{c}") + _first(stats, f"high_{c}")
        low, high = fences[c]
        report.outliers.append(OutlierSummary(c, float(low), float(high), count, options.clip_outliers))
        if options.clip_outliers and count:
            report.add("clipped_outlier", c, count, f"values clipped to [{low:g}, {high:g}]")
    report.rows_out = _first(stats, "rows")

    # Whole numbers stay whole unless clipping moved a value onto a fractional fence.
    def moved_onto_fraction(c: str) -> bool:
        if not options.clip_outliers or c not in fences:
            return False
        low, high = fences[c]
        return bool(
            (_first(stats, f"low_{c}") and low != int(low)) or (_first(stats, f"high_{c}") and high != int(high))
        )

    integral = tuple(c for c in numeric if _first(stats, f"frac_{c}") == 0 and not moved_onto_fraction(c))
    tidy = clipped.select(*[F.col(c).cast("long").alias(c) if c in integral else F.col(c) for c in clipped.columns])
    return tidy, integral
