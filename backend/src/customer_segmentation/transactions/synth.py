"""Synthetic order-line exports shaped like the public Online Retail data, for benchmarks and tests.

Columns and formats follow that export: ``InvoiceNo, StockCode, Description, Quantity, InvoiceDate,
UnitPrice, CustomerID, Country`` with dates like ``12/1/2010 8:26`` (``date_style="us"``) or
ISO ``2010-12-01 08:26:00`` (``"iso"``), and customer ids written as floats (``17850.0``) the way a
pandas round-trip leaves them. The window is the public data's: 1 Dec 2010 – 9 Dec 2011.

Customers follow hand-written behaviours that form real RFM groups (champions buy often, lately and
a lot; lost customers bought once, long ago; …; see :data:`BEHAVIOURS`), and the export carries the
quirks the transactions aggregation must count:

* guest lines (blank ``CustomerID``), about a fifth of all lines;
* cancellations: invoice ``C`` + the number of the invoice they return, negative quantity, a few
  days after the purchase;
* stock adjustments: negative quantity at price 0 without a ``C`` invoice, and zero-price lines;
* exact duplicate lines (copied right after the original);
* a few unparseable dates (``#VALUE!`` in CSV, null in Parquet, where dates are real timestamps).

Generation is seeded and vectorised (numpy; strings through pyarrow ``take`` on small lookup tables)
and written block by block (≈1 M lines each) with pyarrow's CSV or Parquet writer, so 100 M lines
never sit in memory. The same ``(lines, seed, date_style)`` always gives the same bytes.
"""

from __future__ import annotations

import argparse
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

DateStyle = Literal["us", "iso"]

START = date(2010, 12, 1)
DAYS = 374  # 1 Dec 2010 … 9 Dec 2011, both included
FIRST_CUSTOMER_ID = 12346
FIRST_INVOICE = 536365
HEADER = ("InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country")
BAD_DATE = "#VALUE!"

#: Shares of the dirt, per purchase line (guests: per customer line).
GUEST_SHARE = 0.25
CANCEL_SHARE = 0.02
ADJUSTMENT_SHARE = 0.002
ZERO_PRICE_SHARE = 0.003
DUPLICATE_SHARE = 0.01
BAD_DATE_SHARE = 0.0002
_BLOCK_LINES = 1_000_000
_CSV_OPTIONS = pa_csv.WriteOptions(quoting_style="none")


@dataclass(frozen=True)
class Behaviour:
    """A kind of customer: share, invoices (min, max), days since the last purchase (min, max),
    days since the first purchase (min, max), mean lines per invoice and a quantity multiplier."""

    name: str
    weight: float
    invoices: tuple[int, int]
    last_ago: tuple[int, int]
    first_ago: tuple[int, int]
    lines: float
    quantity: float


#: Hand-written; the names are the RFM vocabulary the groups are meant to land in.
BEHAVIOURS: tuple[Behaviour, ...] = (
    Behaviour("Champions", 0.07, (15, 60), (0, 14), (250, 373), 25, 3.0),
    Behaviour("Loyal", 0.13, (6, 20), (0, 45), (180, 373), 20, 1.5),
    Behaviour("Potential loyalists", 0.12, (2, 5), (0, 30), (40, 120), 18, 1.0),
    Behaviour("New", 0.10, (1, 2), (0, 30), (0, 40), 15, 1.0),
    Behaviour("At risk", 0.15, (5, 15), (90, 200), (250, 373), 20, 1.5),
    Behaviour("Can't lose them", 0.05, (15, 40), (100, 200), (300, 373), 25, 3.0),
    Behaviour("Hibernating", 0.18, (2, 4), (120, 250), (200, 373), 18, 1.0),
    Behaviour("Lost", 0.20, (1, 2), (250, 373), (250, 373), 15, 1.0),
)
_QUANTITIES = np.array([1, 1, 2, 2, 3, 4, 6, 6, 8, 10, 12, 12, 24, 48])
_COUNTRIES = ("United Kingdom", "Germany", "France", "EIRE", "Spain", "Netherlands", "Belgium", "Switzerland")
_COUNTRY_P = np.array([0.88, 0.03, 0.03, 0.02, 0.01, 0.01, 0.01, 0.01])
_WORDS = (
    ("WHITE", "RED", "PINK", "BLUE", "VINTAGE", "REGENCY", "JUMBO", "SMALL", "GLASS", "WOODEN"),
    ("HEART", "STAR", "PAISLEY", "RETROSPOT", "SPOTTY", "FLORAL", "ROSE", "BIRD", "LOVE", "CHRISTMAS"),
    ("T-LIGHT HOLDER", "LANTERN", "CAKE STAND", "LUNCH BAG", "TEACUP", "BUNTING", "CUSHION COVER", "MUG"),
)
_PRODUCTS = 4000


@functools.cache
def _products() -> tuple[pa.Array, pa.Array, np.ndarray, np.ndarray]:
    """Stock codes, descriptions, base prices and popularity of the product catalogue (fixed)."""
    rng = np.random.default_rng(20101201)
    numbers = rng.choice(np.arange(10000, 99999), size=_PRODUCTS, replace=False)
    suffix = np.where(rng.random(_PRODUCTS) < 0.2, rng.choice(list("ABCDEFGHJKLMNPS"), _PRODUCTS), "")
    codes = [f"{n}{s}" for n, s in zip(numbers, suffix, strict=True)]
    picks = [rng.integers(0, len(words), _PRODUCTS) for words in _WORDS]
    descriptions = [" ".join(_WORDS[w][int(p[i])] for w, p in enumerate(picks)) for i in range(_PRODUCTS)]
    prices = np.round(np.exp(rng.normal(1.0, 0.8, _PRODUCTS)), 2).clip(0.1, 300)
    popularity = 1.0 / np.arange(1, _PRODUCTS + 1) ** 0.8
    return pa.array(codes), pa.array(descriptions), prices, popularity / popularity.sum()


@functools.cache
def _minute_strings(style: DateStyle) -> pa.Array:
    """Every minute of the window as text, so a line's date is one ``take`` from this table."""
    base = datetime(START.year, START.month, START.day)
    out = []
    for minute in range(DAYS * 1440):
        t = base + timedelta(minutes=minute)
        if style == "us":
            out.append(f"{t.month}/{t.day}/{t.year} {t.hour}:{t.minute:02d}")
        else:
            out.append(f"{t:%Y-%m-%d %H:%M:%S}")
    return pa.array(out)


@dataclass
class _Lines:
    """One block of order lines as numpy columns (strings come later, from lookup tables)."""

    invoice: np.ndarray  # int64
    cancel: np.ndarray  # bool
    product: np.ndarray  # int64 index into the catalogue
    quantity: np.ndarray  # int64
    minute: np.ndarray  # int64 minutes since START
    price: np.ndarray  # float64
    customer: np.ndarray  # int64, -1 = guest
    country: np.ndarray  # int64 index into _COUNTRIES
    bad_date: np.ndarray  # bool

    def take(self, index: np.ndarray) -> _Lines:
        return _Lines(*(getattr(self, f)[index] for f in self.__dataclass_fields__))

    @classmethod
    def concat(cls, parts: list[_Lines]) -> _Lines:
        return cls(*(np.concatenate([getattr(p, f) for p in parts]) for f in cls.__dataclass_fields__))

    def __len__(self) -> int:
        return len(self.invoice)


def _customers(rng: np.random.Generator, count: int) -> dict[str, np.ndarray]:
    weights = np.array([b.weight for b in BEHAVIOURS])
    kind = rng.choice(len(BEHAVIOURS), size=count, p=weights / weights.sum())

    def draw(field: str) -> np.ndarray:
        low = np.array([getattr(b, field)[0] for b in BEHAVIOURS])[kind]
        high = np.array([getattr(b, field)[1] for b in BEHAVIOURS])[kind]
        return rng.integers(low, high + 1)

    last_ago = draw("last_ago")
    first_ago = np.maximum(draw("first_ago"), last_ago)
    invoices = draw("invoices")
    invoices = np.where(first_ago == last_ago, np.minimum(invoices, 1), invoices)
    return {
        "kind": kind,
        "invoices": invoices,
        "first": DAYS - 1 - first_ago,
        "last": DAYS - 1 - last_ago,
        "lines": np.array([b.lines for b in BEHAVIOURS])[kind],
        "quantity": np.array([b.quantity for b in BEHAVIOURS])[kind],
        "country": rng.choice(len(_COUNTRIES), size=count, p=_COUNTRY_P),
    }


def _purchases(rng: np.random.Generator, customers: dict[str, np.ndarray], ids: np.ndarray) -> _Lines:
    """Every purchase line of these customers (guests have id -1), invoices in time order."""
    invoices = customers["invoices"]
    owner = np.repeat(np.arange(len(ids)), invoices)
    position = np.arange(len(owner)) - np.repeat(np.cumsum(invoices) - invoices, invoices)
    count = customers["invoices"][owner]
    first, last = customers["first"][owner], customers["last"][owner]
    day = first + np.floor(rng.random(len(owner)) * (last - first + 1)).astype("int64")
    day = np.where(position == 0, first, np.where(position == count - 1, last, day))
    minute = day * 1440 + rng.integers(7 * 60, 20 * 60, len(owner))
    order = np.argsort(minute, kind="stable")
    owner, minute = owner[order], minute[order]
    size = 1 + rng.poisson(customers["lines"][owner] - 1)
    line_owner = np.repeat(owner, size)
    _, _, prices, popularity = _products()
    product = rng.choice(_PRODUCTS, size=len(line_owner), p=popularity)
    quantity = np.rint(rng.choice(_QUANTITIES, len(line_owner)) * customers["quantity"][line_owner]).astype("int64")
    return _Lines(
        invoice=np.repeat(np.arange(len(owner), dtype="int64"), size),
        cancel=np.zeros(len(line_owner), dtype=bool),
        product=product,
        quantity=np.maximum(quantity, 1),
        minute=np.repeat(minute, size),
        price=prices[product],
        customer=ids[line_owner],
        country=customers["country"][line_owner],
        bad_date=np.zeros(len(line_owner), dtype=bool),
    )


def _block(seed: int, block: int, customers_in_block: int, next_customer: int) -> _Lines:
    """One block: its customers' purchases, guest purchases and the dirt, sorted by time."""
    rng = np.random.default_rng([seed, block])
    customers = _customers(rng, customers_in_block)
    ids = np.arange(next_customer, next_customer + customers_in_block, dtype="int64")
    lines = _purchases(rng, customers, ids)
    guest_invoices = max(1, int(len(lines) * GUEST_SHARE / (1 - GUEST_SHARE) / 20))
    guests = _customers(rng, guest_invoices)
    guests["invoices"] = np.ones(guest_invoices, dtype="int64")
    guests["first"] = guests["last"] = rng.integers(0, DAYS, guest_invoices)
    guests["lines"] = np.full(guest_invoices, 20.0)
    guest_lines = _purchases(rng, guests, np.full(guest_invoices, -1, dtype="int64"))
    guest_lines.invoice += lines.invoice.max() + 1
    return _dirty(rng, _Lines.concat([lines, guest_lines]))


def _dirty(rng: np.random.Generator, lines: _Lines) -> _Lines:
    n = len(lines)
    returned = np.flatnonzero(rng.random(n) < CANCEL_SHARE)
    cancels = lines.take(returned)
    cancels.cancel[:] = True
    cancels.quantity = -np.maximum(1, np.rint(cancels.quantity * rng.uniform(0.2, 1.0, len(cancels)))).astype("int64")
    cancels.minute = np.minimum(cancels.minute + rng.integers(60, 30 * 1440, len(cancels)), DAYS * 1440 - 1)
    adjust = lines.take(np.flatnonzero(rng.random(n) < ADJUSTMENT_SHARE))
    adjust.quantity = -adjust.quantity
    adjust.price = np.zeros(len(adjust))
    lines = _Lines.concat([lines, cancels, adjust])
    lines.price = np.where(rng.random(len(lines)) < ZERO_PRICE_SHARE, 0.0, lines.price)
    lines.bad_date = rng.random(len(lines)) < BAD_DATE_SHARE
    order = np.lexsort((lines.cancel, lines.invoice, lines.minute))
    lines = lines.take(order)
    # Renumber invoices by first appearance, so numbers grow with time like a shop's.
    distinct, first_seen, inverse = np.unique(lines.invoice, return_index=True, return_inverse=True)
    rank = np.empty(len(distinct), dtype="int64")
    rank[np.argsort(first_seen, kind="stable")] = np.arange(len(distinct))
    lines.invoice = rank[inverse]
    copies = np.flatnonzero(rng.random(len(lines)) < DUPLICATE_SHARE)
    with_copies = np.sort(np.concatenate([np.arange(len(lines)), copies]), kind="stable")
    return lines.take(with_copies)


def _arrow(lines: _Lines, first_invoice: int, style: DateStyle, parquet: bool) -> pa.Table:
    codes, descriptions, _, _ = _products()
    product = pa.array(lines.product)
    number = pc.cast(pa.array(lines.invoice + first_invoice), pa.string())
    invoice = pc.if_else(pa.array(lines.cancel), pc.binary_join_element_wise("C", number, ""), number)
    guest = lines.customer < 0
    if parquet:
        base = np.datetime64(START.isoformat(), "m")
        stamps = pa.array((base + lines.minute.astype("timedelta64[m]")).astype("datetime64[s]"))
        when: pa.Array = pc.if_else(pa.array(lines.bad_date), pa.scalar(None, stamps.type), stamps)
        customer: pa.Array = pa.array(lines.customer.astype("float64"), mask=guest)
    else:
        when = pc.if_else(pa.array(lines.bad_date), BAD_DATE, pc.take(_minute_strings(style), pa.array(lines.minute)))
        ids = pc.binary_join_element_wise(pc.cast(pa.array(lines.customer), pa.string()), ".0", "")
        customer = pc.if_else(pa.array(guest), pa.scalar(None, pa.string()), ids)
    return pa.table(
        [
            invoice,
            pc.take(codes, product),
            pc.take(descriptions, product),
            pa.array(lines.quantity),
            when,
            pa.array(lines.price),
            customer,
            pc.take(pa.array(_COUNTRIES), pa.array(lines.country)),
        ],
        names=list(HEADER),
    )


def iter_blocks(lines: int, seed: int = 0, style: DateStyle = "us", parquet: bool = False) -> Iterator[pa.Table]:
    """Exactly ``lines`` order lines as Arrow tables of about a million lines each.

    Each block gets fresh customers (ids continue), invoices continue their numbering, and when a
    block has more lines than are still wanted, a random subset of its lines (in order) is kept.
    """
    per_customer = sum(b.weight * (b.invoices[0] + b.invoices[1]) / 2 * b.lines for b in BEHAVIOURS)
    per_customer *= (1 + CANCEL_SHARE + DUPLICATE_SHARE) / (1 - GUEST_SHARE)
    remaining, block, next_customer, next_invoice = lines, 0, FIRST_CUSTOMER_ID, FIRST_INVOICE
    while remaining > 0:
        wanted = min(remaining, _BLOCK_LINES)
        customers = max(3, int(np.ceil(wanted * 1.15 / per_customer)))
        part = _block(seed, block, customers, next_customer)
        if len(part) > wanted:
            keep = np.random.default_rng([seed, block, 1]).choice(len(part), size=wanted, replace=False)
            part = part.take(np.sort(keep))
        next_customer += customers
        yield _arrow(part, next_invoice, style, parquet)
        next_invoice += int(part.invoice.max()) + 1 if len(part) else 0
        remaining -= len(part)
        block += 1


def write_transactions(path: Path | str, lines: int, seed: int = 0, date_style: DateStyle = "us") -> Path:
    """Write ``lines`` synthetic order lines to ``path`` (.csv, or .parquet/.pq), block by block.

    The file appears under its name only once complete (written to a hidden temporary name first).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    parquet = path.suffix.lower() in {".parquet", ".pq"}
    tmp = path.with_name(f".{path.name}.tmp")
    writer: pq.ParquetWriter | pa_csv.CSVWriter | None = None
    try:
        for table in iter_blocks(lines, seed, date_style, parquet):
            if writer is None:
                writer = (
                    pq.ParquetWriter(tmp, table.schema, compression="zstd")
                    if parquet
                    else pa_csv.CSVWriter(tmp, table.schema, write_options=_CSV_OPTIONS)
                )
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()
    tmp.replace(path)
    return path


def main(argv: list[str] | None = None) -> int:
    """``python -m customer_segmentation.transactions.synth LINES OUT.csv [--seed N] [--date-style iso]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lines", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--date-style", choices=("us", "iso"), default="us")
    args = parser.parse_args(argv)
    print(write_transactions(args.out, args.lines, args.seed, args.date_style))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
