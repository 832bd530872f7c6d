"""What a transactions run is told: column overrides, date format, as-of date, returns, resources."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

Returns = Literal["ignore", "net"]


@dataclass(frozen=True)
class TransactionOptions:
    """Options of :func:`derive_customers` (all optional: common headers are recognised).

    Column options name a header exactly (or up to case, spaces and punctuation). ``date_format`` is
    a strptime pattern (``%d/%m/%Y``, with or without a time part) or one of ``dmy``/``mdy``/``ymd``
    (also ``day-first``, ``month-first``, ``iso``). ``returns="net"`` subtracts the value of a
    customer's cancellation lines from their monetary value instead of ignoring returns.
    ``memory_limit``, ``threads`` and ``temp_dir`` bound DuckDB (it spills to ``temp_dir`` beyond
    the limit; default: a folder in the system temp dir).
    """

    customer_col: str | None = None
    date_col: str | None = None
    invoice_col: str | None = None
    amount_col: str | None = None
    quantity_col: str | None = None
    price_col: str | None = None
    date_format: str | None = None
    as_of: date | None = None
    returns: Returns = "ignore"
    memory_limit: str = "2GB"
    threads: int | None = None
    temp_dir: Path | None = None
