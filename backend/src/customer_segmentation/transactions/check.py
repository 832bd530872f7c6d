"""The cheap check before the expensive aggregation: header, columns, money values and the date
format on the first lines, so bad input is refused in a second (``check_transactions``)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import DataError
from .columns import ColumnMap, resolve_columns
from .dates import NATIVE, DateFormat, check_explicit, detect_date_format, explicit_format
from .duck import connect, data_error, is_encoding_error
from .lines import LineSql, trimmed
from .options import TransactionOptions
from .source import Source, open_source


@dataclass
class TransactionCheck:
    """What the cheap check found: the source, its columns, and the date format if a sample settles it."""

    source: Source
    columns: ColumnMap
    types: dict[str, str]
    date_format: DateFormat | None


#: Lines read by :func:`check_transactions` (the head of the file).
CHECK_LINES = 100_000
_NUMERIC_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE", "DECIMAL", "UBIGINT")


def money_not_numbers(column: str, example: str) -> DataError:
    """The money column has values but, on the first lines, not one number: a decimal comma or a
    wrong delimiter — refused rather than counting every line as a non-positive value."""
    return DataError(
        f"no value of the column {column!r} is a number (e.g. {example!r}): check the delimiter and decimal mark"
    )


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


def check_source(con: Any, source: Source, options: TransactionOptions) -> TransactionCheck:
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
            return check_source(con, replace(source, encoding="latin-1"), options)
        raise data_error(exc, source.name) from None
    numbers = con.execute("SELECT count(q), min(q_text) FROM head WHERE q_text IS NOT NULL").fetchone()
    if numbers is not None and numbers[1] is not None and numbers[0] == 0:
        raise money_not_numbers(money, numbers[1])
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
        return check_source(con, open_source(source), options)
