"""Reading what users have: other headers and dialects, and one clear line for what cannot be used."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from customer_segmentation.errors import ConfigError, DataError
from customer_segmentation.transactions import TransactionOptions, check_transactions, derive_customers

from .reference import reference


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


AMBIGUOUS = "Invoice,InvoiceDate,Customer ID,Quantity,Price\n1,01/02/2011 10:00,5,1,2.5\n2,03/04/2011 11:00,6,2,1.0\n"


def test_ambiguous_dates_ask_for_date_format(tmp_path: Path) -> None:
    path = write(tmp_path / "ambiguous.csv", AMBIGUOUS)
    with pytest.raises(DataError, match=r"--date-format") as raised:
        derive_customers(path)
    assert "\n" not in str(raised.value)
    # The cheap check cannot prove it from a sample (the rest of a file may settle it): no error, no format.
    assert check_transactions(path).date_format is None


@pytest.mark.parametrize(
    ("fmt", "as_of"), [("dmy", "2011-04-04"), ("%d/%m/%Y %H:%M", "2011-04-04"), ("mdy", "2011-03-05")]
)
def test_explicit_date_format_settles_ambiguity(tmp_path: Path, fmt: str, as_of: str) -> None:
    derived = derive_customers(write(tmp_path / "a.csv", AMBIGUOUS), TransactionOptions(date_format=fmt))
    assert str(derived.as_of) == as_of


def test_day_first_dates_are_detected_from_the_values(tmp_path: Path) -> None:
    text = "Invoice,Date,Client,Sales\n1,01/02/2011,5,1.5\n2,13/04/2011,6,2\n3,25/12/2011,5,3\n"
    derived = derive_customers(write(tmp_path / "dmy.csv", text))
    assert derived.date_format == "%d/%m/%Y"
    assert str(derived.as_of) == "2011-12-26"
    assert derived.columns == {"customer": "Client", "date": "Date", "invoice": "Invoice", "amount": "Sales"}


def test_mixed_day_and_month_first_is_refused(tmp_path: Path) -> None:
    text = "Invoice,Date,Client,Sales\n1,01/13/2011,5,1.5\n2,13/04/2011,6,2\n"
    with pytest.raises(DataError, match=r"month-first and day-first.*--date-format"):
        derive_customers(write(tmp_path / "mixed.csv", text))
    with pytest.raises(DataError, match=r"--date-format"):
        check_transactions(tmp_path / "mixed.csv")


def test_no_date_in_a_known_format(tmp_path: Path) -> None:
    text = "Invoice,Date,Client,Sales\n1,yesterday,5,1.5\n"
    with pytest.raises(DataError, match=r"'Date'.*'yesterday'.*--date-format"):
        check_transactions(write(tmp_path / "words.csv", text))


def test_missing_customer_column_names_the_columns_seen(tmp_path: Path) -> None:
    text = "InvoiceNo,StockCode,InvoiceDate,Quantity,UnitPrice,Shopper Ref\n1,A,2011-01-02,1,2.5,9\n"
    path = write(tmp_path / "nocustomer.csv", text)
    for call in (check_transactions, derive_customers):
        with pytest.raises(DataError) as raised:
            call(path)
        message = str(raised.value)
        assert "no customer column" in message and "--customer-col" in message
        assert all(name in message for name in ("InvoiceNo", "StockCode", "Shopper Ref"))
    derived = derive_customers(path, TransactionOptions(customer_col="shopper ref"))
    assert derived.columns["customer"] == "Shopper Ref"
    assert derived.customers["customer_id"].tolist() == [9]


def test_two_candidate_columns_are_refused(tmp_path: Path) -> None:
    text = "Invoice,InvoiceNo,InvoiceDate,CustomerID,Quantity,UnitPrice\n1,1,2011-01-02,5,1,2.5\n"
    path = write(tmp_path / "two.csv", text)
    with pytest.raises(DataError, match=r"'Invoice', 'InvoiceNo'.*--invoice-col"):
        derive_customers(path)
    assert derive_customers(path, TransactionOptions(invoice_col="InvoiceNo")).columns["invoice"] == "InvoiceNo"


def test_named_column_that_does_not_exist(tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", "InvoiceNo,InvoiceDate,CustomerID,Amount\n1,2011-01-02,5,2.5\n")
    with pytest.raises(DataError, match=r"--date-col 'When' is not a column"):
        derive_customers(path, TransactionOptions(date_col="When"))
    with pytest.raises(ConfigError, match=r"either --amount-col or --quantity-col"):
        derive_customers(path, TransactionOptions(amount_col="Amount", quantity_col="Amount"))


def test_money_columns_missing(tmp_path: Path) -> None:
    path = write(tmp_path / "nomoney.csv", "InvoiceNo,InvoiceDate,CustomerID,Quantity\n1,2011-01-02,5,2\n")
    with pytest.raises(DataError, match=r"no price column.*--price-col or --amount-col"):
        derive_customers(path)


def test_decimal_comma_is_refused_before_the_work(tmp_path: Path) -> None:
    path = write(tmp_path / "eu.csv", "Invoice;Date;Customer;Amount\n1;2011-01-02;5;2,50\n2;2011-01-03;5;1,25\n")
    with pytest.raises(DataError, match=r"'Amount' is a number.*'1,25'|'Amount' is a number.*'2,50'"):
        check_transactions(path)


def test_semicolon_latin1_export_with_text_ids(tmp_path: Path) -> None:
    text = (
        "Bestellnummer;Datum;Kundennummer;Menge;Preis\n"
        "A1;02.01.2011 10:00;Müller;2;2.5\n"
        "A2;15.01.2011 12:30;Müller;1;4\n"
        "A3;15.01.2011 12:31;K-7;3;1\n"
    )
    path = write(tmp_path / "de.csv", text, encoding="latin-1")
    derived = derive_customers(
        path,
        TransactionOptions(
            invoice_col="Bestellnummer",
            customer_col="Kundennummer",
            quantity_col="Menge",
            price_col="Preis",
            date_col="Datum",
        ),
    )
    assert derived.date_format == "%d.%m.%Y %H:%M"
    customers = derived.customers.set_index("customer_id")
    assert list(customers.index) == ["K-7", "Müller"]  # text ids stay text, sorted
    assert customers.loc["Müller", "frequency"] == 2
    assert customers.loc["Müller", "monetary"] == pytest.approx(9.0)
    assert customers.loc["Müller", "recency_days"] == 1


def test_amount_without_invoice_counts_distinct_timestamps(tmp_path: Path) -> None:
    text = (
        "OrderDate,CustomerID,Revenue\n"
        "2011-03-01 10:00:00,17850.0,10\n"
        "2011-03-01 10:00:00,17850.0,5.5\n"  # same timestamp: one order
        "2011-03-04 09:00:00,17850,1\n"  # "17850" and "17850.0" are one customer
        "2011-03-02 09:00:00,12,-3\n"
        "2011-03-02 09:00:00,12,7\n"
    )
    path = write(tmp_path / "amounts.csv", text)
    derived = derive_customers(path)
    expected = reference(
        pd.read_csv(path, dtype=str, keep_default_na=False),
        "%Y-%m-%d %H:%M:%S",
        customer="CustomerID",
        invoice=None,
        date_col="OrderDate",
        quantity=None,
        price=None,
        amount="Revenue",
    )
    assert derived.customers["customer_id"].tolist() == [12, 17850]
    assert derived.customers["frequency"].tolist() == expected.customers["frequency"].tolist() == [1, 2]
    assert derived.customers["monetary"].tolist() == expected.customers["monetary"].tolist() == [7.0, 16.5]
    assert derived.exclusions == expected.exclusions
    assert "invoice" not in derived.columns


def test_folder_with_files_of_different_columns_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "a.csv", "InvoiceNo,InvoiceDate,CustomerID,Amount\n1,2011-01-02,5,2.5\n")
    write(tmp_path / "b.csv", "InvoiceNo,InvoiceDate,Customer,Amount\n1,2011-01-02,5,2.5\n")
    with pytest.raises(DataError, match=r"must share one header"):
        derive_customers(tmp_path)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.csv", None, "input not found"),
        ("empty.csv", b"", "empty"),
        ("binary.csv", b"\x00\x01\x02garbage", "binary"),
        ("header_only.csv", b"InvoiceNo,InvoiceDate,CustomerID,Amount\n", "no values"),
    ],
)
def test_unusable_files_are_one_line_errors(tmp_path: Path, name: str, content: bytes | None, message: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(DataError, match=message) as raised:
        derive_customers(path)
    assert "\n" not in str(raised.value)


def test_nothing_valid_left_is_an_error(tmp_path: Path) -> None:
    path = write(
        tmp_path / "guests.csv", "InvoiceNo,InvoiceDate,CustomerID,Amount\n1,2011-01-02,,2.5\n2,2011-01-03,,1\n"
    )
    with pytest.raises(DataError, match=r"no valid purchase line.*guest line 2"):
        derive_customers(path)
