"""Order lines → one row per customer (recency, frequency, monetary, tenure, average order value),
out of core with DuckDB, and every excluded line counted by reason.

Definitions (``rules`` holds the line rules and the order in which exclusions are attributed):

* ``recency_days`` = as-of date − date of the customer's last valid purchase, in calendar days. The
  as-of date defaults to the calendar day after the last valid purchase in the file, so recency ≥ 1;
* ``frequency`` = distinct invoices among the customer's valid lines (a line without an invoice
  number — or every line, in a file without an invoice column — counts by its purchase timestamp:
  distinct timestamps are distinct orders);
* ``monetary`` = Σ quantity × unit price (or Σ amount) over valid lines, exact decimals;
* ``tenure_days`` = as-of date − date of the first valid purchase;
* ``avg_order_value`` = monetary / frequency.

``returns="net"``: the returned value of the customer's cancellation lines (|quantity × price|, for
lines with a parseable date not after the as-of date) is subtracted from monetary. Returns can
exceed purchases in the window (goods bought before the export starts), so a net monetary below 0
is floored at 0 — those customers are counted in :attr:`DerivedCustomers.floored_customers` and in
the quality actions. Customers with returns but no valid purchase do not appear (no recency).

Customer ids stay text unless every id in the result is an integral number (``17850``,
``17850.0``): then they are integers, and spellings of one number are one customer — the rule of
``data.clean`` for customer ids. Rows are sorted by customer id.

How it runs, in DuckDB (never more than the aggregates in memory):

1. one pass over the lines groups them by (stage, customer, invoice, date text) — an order, for
   purchases — with the line count, the number of distinct line hashes (exact duplicates share
   their order and hash) and the summed value;
2. only where an order of purchases or returns holds duplicates, a second pass recomputes its value
   over distinct lines (files without duplicates skip it);
3. the date format is detected over every distinct date text (:mod:`.dates`), the orders' dates
   are parsed, and the date rules, as-of date and per-customer features follow from the orders.

Lines are told apart by a 64-bit hash of every column: two different lines of the same order would
have to collide to be taken for duplicates (odds below 1 in 10¹⁰ for 100 M lines).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import DataError
from . import rules
from .columns import ColumnMap, resolve_columns
from .dates import NATIVE, DateFormat, check_explicit, detect_date_format, explicit_format, parse_sql
from .duck import connect, data_error, is_encoding_error
from .lines import ORDER_KEYS, LineSql, trimmed
from .options import TransactionOptions
from .rules import STAGE_CANCELLATION, STAGE_CANDIDATE, STAGE_GUEST, STAGE_NON_POSITIVE
from .source import Source, open_source

#: Lines read by :func:`check_transactions` (the head of the file).
CHECK_LINES = 100_000
_NUMERIC_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE", "DECIMAL", "UBIGINT")


@dataclass
class TransactionCheck:
    """What the cheap check found: the source, its columns, and the date format if a sample settles it."""

    source: Source
    columns: ColumnMap
    types: dict[str, str]
    date_format: DateFormat | None


@dataclass
class DerivedCustomers:
    """The per-customer table and an account of every line that did not make it."""

    customers: pd.DataFrame
    exclusions: dict[str, int]
    lines_in: int
    lines_valid: int
    as_of: date
    date_format: str
    columns: dict[str, str]
    returns: str = "ignore"
    returned_lines: int = 0
    returned_value: float = 0.0
    floored_customers: int = 0
    source: str = ""
    timings: dict[str, float] = field(default_factory=dict)

    def to_quality_actions(self) -> list[tuple[str, str | None, int, str]]:
        """(step, column, count, detail) for the data-quality report; reasons with no lines are left out."""
        by_role = self.columns
        out: list[tuple[str, str | None, int, str]] = []
        for rule in rules.EXCLUSIONS:
            count = self.exclusions.get(rule.name, 0)
            if count:
                column = by_role.get(rule.role) if rule.role else None
                out.append((rule.name, column, count, rule.detail))
        if self.returned_lines:
            out.append(
                (
                    "returns_netted",
                    by_role.get("invoice"),
                    self.returned_lines,
                    f"cancellation lines whose value ({self.returned_value:,.2f}) was subtracted from monetary",
                )
            )
        if self.floored_customers:
            out.append(
                (
                    "net_monetary_floored",
                    None,
                    self.floored_customers,
                    "customers whose returns exceed purchases: monetary set to 0",
                )
            )
        return out


def _types(con: Any, source: Source, scan: str) -> dict[str, str]:
    if source.kind == "csv":
        return {h: "VARCHAR" for h in source.header}
    rows = con.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()
    return {str(r[0]): str(r[1]) for r in rows}


def _date_is_native(types: dict[str, str], column: str) -> bool:
    kind = types.get(column, "VARCHAR").upper()
    if kind.startswith(("DATE", "TIMESTAMP")):
        return True
    if kind.startswith(_NUMERIC_TYPES):
        raise DataError(f"the date column {column!r} holds numbers ({kind}), not dates: export it as dates or text")
    return False


def _check(con: Any, source: Source, options: TransactionOptions) -> TransactionCheck:
    columns = resolve_columns(source.header, options)
    scan = source.scan_sql()
    money = columns.amount or columns.quantity
    assert money is not None
    try:
        types = _types(con, source, scan)
        native = _date_is_native(types, columns.date)
        lines = LineSql(source, columns, types)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE head AS SELECT {lines.date_text} AS v, {lines.money()[0]} AS q, "
            f"{trimmed(source.sql_column(money))} AS q_text FROM {scan} LIMIT {CHECK_LINES}"
        )
    except DataError:
        raise
    except Exception as exc:
        if source.encoding == "utf-8" and is_encoding_error(exc):
            return _check(con, replace(source, encoding="latin-1"), options)
        raise data_error(exc, source.name) from None
    numbers = con.execute("SELECT count(q), min(q_text) FROM head WHERE q_text IS NOT NULL").fetchone()
    if numbers is not None and numbers[1] is not None and numbers[0] == 0:
        raise DataError(
            f"no value of the column {money!r} is a number (e.g. {numbers[1]!r}): check the delimiter and decimal mark"
        )
    if native:
        return TransactionCheck(source, columns, types, DateFormat(NATIVE, native=True))
    values = "SELECT DISTINCT v FROM head WHERE v IS NOT NULL"
    if options.date_format:
        fmt: DateFormat | None = check_explicit(con, values, columns.date, explicit_format(options.date_format))
    else:
        fmt = detect_date_format(con, values, columns.date, conclusive=False)
    return TransactionCheck(source, columns, types, fmt)


def check_transactions(source: Path | str, options: TransactionOptions | None = None) -> TransactionCheck:
    """Validate the input cheaply — header, columns, money values and the date format on the first
    :data:`CHECK_LINES` lines — so a caller can refuse bad input before the expensive aggregation.

    Refuses what the sample proves (a missing or ambiguous column, no date in a known format, dates
    mixing formats, money columns holding no numbers). Dates the sample leaves ambiguous (every day
    ≤ 12 in the first lines) are not refused here: :func:`derive_customers` decides over every date.
    """
    options = options or TransactionOptions()
    with connect(options.memory_limit, options.threads, options.temp_dir) as con:
        return _check(con, open_source(source), options)


# -- the aggregation ------------------------------------------------------------------------------

_MATCH = " AND ".join(f"l.{k} IS NOT DISTINCT FROM o.{k}" for k in ORDER_KEYS)
_KEEP = f"stage IN ({STAGE_CANDIDATE}, {STAGE_CANCELLATION})"


def _scan_orders(con: Any, checked: TransactionCheck) -> tuple[TransactionCheck, bool]:
    """Pass 1: lines grouped by raw order key into ``orders``, normalised with stages into ``staged``.

    Returns the (possibly re-encoded) check and whether purchase or return orders hold duplicates.
    """
    source = checked.source
    sql = LineSql(source, checked.columns, checked.types)
    try:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE orders AS SELECT cust, inv, dt, pos, count(*) AS n, "
            f"len(list_distinct(list(h))) AS d, sum(value) AS v FROM ({sql.lines(source.scan_sql())}) GROUP BY ALL"
        )
    except Exception as exc:
        if source.encoding == "utf-8" and is_encoding_error(exc):
            return _scan_orders(con, replace(checked, source=replace(source, encoding="latin-1")))
        raise data_error(exc, source.name) from None
    con.execute(f"CREATE OR REPLACE TEMP TABLE staged AS {sql.order_fields('orders')}")
    con.execute("DROP TABLE orders")
    row = con.execute(f"SELECT count(*) FROM staged WHERE n > d AND {_KEEP}").fetchone()
    return checked, bool(row and row[0])


def _fix_duplicated_values(con: Any, checked: TransactionCheck) -> None:
    """Pass 2: the value of the orders holding duplicates, summed over their distinct lines only.

    Lines are first filtered by their raw invoice (or date) — a cheap hash probe — so the per-line
    work is done for the lines of those orders alone.
    """
    source = checked.source
    sql = LineSql(source, checked.columns, checked.types)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE dup_orders AS SELECT {', '.join(ORDER_KEYS)} FROM staged WHERE n > d AND {_KEEP}"
    )
    lines = sql.lines(source.scan_sql(), where=sql.raw_prefilter("dup_orders"))
    keys = ", ".join(f"l.{k}" for k in ORDER_KEYS)
    distinct = (
        f"SELECT {keys}, list_distinct(list(struct_pack(h := l.h, v := l.value))) AS seen "
        f"FROM ({lines}) l SEMI JOIN dup_orders o ON {_MATCH} GROUP BY ALL"
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE fixed AS SELECT {', '.join(ORDER_KEYS)}, "
        f"list_aggregate(list_transform(seen, lambda x: x.v), 'sum') AS v FROM ({distinct})"
    )
    con.execute(f"UPDATE staged AS l SET v = o.v FROM fixed AS o WHERE {_MATCH}")


def _date_format(con: Any, checked: TransactionCheck, options: TransactionOptions) -> DateFormat:
    if checked.date_format is not None and (checked.date_format.native or options.date_format):
        return checked.date_format
    values = f"SELECT DISTINCT dt_text AS v FROM staged WHERE dt_text IS NOT NULL AND {_KEEP}"
    fmt = detect_date_format(con, values, checked.columns.date)
    assert fmt is not None
    return fmt


def _as_of(con: Any, options: TransactionOptions, counts: dict[str, int]) -> date:
    if options.as_of is not None:
        return options.as_of
    row = con.execute(
        f"SELECT CAST(max(ts) AS DATE) + 1 FROM parsed WHERE stage = {STAGE_CANDIDATE} AND ts IS NOT NULL"
    ).fetchone()
    if row is None or row[0] is None:
        raise _nothing_valid(counts)
    as_of: date = row[0]
    return as_of


def _nothing_valid(counts: dict[str, int]) -> DataError:
    reasons = ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in counts.items() if v and k in rules.EXCLUSION_NAMES)
    return DataError(f"no valid purchase line is left (excluded: {reasons or 'none'})")


def _customer_key(con: Any, valid: str) -> str:
    """SQL for the customer key: the integer when every id in the result is integral, else the text."""
    number = "TRY_CAST(cust AS DECIMAL(38,6))"
    integral = (
        f"({number} IS NOT NULL AND NOT contains(cust, '_') AND {number} = trunc({number}) "
        f"AND {number} BETWEEN -9223372036854775808 AND 9223372036854775807)"
    )
    row = con.execute(f"SELECT bool_and({integral}) FROM (SELECT DISTINCT cust FROM parsed WHERE {valid})").fetchone()
    return f"TRY_CAST({number} AS BIGINT)" if row and row[0] else "cust"


def _customers(con: Any, as_of: date, options: TransactionOptions) -> tuple[pd.DataFrame, int, float, int]:
    valid = f"stage = {STAGE_CANDIDATE} AND ts IS NOT NULL AND CAST(ts AS DATE) <= DATE '{as_of.isoformat()}'"
    key = _customer_key(con, valid)
    as_of_sql = f"DATE '{as_of.isoformat()}'"
    order_id = "CASE WHEN inv IS NOT NULL THEN 'i' || inv ELSE 't' || CAST(ts AS VARCHAR) END"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE customers AS SELECT {key} AS customer_id, "
        f"date_diff('day', CAST(max(ts) AS DATE), {as_of_sql}) AS recency_days, "
        f"count(DISTINCT {order_id}) AS frequency, sum(v) AS monetary, "
        f"date_diff('day', CAST(min(ts) AS DATE), {as_of_sql}) AS tenure_days "
        f"FROM parsed WHERE {valid} GROUP BY ALL"
    )
    returned_lines, returned_value, floored = 0, 0.0, 0
    if options.returns == "net":
        returned = (
            f"stage = {STAGE_CANCELLATION} AND ts IS NOT NULL AND CAST(ts AS DATE) <= {as_of_sql} AND v IS NOT NULL"
        )
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE returns AS SELECT {key} AS customer_id, sum(v) AS v, sum(d) AS lines "
            f"FROM parsed WHERE {returned} GROUP BY ALL"
        )
        row = con.execute(
            "SELECT coalesce(sum(r.lines), 0), coalesce(CAST(sum(r.v) AS DOUBLE), 0), "
            "count(*) FILTER (WHERE c.monetary - r.v < 0) FROM customers c JOIN returns r USING (customer_id)"
        ).fetchone()
        assert row is not None
        returned_lines, returned_value, floored = int(row[0]), float(row[1]), int(row[2])
        con.execute(
            "UPDATE customers AS c SET monetary = greatest(c.monetary - r.v, 0) FROM returns AS r "
            "WHERE c.customer_id = r.customer_id"
        )
    frame = con.execute(
        "SELECT customer_id, recency_days, frequency, CAST(monetary AS VARCHAR) AS monetary, tenure_days "
        "FROM customers ORDER BY customer_id"
    ).df()
    return frame, returned_lines, returned_value, floored


def tidy_customers(frame: pd.DataFrame) -> pd.DataFrame:
    """The engine's per-customer rows as the public table: typed columns, average order value added.

    ``monetary`` arrives as exact decimal text and is parsed here, so every engine yields the same floats.
    """
    out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    ids = frame["customer_id"]
    out[rules.CUSTOMER_ID] = ids.astype("Int64") if pd.api.types.is_integer_dtype(ids) else ids.astype("string")
    out[rules.RECENCY] = frame["recency_days"].astype("int64")
    out[rules.FREQUENCY] = frame["frequency"].astype("int64")
    out[rules.MONETARY] = pd.to_numeric(frame["monetary"].astype(str), errors="raise").astype("float64")
    out[rules.TENURE] = frame["tenure_days"].astype("int64")
    out[rules.AVG_ORDER_VALUE] = out[rules.MONETARY] / out[rules.FREQUENCY]
    return out


def derive_customers(source: Path | str, options: TransactionOptions | None = None) -> DerivedCustomers:
    """Aggregate the order lines of ``source`` (CSV or Parquet file, or a folder of them) per customer.

    Returns the customers (columns ``rules.OUTPUT_COLUMNS``) with the exclusions by reason; bad input
    raises a one-line :class:`DataError` (or :class:`ConfigError` for contradictory options).
    """
    options = options or TransactionOptions()
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = now - clock
        clock = now

    with connect(options.memory_limit, options.threads, options.temp_dir) as con:
        checked = _check(con, open_source(source), options)
        lap("check")
        checked, has_duplicates = _scan_orders(con, checked)
        lap("scan")
        if has_duplicates:
            _fix_duplicated_values(con, checked)
        lap("duplicates")
        counts = _early_counts(con)
        if not counts.pop("candidates"):
            raise _nothing_valid(counts)
        fmt = _date_format(con, checked, options)
        con.execute(
            "CREATE OR REPLACE TEMP TABLE parsed AS SELECT stage, cust_id AS cust, inv_no AS inv, n, d, v, "
            f"{parse_sql('dt_text', fmt)} AS ts FROM staged WHERE {_KEEP}"
        )
        as_of = _as_of(con, options, counts)
        counts |= _date_counts(con, as_of)
        lap("dates")
        if not counts.pop("valid"):
            raise _nothing_valid(counts)
        frame, returned_lines, returned_value, floored = _customers(con, as_of, options)
        lap("customers")
        lines_in = counts.pop("lines_in")
    exclusions = {name: counts.get(name, 0) for name in rules.EXCLUSION_NAMES}
    return DerivedCustomers(
        customers=tidy_customers(frame),
        exclusions=exclusions,
        lines_in=lines_in,
        lines_valid=lines_in - sum(exclusions.values()),
        as_of=as_of,
        date_format=fmt.label,
        columns=checked.columns.as_dict(),
        returns=options.returns,
        returned_lines=returned_lines,
        returned_value=returned_value,
        floored_customers=floored,
        source=checked.source.name,
        timings=timings,
    )


def _early_counts(con: Any) -> dict[str, int]:
    row = con.execute(
        "SELECT sum(n), sum(n - d), "
        f"sum(d) FILTER (WHERE stage = {STAGE_GUEST}), sum(d) FILTER (WHERE stage = {STAGE_CANCELLATION}), "
        f"sum(d) FILTER (WHERE stage = {STAGE_NON_POSITIVE}), "
        f"count(*) FILTER (WHERE stage = {STAGE_CANDIDATE}) FROM staged"
    ).fetchone()
    assert row is not None
    values = [int(v or 0) for v in row]
    names = ("lines_in", rules.DUPLICATE, rules.GUEST, rules.CANCELLATION, rules.NON_POSITIVE, "candidates")
    return dict(zip(names, values, strict=True))


def _date_counts(con: Any, as_of: date) -> dict[str, int]:
    day = f"DATE '{as_of.isoformat()}'"
    row = con.execute(
        "SELECT sum(d) FILTER (WHERE ts IS NULL), "
        f"sum(d) FILTER (WHERE CAST(ts AS DATE) > {day}), sum(d) FILTER (WHERE CAST(ts AS DATE) <= {day}) "
        f"FROM parsed WHERE stage = {STAGE_CANDIDATE}"
    ).fetchone()
    assert row is not None
    values = [int(v or 0) for v in row]
    return dict(zip((rules.UNPARSEABLE_DATE, rules.FUTURE_DATE, "valid"), values, strict=True))
