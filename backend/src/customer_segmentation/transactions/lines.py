"""The rules of :mod:`.rules` as DuckDB SQL, split where each is cheapest.

Per line (100 M times) only what needs the line: is the money positive, its value, and a hash of the
columns that are not part of the order key (for exact duplicates). Lines are grouped by their RAW
customer, invoice and date values, so everything that depends on those alone — trimming, missing
ids, the cancellation prefix, the stage — is computed once per order (:meth:`LineSql.order_fields`),
not once per line. CSV columns are text; Parquet columns keep their types.
"""

from __future__ import annotations

from dataclasses import dataclass

from .columns import ColumnMap
from .rules import (
    AMOUNT_TYPE,
    CANCELLATION_PREFIX,
    MISSING_IDS,
    PRICE_TYPE,
    QUANTITY_TYPE,
    STAGE_CANCELLATION,
    STAGE_CANDIDATE,
    STAGE_GUEST,
    STAGE_NON_POSITIVE,
    TRIM_CHARS,
)
from .source import Source

_TEXT_TYPES = ("VARCHAR",)
#: The raw order key of a line: customer, invoice and date as written, and whether its money is > 0.
ORDER_KEYS = ("cust", "inv", "dt", "pos")


def literal(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def trimmed(expression: str) -> str:
    """Text with ``rules.TRIM_CHARS`` trimmed, blank → NULL."""
    return f"NULLIF(trim(CAST({expression} AS VARCHAR), {literal(TRIM_CHARS)}), '')"


def customer_id(text: str) -> str:
    """The customer id from its trimmed text: NULL when missing or a missing marker."""
    markers = "[" + ", ".join(literal(m) for m in MISSING_IDS if m) + "]"
    return f"CASE WHEN list_contains({markers}, lower({text})) THEN NULL ELSE {text} END"


def cancelled(invoice: str) -> str:
    """Whether the trimmed invoice text is a cancellation: the prefix, then a digit."""
    prefix = literal(CANCELLATION_PREFIX)
    return f"coalesce(starts_with({invoice}, {prefix}) AND substr({invoice}, 2, 1) BETWEEN '0' AND '9', false)"


@dataclass(frozen=True)
class LineSql:
    """SQL over the scan of one source with its column roles."""

    source: Source
    columns: ColumnMap
    types: dict[str, str]  # header → DuckDB type

    def _col(self, header: str) -> str:
        return self.source.sql_column(header)

    def _raw(self, header: str | None) -> str:
        return "CAST(NULL AS VARCHAR)" if header is None else self._col(header)

    def number(self, header: str, sql_type: str) -> str:
        """A money column as an exact decimal; NULL when it is not a number."""
        column = self._col(header)
        if self.types.get(header, "VARCHAR") not in _TEXT_TYPES:
            return f"TRY_CAST({column} AS {sql_type})"
        # DuckDB also reads "1_000" as 1000; Spark and pandas do not, so neither do we.
        return f"(CASE WHEN NOT contains({column}, '_') THEN TRY_CAST({column} AS {sql_type}) END)"

    def money(self) -> tuple[str, str]:
        """SQL for q and p: quantity and unit price, or the amount and a constant 1."""
        if self.columns.amount is not None:
            return self.number(self.columns.amount, AMOUNT_TYPE), f"CAST(1 AS {PRICE_TYPE})"
        assert self.columns.quantity is not None and self.columns.price is not None
        return self.number(self.columns.quantity, QUANTITY_TYPE), self.number(self.columns.price, PRICE_TYPE)

    @property
    def date_text(self) -> str:
        return trimmed(self._col(self.columns.date))

    def line_hash(self) -> str:
        """Hash of every column outside the order key (the key's raw values are grouped on)."""
        keyed = {self.columns.customer, self.columns.invoice, self.columns.date}
        rest = [self._col(h) for h in self.source.header if h not in keyed]
        return "hash(" + ", ".join(rest) + ")" if rest else "CAST(0 AS UBIGINT)"

    def lines(self, scan: str, where: str = "") -> str:
        """One row per line: the raw order key (cust, inv, dt, pos), value and h.

        ``value`` = |quantity × price| (or |amount|), exact in DECIMAL(38,9): a purchase's value, or
        for a cancellation (negative quantity) the returned value.
        """
        if self.columns.amount is not None:
            amount = self.number(self.columns.amount, AMOUNT_TYPE)
            pos, value = f"coalesce({amount} > 0, false)", f"abs(CAST({amount} AS DECIMAL(38,9)))"
        else:
            q, p = self.money()
            pos = f"coalesce({q} > 0 AND {p} > 0, false)"
            value = f"abs(CAST({q} AS DECIMAL(38,3)) * CAST({p} AS DECIMAL(38,6)))"  # exact: DECIMAL(38,9)
        return (
            f"SELECT {self._raw(self.columns.customer)} AS cust, {self._raw(self.columns.invoice)} AS inv, "
            f"{self._raw(self.columns.date)} AS dt, {pos} AS pos, {value} AS value, {self.line_hash()} AS h "
            f"FROM {scan}{' WHERE ' + where if where else ''}"
        )

    def order_fields(self, table: str) -> str:
        """Per raw order of ``table``: the normalised customer, invoice, date text and the stage."""
        normal = (
            f"SELECT {customer_id(trimmed('cust'))} AS cust_id, {trimmed('inv')} AS inv_no, "
            f"{trimmed('dt')} AS dt_text, * FROM {table}"
        )
        is_cancel = cancelled("inv_no") if self.columns.invoice is not None else "false"
        stage = (
            f"CASE WHEN cust_id IS NULL THEN {STAGE_GUEST} WHEN {is_cancel} THEN {STAGE_CANCELLATION} "
            f"WHEN NOT pos THEN {STAGE_NON_POSITIVE} ELSE {STAGE_CANDIDATE} END"
        )
        return f"SELECT CAST({stage} AS UTINYINT) AS stage, * FROM ({normal})"

    def raw_prefilter(self, keys_table: str) -> str:
        """A cheap WHERE keeping lines whose raw invoice (or, without one, date) is in ``keys_table``."""
        column = "inv" if self.columns.invoice is not None else "dt"
        header = self.columns.invoice if self.columns.invoice is not None else self.columns.date
        raw = self._col(header)
        return f"({raw} IN (SELECT {column} FROM {keys_table}) OR {raw} IS NULL)"
