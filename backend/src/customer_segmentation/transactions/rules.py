"""The transactions rules in one place: column roles and their header spellings, what makes a line
valid, the exclusion reasons in the order they are attributed, and the number types.

Both engines (DuckDB in :mod:`.aggregate`, Spark SQL in ``engines/spark/transactions.py``) execute
exactly these definitions; the parity test checks they agree line for line.

A line is **valid** when it has a customer id, an invoice that is not a cancellation, quantity > 0
and unit price > 0 (or amount > 0), and a parseable date not after the as-of date. Every other line
is excluded and counted once, under the FIRST rule of :data:`EXCLUSIONS` it fails:

1. ``duplicate_line`` — every column equal to an earlier line (only the first copy goes on to the
   other rules; the count equals pandas' ``DataFrame.duplicated().sum()`` on the file read as text);
2. ``guest_line`` — no customer id (empty or a missing marker such as ``NA``);
3. ``cancellation`` — an invoice of ``C`` followed by a digit (``C536379``, the cancellation /
   return invoices of common retail exports; ``CA-2016-…`` is an ordinary order id);
4. ``non_positive_value`` — quantity or unit price (or amount) missing, not a number, zero or negative;
5. ``unparseable_date`` — the date is missing or not in the file's date format;
6. ``future_date`` — the date is after the as-of date (only possible with an explicit as-of).

Duplicates come first so that a copied line is never counted twice (e.g. once as a duplicate and
once as a cancellation), and because that is the number a user checking the file in pandas gets.
Cancellation comes before the value rule because cancellation lines carry negative quantities:
they are returns, not bad values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Role = Literal["customer", "date", "invoice", "quantity", "price", "amount"]
ROLES: tuple[Role, ...] = ("customer", "date", "invoice", "quantity", "price", "amount")

#: Header spellings per role, squashed like :func:`customer_segmentation.schema.squash_header`
#: (lower-case letters and digits only: "Customer ID" → "customerid", "Unit Price" → "unitprice").
HEADER_ALIASES: dict[Role, tuple[str, ...]] = {
    "customer": (
        "customerid",
        "customer",
        "customerno",
        "customernumber",
        "customercode",
        "custid",
        "clientid",
        "client",
        "clientno",
        "buyerid",
        "memberid",
        "accountid",
        "shopperid",
        "userid",
    ),
    "invoice": (
        "invoiceno",
        "invoice",
        "invoiceid",
        "invoicenumber",
        "orderid",
        "orderno",
        "ordernumber",
        "order",
        "transactionid",
        "transactionno",
        "receiptid",
        "receiptno",
        "billno",
        "basketid",
    ),
    "date": (
        "invoicedate",
        "orderdate",
        "date",
        "transactiondate",
        "purchasedate",
        "saledate",
        "datetime",
        "timestamp",
        "invoicedatetime",
        "orderdatetime",
        "createdat",
    ),
    "quantity": ("quantity", "qty", "units", "quantityordered", "orderquantity", "unitssold"),
    "price": ("unitprice", "price", "priceeach", "itemprice", "priceperunit", "saleprice"),
    "amount": (
        "amount",
        "revenue",
        "sales",
        "total",
        "totalamount",
        "totalprice",
        "linetotal",
        "lineamount",
        "salesamount",
        "totalsales",
        "ordervalue",
        "value",
    ),
}

#: How a role is named in messages and which option overrides it.
ROLE_OPTION: dict[Role, str] = {
    "customer": "--customer-col",
    "date": "--date-col",
    "invoice": "--invoice-col",
    "quantity": "--quantity-col",
    "price": "--price-col",
    "amount": "--amount-col",
}

#: A cancellation invoice: this prefix followed by a digit.
CANCELLATION_PREFIX = "C"

#: Strings that mean "no customer id", compared after trimming and lower-casing (as in the cleaning).
MISSING_IDS: tuple[str, ...] = ("", "na", "n/a", "null", "none", "nan", "?", "-", "--", "#n/a", "missing")
#: Characters trimmed from both ends of every text value (both engines trim exactly these).
TRIM_CHARS = " \t"

#: Numbers are exact decimals in both engines: quantities to 3 places, prices and amounts to 6
#: (more digits are rounded half up when read), line values q × p to 9 — sums never round.
QUANTITY_TYPE = "DECIMAL(18,3)"
PRICE_TYPE = "DECIMAL(18,6)"
AMOUNT_TYPE = "DECIMAL(18,6)"
VALUE_TYPE = "DECIMAL(38,9)"

#: A parsed date outside these years is unparseable: it guards against reading "12/1/10" with a
#: four-digit-year pattern as the year 10, and against spreadsheet zero dates.
MIN_YEAR = 1900
MAX_YEAR = 2200


@dataclass(frozen=True)
class Exclusion:
    """One reason a line is left out, the role whose column it concerns, and its plain description."""

    name: str
    role: Role | None
    detail: str


DUPLICATE = "duplicate_line"
GUEST = "guest_line"
CANCELLATION = "cancellation"
NON_POSITIVE = "non_positive_value"
UNPARSEABLE_DATE = "unparseable_date"
FUTURE_DATE = "future_date"

#: In the order they are attributed: a line is counted under the first one it fails.
EXCLUSIONS: tuple[Exclusion, ...] = (
    Exclusion(DUPLICATE, None, "exact duplicate lines (every column equal to an earlier line) left out"),
    Exclusion(GUEST, "customer", "lines without a customer id (guest checkouts) left out"),
    Exclusion(CANCELLATION, "invoice", "cancellation/return lines (invoice 'C' + number) left out of purchases"),
    Exclusion(NON_POSITIVE, None, "lines with a missing, zero or negative quantity or price (or amount) left out"),
    Exclusion(UNPARSEABLE_DATE, "date", "lines whose date is missing or not in the file's date format left out"),
    Exclusion(FUTURE_DATE, "date", "lines dated after the as-of date left out"),
)
EXCLUSION_NAMES: tuple[str, ...] = tuple(e.name for e in EXCLUSIONS)

#: Stage codes of a line after the rules that need no date (the date rules run on the aggregate).
STAGE_CANDIDATE = 0
STAGE_GUEST = 1
STAGE_CANCELLATION = 2
STAGE_NON_POSITIVE = 3

CUSTOMER_ID = "customer_id"
RECENCY = "recency_days"
FREQUENCY = "frequency"
MONETARY = "monetary"
TENURE = "tenure_days"
AVG_ORDER_VALUE = "avg_order_value"
#: The derived per-customer table, in this column order.
OUTPUT_COLUMNS: tuple[str, ...] = (CUSTOMER_ID, RECENCY, FREQUENCY, MONETARY, TENURE, AVG_ORDER_VALUE)
