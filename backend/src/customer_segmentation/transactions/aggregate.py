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

How it runs, in DuckDB (only aggregates are ever held in memory; DuckDB spills beyond its limit):

1. pass 1 streams the lines once and groups them by their RAW order key (customer, invoice and date
   as written, and whether the money is positive): line count, number of distinct line hashes, summed
   value — and, only for orders whose hashes repeat, the hashes. Everything that depends on the key
   alone (trimming, missing ids, the cancellation prefix, the stage) is then computed per order;
2. pass 2, only when purchase or return orders hold duplicates, re-reads just the lines of those
   orders (filtered on the raw invoice first) to take one value per repeated line and subtract the
   extra copies' value;
3. the date format is detected over every distinct date text (:mod:`.dates`), the orders' dates
   are parsed, and the date rules, as-of date and per-customer features follow from the orders.

Exact duplicates share their order key, so lines are told apart by a 64-bit hash of the other
columns: two different lines of one order would have to collide to be taken for duplicates (odds
below 1 in 10¹⁰ for 100 M lines).
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from . import rules
from .check import TransactionCheck, check_source
from .dates import DateFormat, detect_date_format, parse_sql
from .duck import connect, data_error, is_encoding_error
from .lines import ORDER_KEYS, LineSql
from .options import TransactionOptions
from .result import DerivedCustomers, NettedReturns, nothing_valid
from .rules import STAGE_CANCELLATION, STAGE_CANDIDATE, STAGE_GUEST, STAGE_NON_POSITIVE
from .source import open_source

# -- the aggregation ------------------------------------------------------------------------------

_MATCH = " AND ".join(f"l.{k} IS NOT DISTINCT FROM o.{k}" for k in ORDER_KEYS)
_KEEP = f"stage IN ({STAGE_CANDIDATE}, {STAGE_CANCELLATION})"
#: One 64-bit hash of the raw order key, to match pass 2's lines to their orders cheaply.
ORDER_HASH = f"hash({', '.join(ORDER_KEYS)})"


def _scan_orders(con: Any, checked: TransactionCheck) -> tuple[TransactionCheck, bool]:
    """Pass 1: lines grouped by raw order key into ``orders``, normalised with stages into ``staged``.

    Returns the (possibly re-encoded) check and whether purchase or return orders hold duplicates.
    """
    source = checked.source
    sql = LineSql(source, checked.columns, checked.types)
    try:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE orders AS SELECT cust, inv, dt, pos, count(*) AS n, "
            "len(list_distinct(list(h))) AS d, sum(value) AS v, "
            # the hashes are kept only where they repeat (pass 2 needs them; most orders have none)
            "CASE WHEN count(*) > len(list_distinct(list(h))) THEN list(h) END AS hs "
            f"FROM ({sql.lines(source.scan_sql())}) GROUP BY ALL"
        )
    except Exception as exc:
        if source.encoding == "utf-8" and is_encoding_error(exc):
            return _scan_orders(con, replace(checked, source=replace(source, encoding="latin-1")))
        raise data_error(exc, source.name) from None
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE staged AS SELECT *, {ORDER_HASH} AS ok FROM ({sql.order_fields('orders')})"
    )
    con.execute("DROP TABLE orders")
    row = con.execute(f"SELECT count(*) FROM staged WHERE n > d AND {_KEEP}").fetchone()
    return checked, bool(row and row[0])


def _fix_duplicated_values(con: Any, checked: TransactionCheck) -> None:
    """Pass 2: take the extra copies' value out of the orders holding duplicates.

    Pass 1 kept those orders' line hashes, so which hashes repeat, and how often, is known; this pass
    only fetches one value per repeated hash. Lines are first filtered by their raw invoice (or date) —
    a cheap probe — so the per-line work is done for the lines of those orders alone, and they are
    matched on two 64-bit hashes (order key, line), the raw key being compared once per order at the end.
    """
    source = checked.source
    sql = LineSql(source, checked.columns, checked.types)
    keys = ", ".join(ORDER_KEYS)
    repeated = f"n > d AND {_KEEP}"
    con.execute(f"CREATE OR REPLACE TEMP TABLE dup_orders AS SELECT {keys} FROM staged WHERE {repeated}")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE dup_hashes AS SELECT {keys}, ok, h, count(*) - 1 AS extra FROM ("
        f"SELECT {keys}, ok, unnest(hs) AS h FROM staged WHERE {repeated}) GROUP BY ALL HAVING count(*) > 1"
    )
    lines = sql.lines(source.scan_sql(), where=sql.raw_prefilter("dup_orders"))
    hashed = f"SELECT {ORDER_HASH} AS ok, h, value FROM ({lines})"
    one_each = (
        f"SELECT l.ok, l.h, any_value(l.value) AS value FROM ({hashed}) l "
        "SEMI JOIN dup_hashes o ON l.ok = o.ok AND l.h = o.h GROUP BY ALL"
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE fixed AS SELECT {', '.join(f'o.{k}' for k in ORDER_KEYS)}, o.ok, "
        f"sum(l.value * o.extra) AS extra_value FROM ({one_each}) l JOIN dup_hashes o ON l.ok = o.ok AND l.h = o.h "
        "GROUP BY ALL"
    )
    con.execute(f"UPDATE staged AS l SET v = l.v - o.extra_value FROM fixed AS o WHERE l.ok = o.ok AND {_MATCH}")


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
        raise nothing_valid(counts)
    as_of: date = row[0]
    return as_of


def _customer_key(con: Any, valid: str) -> str:
    """SQL for the customer key: the integer when every id in the result is integral, else the text."""
    number = "TRY_CAST(cust AS DECIMAL(38,6))"
    integral = (
        f"({number} IS NOT NULL AND NOT contains(cust, '_') AND {number} = trunc({number}) "
        f"AND {number} BETWEEN -9223372036854775808 AND 9223372036854775807)"
    )
    row = con.execute(f"SELECT bool_and({integral}) FROM (SELECT DISTINCT cust FROM parsed WHERE {valid})").fetchone()
    return f"TRY_CAST({number} AS BIGINT)" if row and row[0] else "cust"


def _customers(con: Any, as_of: date, options: TransactionOptions) -> tuple[pd.DataFrame, NettedReturns]:
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
    netted = NettedReturns()
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
        netted = NettedReturns(int(row[0]), float(row[1]), int(row[2]))
        con.execute(
            "UPDATE customers AS c SET monetary = greatest(c.monetary - r.v, 0) FROM returns AS r "
            "WHERE c.customer_id = r.customer_id"
        )
    frame = con.execute(
        "SELECT customer_id, recency_days, frequency, CAST(monetary AS VARCHAR) AS monetary, tenure_days "
        "FROM customers ORDER BY customer_id"
    ).df()
    return frame, netted


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
        checked = check_source(con, open_source(source), options)
        lap("check")
        checked, has_duplicates = _scan_orders(con, checked)
        lap("scan")
        if has_duplicates:
            _fix_duplicated_values(con, checked)
        lap("duplicates")
        counts = _early_counts(con)
        if not counts.pop("candidates"):
            raise nothing_valid(counts)
        fmt = _date_format(con, checked, options)
        con.execute(
            "CREATE OR REPLACE TEMP TABLE parsed AS SELECT stage, cust_id AS cust, inv_no AS inv, n, d, v, "
            f"{parse_sql('dt_text', fmt)} AS ts FROM staged WHERE {_KEEP}"
        )
        as_of = _as_of(con, options, counts)
        counts |= _date_counts(con, as_of)
        lap("dates")
        if not counts.pop("valid"):
            raise nothing_valid(counts)
        frame, netted = _customers(con, as_of, options)
        lap("customers")
    return DerivedCustomers.assemble(
        frame,
        counts,
        netted,
        as_of=as_of,
        date_format=fmt.label,
        columns=checked.columns.as_dict(),
        options_returns=options.returns,
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
