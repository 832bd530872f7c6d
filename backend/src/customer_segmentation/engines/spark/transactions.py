"""Order lines → per-customer RFM features on Spark: the definitions of
:mod:`customer_segmentation.transactions` (one home: ``transactions.rules``) in Spark SQL.

Every distributed step is a Spark SQL expression (no Python UDF), so executors need nothing but
Spark. The same rules in the same order, the same exclusion counts and the same per-customer table
as the DuckDB engine — ``tests/spark/test_transactions_parity.py`` checks it on one file:

1. exact duplicate lines: the lines grouped by every column (exact, no hashing), with their copies;
2. per distinct line: the normalised customer, invoice and date text, the money and the stage
   (guest → cancellation → non-positive), then grouped by order;
3. the date format is detected on the driver by :mod:`..transactions.dates` from two small
   summaries Spark computes (distinct date parts, and two examples per text shape), and the chosen
   strptime patterns run as ``try_to_timestamp`` with their Java equivalents;
4. the date rules, the as-of date and the per-customer features follow from the orders.

Monetary values are exact decimals (quantity DECIMAL(18,3) × price DECIMAL(18,6) = DECIMAL(37,9)) and
reach pandas as decimal text, so both engines produce bit-identical floats.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ...errors import DataError
from ...transactions import rules
from ...transactions.check import CHECK_LINES, money_not_numbers
from ...transactions.columns import ColumnMap, resolve_columns
from ...transactions.dates import (
    DATE_PART_REGEX,
    NATIVE,
    DateFormat,
    check_explicit,
    detect_from,
    explicit_format,
    java_pattern,
)
from ...transactions.duck import connect
from ...transactions.options import TransactionOptions
from ...transactions.result import DerivedCustomers, NettedReturns, nothing_valid
from ...transactions.source import open_source
from .read import local_path

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

_CANDIDATE, _GUEST, _CANCEL, _NON_POSITIVE = (
    rules.STAGE_CANDIDATE,
    rules.STAGE_GUEST,
    rules.STAGE_CANCELLATION,
    rules.STAGE_NON_POSITIVE,
)
_KEEP = f"stage IN ({_CANDIDATE}, {_CANCEL})"
_DISTINCT_DATES_CHECKED = 100_000


def _lit(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _trimmed(expression: str) -> str:
    return f"NULLIF(trim(BOTH {_lit(rules.TRIM_CHARS)} FROM CAST({expression} AS STRING)), '')"


class _Sql:
    """Spark SQL over the positional columns ``c0``…``cN`` of one input."""

    def __init__(self, header: tuple[str, ...], columns: ColumnMap, types: dict[str, str]) -> None:
        self.header, self.columns, self.types = header, columns, types

    def col(self, header: str) -> str:
        return f"`c{self.header.index(header)}`"

    def number(self, header: str, sql_type: str) -> str:
        column = self.col(header)
        if self.types[header] != "string":
            return f"try_cast({column} AS {sql_type})"
        return f"CASE WHEN NOT contains({column}, '_') THEN try_cast({column} AS {sql_type}) END"

    def customer_id(self) -> str:
        text = _trimmed(self.col(self.columns.customer))
        markers = ", ".join(_lit(m) for m in rules.MISSING_IDS if m)
        return f"CASE WHEN lower({text}) IN ({markers}) THEN NULL ELSE {text} END"

    def invoice(self) -> str:
        return _trimmed(self.col(self.columns.invoice)) if self.columns.invoice else "CAST(NULL AS STRING)"

    def money(self) -> tuple[str, str]:
        """pos (money > 0) and value (|quantity × price| or |amount|, exact DECIMAL(·,9))."""
        if self.columns.amount is not None:
            amount = self.number(self.columns.amount, rules.AMOUNT_TYPE)
            return f"coalesce({amount} > 0, false)", f"abs(CAST({amount} AS {rules.VALUE_TYPE}))"
        assert self.columns.quantity is not None and self.columns.price is not None
        q = self.number(self.columns.quantity, rules.QUANTITY_TYPE)
        p = self.number(self.columns.price, rules.PRICE_TYPE)
        return f"coalesce({q} > 0 AND {p} > 0, false)", f"abs({q} * {p})"

    def stage(self) -> str:
        prefix = _lit(rules.CANCELLATION_PREFIX)
        cancelled = (
            f"coalesce(startswith(inv_no, {prefix}) AND substring(inv_no, 2, 1) BETWEEN '0' AND '9', false)"
            if self.columns.invoice
            else "false"
        )
        return (
            f"CASE WHEN cust_id IS NULL THEN {_GUEST} WHEN {cancelled} THEN {_CANCEL} "
            f"WHEN NOT pos THEN {_NON_POSITIVE} ELSE {_CANDIDATE} END"
        )


def _read(spark: SparkSession, source: str) -> tuple[DataFrame, tuple[str, ...], str]:
    """The lines with positional columns, the header and a display name (local files via ``open_source``)."""
    path = local_path(source)
    if path is None:  # a remote URI: Spark reads it as given
        return _read_remote(spark, source)
    found = open_source(path)
    files = [str(f) for f in found.files]
    try:
        if found.kind == "parquet":
            raw = spark.read.parquet(*files)
        else:
            raw = (
                spark.read.option("header", True)
                .option("sep", found.delimiter)
                .option("encoding", "ISO-8859-1" if found.encoding == "latin-1" else "UTF-8")
                .option("quote", '"')
                .option("escape", '"')
                .option("inferSchema", False)
                .option("mode", "FAILFAST")
                .csv(files)
            )
    except Exception as exc:  # AnalysisException, Py4JJavaError …
        raise DataError(f"{found.name} could not be read by Spark: {_first_line(exc)}") from None
    return raw.toDF(*[f"c{i}" for i in range(len(raw.columns))]), found.header, found.name


def _read_remote(spark: SparkSession, source: str) -> tuple[DataFrame, tuple[str, ...], str]:
    import csv

    from ...transactions.source import PARQUET_SUFFIXES, sniff_delimiter

    name = source.rstrip("/").rsplit("/", 1)[-1]
    try:
        if any(source.lower().rstrip("/").endswith(s) for s in PARQUET_SUFFIXES):
            raw = spark.read.parquet(source)
            header = tuple(raw.columns)
        else:
            first = spark.read.text(source).limit(1).collect()
            line = first[0][0].lstrip("\ufeff") if first else ""
            if not line.strip():
                raise DataError(f"{source} has no header line")
            delimiter = sniff_delimiter(line)
            header = tuple(h.strip() for h in next(csv.reader([line], delimiter=delimiter)))
            raw = (
                spark.read.option("header", True)
                .option("sep", delimiter)
                .option("quote", '"')
                .option("escape", '"')
                .option("mode", "FAILFAST")
                .csv(source)
            )
    except DataError:
        raise
    except Exception as exc:
        raise DataError(f"{source} could not be read by Spark: {_first_line(exc)}") from None
    return raw.toDF(*[f"c{i}" for i in range(len(raw.columns))]), header, name


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__


def _check_money(raw: DataFrame, sql: _Sql) -> None:
    """Like the DuckDB engine's check: a money column with values but no number on the first lines
    (a decimal comma, a wrong delimiter) is refused before the aggregation."""
    money = sql.columns.amount or sql.columns.quantity
    assert money is not None
    text = _trimmed(sql.col(money))
    row = (
        raw.limit(CHECK_LINES)
        .selectExpr(f"count({sql.number(money, rules.AMOUNT_TYPE)})", f"count({text})", f"min({text})")
        .first()
    )
    if row is not None and row[1] and not row[0]:
        raise money_not_numbers(money, row[2])


def _orders(raw: DataFrame, sql: _Sql, native_date: bool) -> DataFrame:
    """Distinct lines (exact duplicates counted as copies), staged, grouped by order."""
    from pyspark.sql import functions as F

    distinct = raw.groupBy(*raw.columns).agg(F.count(F.lit(1)).alias("copies"))
    pos, value = sql.money()
    date_column = sql.col(sql.columns.date)
    dt = f"CAST({date_column} AS STRING)" if native_date else _trimmed(date_column)
    lines = distinct.selectExpr(
        "copies",
        f"{sql.customer_id()} AS cust_id",
        f"{sql.invoice()} AS inv_no",
        f"{dt} AS dt_text",
        f"{pos} AS pos",
        f"{value} AS value",
    ).selectExpr(f"CAST({sql.stage()} AS TINYINT) AS stage", "*")
    return lines.groupBy("stage", "cust_id", "inv_no", "dt_text").agg(
        F.sum("copies").alias("n"), F.count(F.lit(1)).alias("d"), F.sum("value").alias("v")
    )


def _date_format(orders: DataFrame, column: str, options: TransactionOptions, native: bool) -> DateFormat:
    """The date format, decided on the driver by the DuckDB detection from small Spark summaries."""
    from pyspark.sql import functions as F

    if native:
        return DateFormat(NATIVE, native=True)
    values = orders.where(f"{_KEEP} AND dt_text IS NOT NULL").select(F.col("dt_text").alias("v")).distinct()
    with connect() as con:
        if options.date_format:
            sample = values.limit(_DISTINCT_DATES_CHECKED).toPandas()
            con.register("date_values", sample)
            return check_explicit(con, "SELECT v FROM date_values", column, explicit_format(options.date_format))
        parts = values.select(F.regexp_extract("v", DATE_PART_REGEX, 0).alias("v")).distinct().toPandas()
        shapes = (
            values.groupBy(F.regexp_replace("v", "[0-9]", "9").alias("shape"))
            .agg(F.min("v").alias("lo"), F.max("v").alias("hi"), F.count(F.lit(1)).alias("n"))
            .toPandas()
        )
        if len(parts) == 0:
            raise DataError(f"the date column {column!r} has no values")
        con.register("date_parts", parts)
        con.register("date_shapes", shapes)
        fmt = detect_from(con, "SELECT v FROM date_parts", "SELECT * FROM date_shapes", column)
    assert fmt is not None
    return fmt


def _parse(fmt: DateFormat) -> str:
    """Spark SQL reading ``dt_text`` as a timestamp with ``fmt`` (NULL outside the rules' years)."""
    if fmt.native:
        value = "try_cast(dt_text AS TIMESTAMP)"
    else:
        tries = []
        for pattern in fmt.patterns:
            parsed = f"try_to_timestamp(dt_text, {_lit(java_pattern(pattern))})"
            if "%y" in pattern:  # strptime reads 69–99 as 19xx; Java's "yy" as 20xx
                parsed = f"CASE WHEN year({parsed}) >= 2069 THEN {parsed} - INTERVAL 100 YEARS ELSE {parsed} END"
            tries.append(parsed)
        value = f"coalesce({', '.join(tries)})" if len(tries) > 1 else tries[0]
    return f"CASE WHEN year({value}) BETWEEN {rules.MIN_YEAR} AND {rules.MAX_YEAR} THEN {value} END"


def _counts(orders: DataFrame) -> dict[str, int]:
    row = orders.selectExpr(
        "sum(n)",
        "sum(n - d)",
        f"sum(CASE WHEN stage = {_GUEST} THEN d END)",
        f"sum(CASE WHEN stage = {_CANCEL} THEN d END)",
        f"sum(CASE WHEN stage = {_NON_POSITIVE} THEN d END)",
        f"count(CASE WHEN stage = {_CANDIDATE} THEN 1 END)",
    ).first()
    names = ("lines_in", rules.DUPLICATE, rules.GUEST, rules.CANCELLATION, rules.NON_POSITIVE, "candidates")
    return {name: int(value or 0) for name, value in zip(names, row or (), strict=True)}


def _customer_key(parsed: DataFrame, valid: str) -> str:
    number = "try_cast(cust AS DECIMAL(38,6))"
    integral = (
        f"({number} IS NOT NULL AND NOT contains(cust, '_') AND {number} = floor({number}) "
        f"AND {number} BETWEEN -9223372036854775808 AND 9223372036854775807)"
    )
    row = parsed.where(valid).select("cust").distinct().selectExpr(f"bool_and({integral})").first()
    return f"CAST({number} AS BIGINT)" if row and row[0] else "cust"


def _customers(parsed: DataFrame, as_of: date, options: TransactionOptions) -> tuple[pd.DataFrame, NettedReturns]:
    from pyspark.sql import functions as F

    day = f"DATE'{as_of.isoformat()}'"
    valid = f"stage = {_CANDIDATE} AND ts IS NOT NULL AND to_date(ts) <= {day}"
    key = _customer_key(parsed, valid)
    order_id = "CASE WHEN inv IS NOT NULL THEN concat('i', inv) ELSE concat('t', CAST(ts AS STRING)) END"
    customers = (
        parsed.where(valid)
        .selectExpr(f"{key} AS customer_id", "ts", f"{order_id} AS order_id", "v")
        .groupBy("customer_id")
        .agg(
            F.expr(f"datediff({day}, to_date(max(ts)))").alias("recency_days"),
            F.countDistinct("order_id").alias("frequency"),
            F.sum("v").alias("monetary"),
            F.expr(f"datediff({day}, to_date(min(ts)))").alias("tenure_days"),
        )
    )
    netted = NettedReturns()
    if options.returns == "net":
        returned = f"stage = {_CANCEL} AND ts IS NOT NULL AND to_date(ts) <= {day} AND v IS NOT NULL"
        back = (
            parsed.where(returned)
            .selectExpr(f"{key} AS customer_id", "v", "d")
            .groupBy("customer_id")
            .agg(F.sum("v").alias("returned"), F.sum("d").alias("lines"))
        )
        joined = customers.join(back, "customer_id", "left")
        totals = joined.selectExpr(
            "coalesce(sum(lines), 0)",
            "coalesce(sum(returned), 0)",
            "count(CASE WHEN monetary - returned < 0 THEN 1 END)",
        ).first()
        assert totals is not None
        netted = NettedReturns(int(totals[0]), float(totals[1]), int(totals[2]))
        customers = joined.withColumn(
            "monetary", F.expr("CASE WHEN returned IS NULL THEN monetary ELSE greatest(monetary - returned, 0) END")
        ).drop("returned", "lines")
    frame = (
        customers.selectExpr(
            "customer_id", "recency_days", "frequency", "CAST(monetary AS STRING) AS monetary", "tenure_days"
        )
        .orderBy("customer_id")
        .toPandas()
    )
    return frame, netted


def derive_customers_spark(
    spark: SparkSession, source: str | Path, options: TransactionOptions | None = None
) -> DerivedCustomers:
    """:func:`customer_segmentation.transactions.derive_customers` on Spark (a file, folder or URI)."""
    from pyspark.sql import functions as F

    options = options or TransactionOptions()
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    raw, header, name = _read(spark, str(source))
    columns = resolve_columns(header, options)
    types = {h: raw.schema[f"c{i}"].dataType.simpleString() for i, h in enumerate(header)}
    if types[columns.date].startswith(("int", "bigint", "double", "float", "decimal", "smallint", "tinyint")):
        raise DataError(f"the date column {columns.date!r} holds numbers ({types[columns.date]}), not dates")
    native = types[columns.date].startswith(("date", "timestamp"))
    sql = _Sql(header, columns, types)
    try:
        _check_money(raw, sql)
        orders = _orders(raw, sql, native).cache()
        counts = _counts(orders)
    except DataError:
        raise
    except Exception as exc:
        raise DataError(f"{name} could not be read by Spark: {_first_line(exc)}") from None
    timings["scan"] = time.perf_counter() - clock
    if not counts.pop("candidates"):
        raise nothing_valid(counts)
    fmt = _date_format(orders, columns.date, options, native)
    parsed = (
        orders.where(_KEEP)
        .selectExpr("stage", "cust_id AS cust", "inv_no AS inv", "n", "d", "v", f"{_parse(fmt)} AS ts")
        .cache()
    )
    if options.as_of is not None:
        as_of = options.as_of
    else:
        last = parsed.where(f"stage = {_CANDIDATE}").select(F.max(F.to_date("ts"))).first()
        if last is None or last[0] is None:
            raise nothing_valid(counts)
        as_of = date.fromordinal(last[0].toordinal() + 1)
    day = f"DATE'{as_of.isoformat()}'"
    row = (
        parsed.where(f"stage = {_CANDIDATE}")
        .selectExpr(
            "sum(CASE WHEN ts IS NULL THEN d END)",
            f"sum(CASE WHEN to_date(ts) > {day} THEN d END)",
            f"sum(CASE WHEN to_date(ts) <= {day} THEN d END)",
        )
        .first()
    )
    unparseable, future, valid = (int(v or 0) for v in (row or (0, 0, 0)))
    counts |= {rules.UNPARSEABLE_DATE: unparseable, rules.FUTURE_DATE: future}
    if not valid:
        raise nothing_valid(counts)
    frame, netted = _customers(parsed, as_of, options)
    orders.unpersist()
    parsed.unpersist()
    timings["total"] = time.perf_counter() - clock
    return DerivedCustomers.assemble(
        frame,
        counts,
        netted,
        as_of=as_of,
        date_format=fmt.label,
        columns=columns.as_dict(),
        options_returns=options.returns,
        source=name,
        timings=timings,
    )
