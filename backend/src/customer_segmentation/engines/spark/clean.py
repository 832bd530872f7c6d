"""The default engine's cleaning rules (:mod:`customer_segmentation.data.clean`) as Spark operations,
for any feature schema.

Same rules, same order, same :class:`QualityReport` — step names, columns, counts, details and
warnings — so a Spark run and a scikit-learn run of the same file report the same data quality. The
rules' constants (missing markers, rare-level share, ``other``, the level limit, warning thresholds)
are imported, never restated. Each rule is a column expression; the counts of several rules are
gathered in one aggregation, so the cleaning costs a handful of passes over the data whatever its size:

1. per-value flags (missing marker, number parsing, declared ranges, gender spellings) and their
   counts — one pass over the input, cached;
2. categorical spellings: Spark counts every distinct stripped value of every categorical column in
   one job and the default engine's own ``category_spellings`` decides each value's level (the most
   frequent spelling of each case-insensitive value, ties to the alphabetically first), applied as
   a map literal (a join when there are too many distinct values); no Python UDF;
3. the rows (missing/duplicate ids and rows, too sparse), imputation, rare levels, IQR outliers and
   whole-number columns (:mod:`.clean_rows`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from ...data.clean import CleaningOptions, QualityReport, category_spellings
from ...errors import DataError
from ...feature_schema import OUT_OF_RANGE_WARN_SHARE, ROW_ID, FeatureSchema, FeatureSpec
from ...schema import GENDER, MISSING_MARKERS, gender_spellings
from . import clean_rows
from .clean_rows import count_if, first_int
from .read import ROW

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

# Exactly the characters Python's str.strip() removes (Unicode whitespace and the ASCII separators
# 0x1c-0x1f), trimmed with btrim — no regular expression per value.
_WHITESPACE = "".join(ch for ch in map(chr, range(0x110000)) if ch.isspace())
# What pandas.to_numeric accepts as a number (Java's parser also takes "1d", "0x1p3": refused here).
_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(?i)(inf|infinity)$"

GENDER_KIND, NUMBER_KIND, CATEGORY_KIND = "gender", "number", "category"


@dataclass
class SparkCleaned:
    """The cleaned table (cached: ``_row``, the id, then the schema's columns) and what was done."""

    frame: DataFrame
    report: QualityReport
    rows: int
    integral_columns: tuple[str, ...]
    #: Categorical features → their levels after cleaning, sorted (declared levels as declared).
    levels: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _strip(col: Column) -> Column:
    from pyspark.sql import functions as F

    return F.btrim(col, F.lit(_WHITESPACE))


def _kind(spec: FeatureSpec, schema: FeatureSchema) -> str | None:
    """How a column is cleaned; None for an undeclared (describe) column, decided on its values."""
    if schema.kind == "mall" and spec.name == GENDER:
        return GENDER_KIND
    if spec.kind is None:
        return None
    return NUMBER_KIND if spec.is_numeric else CATEGORY_KIND


def clean_spark(frame: DataFrame, options: CleaningOptions) -> SparkCleaned:
    """Clean a Spark table of canonical text columns: the rules and report of the default engine."""
    from pyspark.sql import functions as F

    schema = options.resolved_schema()
    columns = [c for c in frame.columns if c != ROW]
    missing_required = [c for c in schema.feature_names if c not in columns]
    if missing_required:
        found = ", ".join(columns) or "none"
        raise DataError(f"required column {missing_required[0]!r} is missing (columns found: {found})")
    report = QualityReport()
    if schema.kind == "mall" and GENDER not in columns:
        report.notes.append("no gender column: gender mix is not reported")
    specs = [s for s in schema.columns if s.name in columns]
    kinds = {s.name: _kind(s, schema) for s in specs}
    id_name, id_present = schema.id_name, schema.id_column is not None and schema.id_column in columns

    # -- pass 1: per-value flags. Each value is stripped, parsed and mapped once, in projections that
    # later steps reference by name; the result is cached, so the input is parsed only once.
    stripped = frame.select(F.col(ROW), *[_strip(F.col(c)).alias(c) for c in columns], *_raw(kinds))
    markers = F.array(*[F.lit(m) for m in sorted(MISSING_MARKERS)])
    missing = {c: F.col(c).isNull() | F.array_contains(markers, F.lower(F.col(c))) for c in columns}
    derived: list[Column] = [F.col(ROW), *[missing[c].alias(f"_m_{c}") for c in columns]]
    for c, kind in kinds.items():
        if kind == GENDER_KIND:
            mapping = F.create_map(*[F.lit(x) for kv in sorted(gender_spellings().items()) for x in kv])
            mapped = mapping[F.lower(F.col(GENDER))]
            derived += [mapped.alias("_g"), (mapped.isNotNull() & (F.col(GENDER) != mapped)).alias("_respelled")]
            continue
        if kind in (NUMBER_KIND, None):
            parsed = F.when(~missing[c] & F.col(c).rlike(_NUMBER), F.col(c).try_cast("double"))
            derived.append(parsed.alias(f"_p_{c}"))
        if kind in (CATEGORY_KIND, None):
            derived += [F.when(~missing[c], F.col(c)).alias(f"_s_{c}"), F.col(f"_r_{c}")]
    if id_present:
        ids = F.when(~missing[id_name], F.col(id_name))
        derived += [ids.alias("_i"), F.when(ids.rlike(_NUMBER), ids.try_cast("double")).alias("_in")]
    flags = stripped.select(*derived).withColumn("_blank", F.expr(" AND ".join(f"`_m_{c}`" for c in columns)))
    flags = flags.persist()
    counts = flags.agg(*_pass_one_counts(columns, kinds, specs, id_present)).first()
    assert counts is not None
    report.rows_in = first_int(counts, "rows_in")
    blank = first_int(counts, "blank")
    report.add("blank_row", None, blank, "rows with no values at all dropped")
    for c in columns:
        report.add("missing_marker", c, first_int(counts, f"missing_{c}"), "empty or missing-marker values")
    for c in [c for c, kind in kinds.items() if kind is None]:  # a describe column: numbers or text?
        present = first_int(counts, f"present_{c}")
        kinds[c] = NUMBER_KIND if present and not first_int(counts, f"not_number_{c}") else CATEGORY_KIND

    # -- the typed table: live rows, the id, then each column as the default engine types it.
    typed, category_counts = _typed_table(flags, schema, specs, kinds, counts, report, id_present)
    values = [id_name, *[s.name for s in specs]]
    ranked = clean_rows.rank_rows(typed, schema, values, category_counts)  # one pass counts both
    _report_columns(report, specs, kinds, counts, ranked.stats)
    kept = clean_rows.drop_unusable_rows(ranked, schema, report)
    flags.unpersist()  # the ranked rows are cached now
    numeric = _of(kinds, NUMBER_KIND)
    imputed, rows = clean_rows.impute(kept, schema, report, numeric)
    grouped, levels, distinct = clean_rows.group_rare_levels(imputed, schema, report, rows)
    cleaned, whole_columns, constant = clean_rows.handle_outliers(grouped, options, schema, report, numeric)
    clean_rows.warn_constant_features(schema, report, constant, distinct)
    return SparkCleaned(cleaned, report, report.rows_out, whole_columns, levels)


def _typed_table(
    flags: DataFrame,
    schema: FeatureSchema,
    specs: list[FeatureSpec],
    kinds: dict[str, str | None],
    counts: Any,
    report: QualityReport,
    id_present: bool,
) -> tuple[DataFrame, list[Column]]:
    """The live rows with the id and each column typed as the default engine types it, and the
    aggregates counting the categorical respellings and unknown levels (``_respelled_<c>`` …);
    ``id_present``: the declared id column is in the table."""
    from pyspark.sql import functions as F

    id_name = schema.id_name
    blank = first_int(counts, "blank")
    live = flags.where(~F.col("_blank"))
    if schema.id_column is None:  # customers are their data row numbers in the file (blank rows count)
        report.add("generated_id", ROW_ID, report.rows_in - blank, _GENERATED_ROW_ID)
        live = live.withColumn("_pos", clean_rows.file_positions(flags))
        id_column: Column | None = F.col("_pos")
    elif not id_present:
        report.add("generated_id", id_name, report.rows_in - blank, "no customer id column: ids 1..n generated")
        id_column = None
    else:
        numeric_ids = first_int(counts, "id_not_integral") == 0 and first_int(counts, "id_present") > 0
        id_column = F.col("_in").try_cast("long") if numeric_ids else F.col("_i")
    spellings = _collected_spellings(live, _of(kinds, CATEGORY_KIND), schema)
    typed_columns: dict[str, Column] = {}
    category_flags: list[Column] = []
    for spec in specs:
        c, kind = spec.name, kinds[spec.name]
        if kind == GENDER_KIND:
            typed_columns[c] = F.col("_g")
        elif kind == NUMBER_KIND:
            typed_columns[c] = F.when(_finite(F.col(f"_p_{c}")) & _in_range(F.col(f"_p_{c}"), spec), F.col(f"_p_{c}"))
        else:
            if spellings is not None:
                canonical = _mapped(spellings[c], c)
            else:
                live, canonical = _joined_spellings(live, c, spec.levels)
            typed_columns[c] = canonical
            category_flags += [
                (canonical.isNotNull() & (F.col(f"_r_{c}") != canonical)).alias(f"_respelled_{c}"),
                (canonical.isNull() & ~F.col(f"_m_{c}")).alias(f"_unknown_{c}"),
            ]
    selection = [F.col(ROW), *([id_column.alias(id_name)] if id_column is not None else [])]
    selection += [column.alias(c) for c, column in typed_columns.items()]
    typed = live.select(*selection, *category_flags)
    if id_column is None:
        typed = clean_rows.generated_ids(typed, id_name)
    category_counts = [
        count_if(F.col(f"_{step}_{c}")).alias(f"{step}_{c}")
        for c in _of(kinds, CATEGORY_KIND)
        for step in ("respelled", "unknown")
    ]
    return typed, category_counts


_GENERATED_ROW_ID = "no customer id column: customers numbered row_id 1..n in file order"


def _of(kinds: dict[str, str | None], kind: str) -> list[str]:
    return [c for c, k in kinds.items() if k == kind]


def _raw(kinds: dict[str, str | None]) -> list[Column]:
    """Categorical (and undecided) columns as read: a respelling is counted against the raw value."""
    from pyspark.sql import functions as F

    return [F.col(c).alias(f"_r_{c}") for c, kind in kinds.items() if kind in (CATEGORY_KIND, None)]


def _finite(parsed: Column) -> Column:
    from pyspark.sql import functions as F

    return parsed.isNotNull() & ~F.isnan(parsed) & (F.abs(parsed) != float("inf"))


def _in_range(parsed: Column, spec: FeatureSpec) -> Column:
    from pyspark.sql import functions as F

    valid = spec.valid_range
    return F.lit(True) if valid is None else (parsed >= valid.low) & (parsed <= valid.high)


def _pass_one_counts(
    columns: list[str], kinds: dict[str, str | None], specs: list[FeatureSpec], id_present: bool
) -> list[Column]:
    """Every count of pass 1, in one aggregation (over the live rows, like the default engine)."""
    from pyspark.sql import functions as F

    aggregates: list[Column] = [F.count(F.lit(1)).alias("rows_in"), count_if(F.col("_blank")).alias("blank")]
    live = ~F.col("_blank")
    aggregates += [count_if(live & F.col(f"_m_{c}")).alias(f"missing_{c}") for c in columns]
    for spec in specs:
        c, kind = spec.name, kinds[spec.name]
        if kind == GENDER_KIND:
            aggregates.append(count_if(live & F.col("_respelled")).alias("gender_respelled"))
            aggregates.append(count_if(live & F.col("_g").isNull() & ~F.col(f"_m_{GENDER}")).alias("gender_unknown"))
        if kind not in (NUMBER_KIND, None):
            continue
        parsed = F.col(f"_p_{c}")
        finite = _finite(parsed)
        aggregates += [
            count_if(live & parsed.isNull() & ~F.col(f"_m_{c}")).alias(f"nan_{c}"),
            count_if(live & parsed.isNotNull() & ~finite).alias(f"inf_{c}"),
            count_if(live & finite & ~_in_range(parsed, spec)).alias(f"range_{c}"),
            count_if(live & finite).alias(f"finite_{c}"),
        ]
        if kind is None:
            aggregates.append(count_if(live & ~F.col(f"_m_{c}")).alias(f"present_{c}"))
            aggregates.append(count_if(live & ~F.col(f"_m_{c}") & ~finite).alias(f"not_number_{c}"))
    if id_present:
        ids, numeric_id = F.col("_i"), F.col("_in")
        integral = numeric_id.isNotNull() & (F.abs(numeric_id) != float("inf")) & (numeric_id % 1 == 0)
        aggregates.append(count_if(live & ids.isNotNull()).alias("id_present"))
        aggregates.append(count_if(live & ids.isNotNull() & ~integral).alias("id_not_integral"))
    return aggregates


#: Distinct categorical spellings (all columns together) decided on the driver by the default engine's
#: own ``category_spellings``; a table with more (free text in a describe column) is mapped by a join.
MAX_COLLECTED_SPELLINGS = 10_000


def _collected_spellings(
    live: DataFrame, columns: list[str], schema: FeatureSchema
) -> dict[str, dict[str, str | None]] | None:
    """Per categorical column: stripped value → canonical level (None: unknown), decided by
    :func:`data.clean.category_spellings` on Spark's counts — one job for every column; None when
    there are too many distinct values to bring to the driver."""
    from pyspark.sql import functions as F

    if not columns:
        return {}
    pairs = F.explode(F.array(*[F.struct(F.lit(c).alias("c"), F.col(f"_s_{c}").alias("v")) for c in columns]))
    counts = live.select(pairs.alias("p")).select("p.c", "p.v").where(F.col("v").isNotNull()).groupBy("c", "v")
    rows = counts.count().limit(MAX_COLLECTED_SPELLINGS + 1).collect()
    if len(rows) > MAX_COLLECTED_SPELLINGS:
        return None
    maps: dict[str, dict[str, str | None]] = {}
    for c in columns:
        mine = {str(r["v"]): int(r["count"]) for r in rows if r["c"] == c}
        spellings = category_spellings(pd.Series(mine, dtype="int64"), schema.spec(c).levels)
        maps[c] = {value: spellings.get(value.lower()) for value in mine}
    return maps


def _mapped(spellings: dict[str, str | None], column: str) -> Column:
    from pyspark.sql import functions as F

    known = sorted((value, level) for value, level in spellings.items() if level is not None)
    if not known:
        return F.lit(None).cast("string")
    return F.create_map(*[F.lit(x) for pair in known for x in pair])[F.col(f"_s_{column}")]


def _joined_spellings(live: DataFrame, column: str, levels: tuple[str, ...] | None) -> tuple[DataFrame, Column]:
    """The same rule in Spark, for a column with too many distinct values to collect: the most frequent
    stripped spelling of each case-insensitive value (ties: the alphabetically first), joined back on
    the lower-case value; with declared ``levels`` the declared spelling (others are unknown)."""
    from pyspark.sql import functions as F

    stripped = F.col(f"_s_{column}")
    if levels is not None:
        mapping = F.create_map(*[F.lit(x) for level in levels for x in (level.strip().lower(), level)])
        return live, mapping[F.lower(stripped)]
    key, value = f"_k_{column}", f"_v_{column}"
    counts = live.where(stripped.isNotNull()).groupBy(stripped.alias("_s")).agg(F.count(F.lit(1)).alias("_n"))
    best = counts.groupBy(F.lower(F.col("_s")).alias(key)).agg(
        F.min(F.struct((-F.col("_n")).alias("rank"), F.col("_s").alias("spelling"))).getField("spelling").alias(value)
    )
    joined = live.join(best, F.lower(stripped) == F.col(key), "left").drop(key)
    return joined, F.col(value)


def _report_columns(
    report: QualityReport,
    specs: list[FeatureSpec],
    kinds: dict[str, str | None],
    counts: Any,
    categories: Any,
) -> None:
    """Each column's actions (and range warnings) in the schema's column order, as the default engine."""
    for spec in specs:
        c, kind = spec.name, kinds[spec.name]
        if kind == GENDER_KIND:
            report.add(
                "gender_respelled", c, first_int(counts, "gender_respelled"), "spellings normalised to Female/Male"
            )
            report.add(
                "gender_unknown", c, first_int(counts, "gender_unknown"), "unrecognised gender values set to missing"
            )
        elif kind == CATEGORY_KIND:
            report.add(
                "category_respelled", c, first_int(categories, f"respelled_{c}"), "spellings normalised (spaces, case)"
            )
            report.add(
                "category_unknown",
                c,
                first_int(categories, f"unknown_{c}"),
                "values outside the declared levels set to missing",
            )
        else:
            report.add("not_a_number", c, first_int(counts, f"nan_{c}"), "non-numeric values set to missing")
            report.add("not_finite", c, first_int(counts, f"inf_{c}"), "infinite values set to missing")
            if spec.valid_range is None:
                continue
            outside, present = first_int(counts, f"range_{c}"), first_int(counts, f"finite_{c}")
            valid = spec.valid_range.describe()
            report.add("out_of_range", c, outside, f"values outside {valid} set to missing")
            if present and outside / present > OUT_OF_RANGE_WARN_SHARE:
                report.warnings.append(
                    f"{outside:,} of {present:,} values of {c!r} ({outside / present:.0%}) are outside its declared "
                    f"range {valid}: check the column and its units"
                )
