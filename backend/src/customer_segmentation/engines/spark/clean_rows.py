"""The row-level half of the Spark cleaning (see :mod:`.clean`): ids, duplicates, too-sparse rows,
imputation, rare levels, IQR outliers, whole-number columns and constant-feature warnings — each the
rule of :mod:`customer_segmentation.data.clean`, with its constants imported from there.

* "first occurrence" is by file order (the ``_row`` id): one shuffle by customer id ranks the rows;
* medians and quartiles are exact (Spark's ``percentile``, linear interpolation like pandas);
* a categorical feature's levels are counted by Spark; only the levels themselves (at most
  ``1 / RARE_LEVEL_SHARE`` frequent ones) reach the driver.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...data.clean import CleaningOptions, OutlierSummary, QualityReport
from ...data.clean import _warn_imputed as warn_imputed  # the default engine's rule and wording
from ...errors import DataError
from ...feature_schema import MAX_LEVELS, OTHER_LEVEL, RARE_LEVEL_SHARE, FeatureSchema
from ...schema import GENDER, GENDER_CATEGORIES
from .read import ROW

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

#: Bits of ``monotonically_increasing_id`` that count the rows inside one input partition.
_ROW_BITS = 33


def count_if(condition: Column) -> Column:
    from pyspark.sql import functions as F

    return F.sum(F.when(condition, 1).otherwise(0))


def first_int(row: Any, name: str) -> int:
    value = row[name]
    return int(value) if value is not None else 0


def _partition_offsets(frame: DataFrame) -> Column:
    """Rows of all earlier input partitions, per partition of ``frame`` (a map literal)."""
    from pyspark.sql import functions as F

    part = F.shiftright(F.col(ROW), _ROW_BITS)
    sizes = sorted((int(r["_part"]), int(r["count"])) for r in frame.groupBy(part.alias("_part")).count().collect())
    offsets, total = [], 0
    for index, size in sizes:
        offsets.append((index, total))
        total += size
    return F.create_map(*[F.lit(x) for pair in offsets for x in pair]) if offsets else F.create_map()


def file_positions(every_row: DataFrame) -> Column:
    """1-based data row numbers in the file, from ``_row`` (``every_row``: all rows as read).

    ``monotonically_increasing_id`` puts the partition index in the upper 31 bits and the row's index
    inside its partition in the lower 33, so a row's position is the size of all earlier partitions
    plus its index: no window, no shuffle.
    """
    from pyspark.sql import functions as F

    offsets = _partition_offsets(every_row)
    inside = F.col(ROW).bitwiseAND(F.lit((1 << _ROW_BITS) - 1))
    return (offsets[F.shiftright(F.col(ROW), _ROW_BITS)] + inside + 1).cast("long")


def generated_ids(frame: DataFrame, name: str) -> DataFrame:
    """ids 1..n over the rows of ``frame`` in file order, computed per input partition.

    Rows were dropped (blank ones), so the index inside a partition is a rank over the partition's
    remaining rows; ranks are taken per partition (no single-partition window).
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    offsets = _partition_offsets(frame)
    part = F.shiftright(F.col(ROW), _ROW_BITS)
    rank = F.row_number().over(Window.partitionBy(part).orderBy(ROW))
    return frame.withColumn(name, (offsets[part] + rank).cast("long"))


@dataclass
class Ranked:
    """The typed rows ranked for the row rules (cached), and the counts of one aggregation over them."""

    frame: DataFrame
    stats: Any
    values: list[str]  # the table's columns (besides ``_row``)
    features: list[str]


def rank_rows(typed: DataFrame, schema: FeatureSchema, values: list[str], extra: list[Column]) -> Ranked:
    """Rank the rows for :func:`drop_unusable_rows`, counting its rules and ``extra`` in one pass.

    After exact duplicates are gone the first row of an id is still its first row overall, so one
    window by id gives both: ``duplicate_row`` = rows repeating an earlier identical row (identical in
    ``values``), and ``duplicate_id`` = the remaining rows that are not the first of their id.
    Generated row ids never repeat: rows are then compared on every other column.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    id_name = schema.id_name
    generated = schema.id_column is None
    features = [c for c in schema.feature_names if c in values]
    sparse = sum((F.col(c).isNull().cast("int") for c in features), F.lit(0)) > len(features) // 2
    has_id = F.col(id_name).isNotNull()
    compared = [c for c in values if c != id_name] if generated else values
    ranked = typed.withColumn("_row_rank", F.row_number().over(Window.partitionBy(*compared).orderBy(ROW)))
    id_rank = F.lit(1) if generated else F.row_number().over(Window.partitionBy(id_name).orderBy(ROW))
    ranked = ranked.withColumn("_id_rank", id_rank).withColumn("_sparse", sparse)
    ranked = ranked.persist()  # the shuffle by id is the expensive part: later passes read its result
    first = (F.col("_id_rank") == 1) & (F.col("_row_rank") == 1)
    stats = ranked.agg(
        count_if(~has_id).alias("no_id"),
        count_if(has_id & (F.col("_row_rank") > 1)).alias("duplicate_row"),
        count_if(has_id & (F.col("_row_rank") == 1) & (F.col("_id_rank") > 1)).alias("duplicate_id"),
        count_if(has_id & first & F.col("_sparse")).alias("too_sparse"),
        *extra,
    ).first()
    assert stats is not None
    return Ranked(ranked, stats, values, features)


def drop_unusable_rows(ranked: Ranked, schema: FeatureSchema, report: QualityReport) -> DataFrame:
    """Missing ids, exact duplicates, repeated ids (first row in file order kept), too-sparse rows."""
    from pyspark.sql import functions as F

    id_name, stats = schema.id_name, ranked.stats
    report.add("missing_id", id_name, first_int(stats, "no_id"), "rows without a customer id dropped")
    report.add("duplicate_row", None, first_int(stats, "duplicate_row"), "exact duplicate rows dropped")
    report.add(
        "duplicate_id", id_name, first_int(stats, "duplicate_id"), "rows repeating an earlier customer id dropped"
    )
    report.add(
        "too_sparse",
        None,
        first_int(stats, "too_sparse"),
        f"rows missing more than {len(ranked.features) // 2} of the {len(ranked.features)} model features dropped",
    )
    usable = F.col(id_name).isNotNull() & (F.col("_id_rank") == 1) & (F.col("_row_rank") == 1) & ~F.col("_sparse")
    return ranked.frame.where(usable).select(ROW, *ranked.values)


def _mode(kept: DataFrame, column: str, schema: FeatureSchema, stats: Any) -> str:
    """The most frequent level; ties to the first in order (the Mall's Female/Male, else sorted)."""
    from pyspark.sql import functions as F

    if schema.kind == "mall" and column == GENDER:
        return max(GENDER_CATEGORIES, key=lambda g: (first_int(stats, f"n_{g}"), -GENDER_CATEGORIES.index(g)))
    top = (
        kept.where(F.col(column).isNotNull())
        .groupBy(column)
        .count()
        .orderBy(F.col("count").desc(), F.col(column).asc())
        .first()
    )
    assert top is not None
    return str(top[column])


def impute(kept: DataFrame, schema: FeatureSchema, report: QualityReport, numeric: list[str]) -> tuple[DataFrame, int]:
    """Median for numbers (exact, interpolated like pandas), mode for categories; empty columns are
    fatal for the id and the features, dropped otherwise (``numeric``: the columns typed as numbers).
    Returns the table and its number of rows."""
    from pyspark.sql import functions as F

    specs = schema.columns if schema.kind == "mall" else schema.features
    columns = [c for c in kept.columns if c != ROW]
    imputed_numbers = [s.name for s in specs if s.name in numeric and s.name in columns]
    imputed_levels = [s.name for s in specs if s.is_categorical and s.name in columns]
    aggregates = [F.count(F.lit(1)).alias("rows"), *[count_if(F.col(c).isNull()).alias(f"gaps_{c}") for c in columns]]
    aggregates += [F.percentile(F.col(c), F.lit(0.5)).alias(f"median_{c}") for c in imputed_numbers]
    if schema.kind == "mall" and GENDER in imputed_levels:
        aggregates += [count_if(F.col(GENDER) == g).alias(f"n_{g}") for g in GENDER_CATEGORIES]
    stats = kept.agg(*aggregates).first()
    assert stats is not None
    rows = first_int(stats, "rows")
    features = set(schema.feature_names)
    fills: dict[str, Any] = {}
    for c in imputed_numbers:
        gaps = first_int(stats, f"gaps_{c}")
        if gaps and gaps < rows:
            median = float(stats[f"median_{c}"])
            fills[c] = median
            report.add("imputed_median", c, gaps, f"missing values set to the median {median:g}")
            warn_imputed(c, gaps, rows, c in features, report)
    for c in imputed_levels:
        gaps = first_int(stats, f"gaps_{c}")
        if gaps and gaps < rows:
            mode = _mode(kept, c, schema, stats)
            fills[c] = mode
            report.add("imputed_mode", c, gaps, f"missing values set to the mode {mode}")
            warn_imputed(c, gaps, rows, c in features, report)
    empty = [c for c in columns if rows and first_int(stats, f"gaps_{c}") == rows]
    for c in empty:  # the rule of data/clean.py: fatal for model features and the id, dropped otherwise
        if c in features or c == schema.id_name:
            raise DataError(f"column {c!r} has no usable values")
        report.add("empty_column_dropped", c, rows, "no usable values: column dropped (not a model feature)")
    if not rows:
        raise DataError("no usable rows are left after cleaning (every row was empty, invalid or duplicated)")
    kept = kept.drop(*empty) if empty else kept
    return (kept.fillna(fills) if fills else kept), rows


@dataclass
class _LevelCounts:
    levels: int  # distinct values
    rare: int  # of which rarer than RARE_LEVEL_SHARE
    rare_rows: int
    frequent: list[str]  # at most 1 / RARE_LEVEL_SHARE of them
    every: list[str] | None  # all levels, when there are at most MAX_LEVELS


#: Levels collected to the driver at once: every frequent one (share ≥ RARE_LEVEL_SHARE) and enough
#: to know whether there are more than MAX_LEVELS.
_LEVELS_AT_ONCE = int(1 / RARE_LEVEL_SHARE) + MAX_LEVELS + 1


def _level_counts(frame: DataFrame, column: str, rows: int) -> _LevelCounts:
    """A categorical column's level counts: one small job (the most common levels reach the driver),
    and a second one only for a column with very many levels."""
    from pyspark.sql import functions as F

    counts = frame.groupBy(column).count()
    top = counts.orderBy(F.col("count").desc(), F.col(column).asc()).limit(_LEVELS_AT_ONCE).collect()
    # pandas' share: the same IEEE division as value_counts(normalize=True)
    is_rare = [int(r["count"]) / float(rows) < RARE_LEVEL_SHARE for r in top]
    frequent = [str(r[column]) for r, rare in zip(top, is_rare, strict=True) if not rare]
    if len(top) < _LEVELS_AT_ONCE:  # every level is here
        rare_rows = sum(int(r["count"]) for r, rare in zip(top, is_rare, strict=True) if rare)
        every = [str(r[column]) for r in top] if len(top) <= MAX_LEVELS else None
        return _LevelCounts(len(top), sum(is_rare), rare_rows, frequent, every)
    rare = F.col("count") / F.lit(float(rows)) < F.lit(RARE_LEVEL_SHARE)
    summary = counts.agg(
        F.count(F.lit(1)).alias("levels"),
        count_if(rare).alias("rare"),
        F.sum(F.when(rare, F.col("count")).otherwise(0)).alias("rare_rows"),
    ).first()
    assert summary is not None
    levels = first_int(summary, "levels")
    return _LevelCounts(levels, first_int(summary, "rare"), first_int(summary, "rare_rows"), frequent, None)


def _too_many_levels(column: str, levels: int) -> DataError:
    return DataError(
        f"categorical feature {column!r} has {levels} levels (more than {MAX_LEVELS}): group its levels, "
        f"declare it with --describe to profile it without clustering, or leave it out"
    )


def group_rare_levels(
    frame: DataFrame, schema: FeatureSchema, report: QualityReport, rows: int
) -> tuple[DataFrame, dict[str, tuple[str, ...]], dict[str, int]]:
    """Levels held by fewer than RARE_LEVEL_SHARE of customers become ``other``; more than MAX_LEVELS
    levels is refused. Returns the table, each categorical feature's levels in encoding order (sorted,
    as the one-hot encoder orders them; declared levels as declared) and its number of distinct values."""
    from pyspark.sql import functions as F

    levels: dict[str, tuple[str, ...]] = {}
    distinct: dict[str, int] = {}
    for spec in schema.categorical_features:
        c = spec.name
        if c not in frame.columns or not rows:
            continue
        counts = _level_counts(frame, c, rows)
        seen: list[str] | None = counts.every
        if spec.levels is None and counts.rare and counts.rare < counts.levels:
            frame = frame.withColumn(c, F.when(F.col(c).isin(counts.frequent), F.col(c)).otherwise(F.lit(OTHER_LEVEL)))
            report.add(
                "rare_level_grouped",
                c,
                counts.rare_rows,
                f"values of {counts.rare} levels rarer than {RARE_LEVEL_SHARE:.0%} grouped as '{OTHER_LEVEL}'",
            )
            seen = sorted({*counts.frequent, OTHER_LEVEL})
        distinct[c] = len(seen) if seen is not None else counts.levels
        if spec.levels is None and distinct[c] > MAX_LEVELS:
            raise _too_many_levels(c, distinct[c])
        levels[c] = tuple(spec.levels) if spec.levels is not None else tuple(sorted(seen or ()))
    return frame, levels, distinct


def handle_outliers(
    imputed: DataFrame, options: CleaningOptions, schema: FeatureSchema, report: QualityReport, numeric: list[str]
) -> tuple[DataFrame, tuple[str, ...], set[str]]:
    """IQR fences (exact quartiles), counted, clipped on request; whole-number columns become long.
    Also returns the numeric features left constant (for :func:`warn_constant_features`)."""
    from pyspark.sql import functions as F

    present = [c for c in imputed.columns if c in numeric]
    checked = [s.name for s in schema.numeric_features if s.name in present]
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

    def clipped(c: str) -> Column:
        if options.clip_outliers and c in fences:
            return F.least(F.greatest(F.col(c), F.lit(fences[c][0])), F.lit(fences[c][1]))
        return F.col(c)

    features = [c for c in schema.feature_names if c in present]
    stats = imputed.agg(
        F.count(F.lit(1)).alias("rows"),
        *[count_if(F.col(c) < low).alias(f"low_{c}") for c, (low, _) in fences.items()],
        *[count_if(F.col(c) > high).alias(f"high_{c}") for c, (_, high) in fences.items()],
        # pandas: whole numbers and no gap (a NaN is not a whole number)
        *[count_if(F.col(c).isNull() | (F.col(c) != F.floor(F.col(c)))).alias(f"frac_{c}") for c in present],
        *[F.min(clipped(c)).alias(f"min_{c}") for c in features],
        *[F.max(clipped(c)).alias(f"max_{c}") for c in features],
    ).first()
    assert stats is not None
    for c in checked:
        count = first_int(stats, f"low_{c}") + first_int(stats, f"high_{c}")
        low, high = fences[c]
        report.outliers.append(OutlierSummary(c, float(low), float(high), count, options.clip_outliers))
        if options.clip_outliers and count:
            report.add("clipped_outlier", c, count, f"values clipped to [{low:g}, {high:g}]")
    rows = first_int(stats, "rows")
    report.rows_out = rows

    # Whole numbers stay whole unless clipping moved a value onto a fractional fence.
    def moved_onto_fraction(c: str) -> bool:
        if not options.clip_outliers or c not in fences:
            return False
        low, high = fences[c]
        return bool(
            (first_int(stats, f"low_{c}") and low != int(low)) or (first_int(stats, f"high_{c}") and high != int(high))
        )

    integral = tuple(c for c in present if rows and first_int(stats, f"frac_{c}") == 0 and not moved_onto_fraction(c))
    tidy = imputed.select(
        *[clipped(c).cast("long").alias(c) if c in integral else clipped(c).alias(c) for c in imputed.columns]
    )
    constant = {c for c in features if stats[f"min_{c}"] is not None and stats[f"min_{c}"] == stats[f"max_{c}"]}
    return tidy, integral, constant


def warn_constant_features(
    schema: FeatureSchema, report: QualityReport, constant_numeric: set[str], distinct: dict[str, int]
) -> None:
    """A feature with at most one distinct value after cleaning cannot separate segments."""
    for name in schema.feature_names:
        if name in constant_numeric or (name in distinct and distinct[name] <= 1):
            report.warnings.append(f"feature {name!r} is constant after cleaning: it cannot separate segments")
