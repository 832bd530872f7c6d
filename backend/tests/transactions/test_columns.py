"""Headers are recognised by their usual spellings; options win; ambiguity is the user's call."""

from __future__ import annotations

import pytest

from customer_segmentation.errors import DataError
from customer_segmentation.transactions.columns import resolve_columns
from customer_segmentation.transactions.options import TransactionOptions
from customer_segmentation.transactions.rules import HEADER_ALIASES

NONE = TransactionOptions()


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"],
            {
                "customer": "CustomerID",
                "date": "InvoiceDate",
                "invoice": "InvoiceNo",
                "quantity": "Quantity",
                "price": "UnitPrice",
            },
        ),
        (  # the Online Retail II spelling
            ["Invoice", "StockCode", "Description", "Quantity", "InvoiceDate", "Price", "Customer ID", "Country"],
            {
                "customer": "Customer ID",
                "date": "InvoiceDate",
                "invoice": "Invoice",
                "quantity": "Quantity",
                "price": "Price",
            },
        ),
        (
            ["order_id", "customer_id", "order_date", "revenue"],
            {"customer": "customer_id", "date": "order_date", "invoice": "order_id", "amount": "revenue"},
        ),
        (["Client", "Date", "Sales"], {"customer": "Client", "date": "Date", "amount": "Sales"}),
        # quantity × price win over an amount column when both are there
        (
            ["CustomerID", "Date", "Qty", "Price", "Total"],
            {"customer": "CustomerID", "date": "Date", "quantity": "Qty", "price": "Price"},
        ),
    ],
)
def test_common_headers_are_recognised(header: list[str], expected: dict[str, str]) -> None:
    assert resolve_columns(header, NONE).as_dict() == expected


def test_aliases_do_not_overlap() -> None:
    seen: dict[str, str] = {}
    for role, aliases in HEADER_ALIASES.items():
        for alias in aliases:
            assert alias not in seen, f"{alias!r} is both {seen[alias]} and {role}"
            seen[alias] = role


def test_option_wins_and_frees_the_alias() -> None:
    header = ["CustomerID", "Customer", "Date", "Amount"]
    with pytest.raises(DataError, match=r"'CustomerID', 'Customer'.*--customer-col"):
        resolve_columns(header, NONE)
    chosen = resolve_columns(header, TransactionOptions(customer_col="Customer"))
    assert chosen.customer == "Customer"


def test_ambiguity_of_an_unused_role_does_not_matter() -> None:
    header = ["CustomerID", "Date", "Quantity", "UnitPrice", "Sales", "Revenue"]
    assert resolve_columns(header, NONE).amount is None


def test_missing_date_column() -> None:
    with pytest.raises(DataError, match=r"no date column found.*columns seen: CustomerID, Amount.*--date-col"):
        resolve_columns(["CustomerID", "Amount"], NONE)
