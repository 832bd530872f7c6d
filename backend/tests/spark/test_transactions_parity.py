"""The Spark transactions aggregation gives exactly the DuckDB engine's per-customer features and
exclusion counts on the same files (same rules from ``transactions.rules``, run in Spark SQL)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from customer_segmentation.errors import DataError
from customer_segmentation.transactions import DerivedCustomers, TransactionOptions, derive_customers
from customer_segmentation.transactions.synth import write_transactions

from .marks import SPARK

pytestmark = SPARK

EDGES = (
    "InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice,CustomerID\n"
    "536365,85123A,6,12/1/2010 8:26,2.55,17850.0\n"
    "536365,85123A,6,12/1/2010 8:26,2.55,17850.0\n"  # exact duplicate
    "536366,22633,6,12/13/2010 8:28,1.855,17850\n"  # same customer spelled as an integer
    "CA-2016-1,22632,6,12/14/2010 9:00,1.85,13047\n"  # not a cancellation
    "C536379,D,-2,12/15/2010 9:41,27.50,13047\n"  # a return
    "536367,84879,32,12/1/2010 8:34,1.69,\n"  # guest
    "536368,22745,6,12/1/2010 8:34,2.10,NA\n"  # guest (marker)
    "536370,22727,12,12/1/2010 8:45,0,12583\n"  # zero price
    "536372,22725,abc,12/1/2010 8:45,3.75,12583\n"  # not a number
    "536373,22724,1_000,12/1/2010 8:45,3.75,12583\n"  # not a number either
    "536375,22721,4,#VALUE!,3.75,12583\n"  # unparseable date
    "536376,22720,4,12/20/2010 10:00,3.75, 12583 \n"
    "536377,22719,4, 12/21/2010 10:00 ,1.2345678,12583\n"  # price rounded to 6 places by both
)


def both(
    spark: Any, path: Path, options: TransactionOptions | None = None
) -> tuple[DerivedCustomers, DerivedCustomers]:
    from customer_segmentation.engines.spark.transactions import derive_customers_spark

    return derive_customers(path, options), derive_customers_spark(spark, path, options)


def assert_identical(duck: DerivedCustomers, spark: DerivedCustomers) -> None:
    pd.testing.assert_frame_equal(spark.customers, duck.customers, check_exact=True)
    assert spark.exclusions == duck.exclusions
    assert (spark.lines_in, spark.lines_valid, spark.as_of) == (duck.lines_in, duck.lines_valid, duck.as_of)
    assert spark.date_format == duck.date_format
    assert spark.columns == duck.columns
    assert spark.to_quality_actions() == duck.to_quality_actions()


@pytest.fixture(scope="module")
def retail(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_transactions(tmp_path_factory.mktemp("spark-rfm") / "retail.csv", 8_000, seed=17)


def test_same_features_on_the_public_shape(spark: Any, retail: Path) -> None:
    duck, on_spark = both(spark, retail)
    assert len(duck.customers) > 20 and all(duck.exclusions[r] > 0 for r in ("duplicate_line", "guest_line"))
    assert_identical(duck, on_spark)


def test_same_features_with_returns_net_and_as_of(spark: Any, retail: Path) -> None:
    options = TransactionOptions(returns="net", as_of=date(2011, 9, 30))
    duck, on_spark = both(spark, retail, options)
    assert duck.exclusions["future_date"] > 0 and duck.returned_lines > 0
    assert_identical(duck, on_spark)
    assert (on_spark.returned_lines, on_spark.floored_customers) == (duck.returned_lines, duck.floored_customers)
    assert on_spark.returned_value == pytest.approx(duck.returned_value, rel=1e-12)


def test_same_features_on_edge_lines(spark: Any, tmp_path: Path) -> None:
    path = tmp_path / "edges.csv"
    path.write_text(EDGES)
    duck, on_spark = both(spark, path, TransactionOptions(returns="net"))
    assert duck.exclusions == {
        "duplicate_line": 1,
        "guest_line": 2,
        "cancellation": 1,
        "non_positive_value": 3,
        "unparseable_date": 1,
        "future_date": 0,
    }
    assert_identical(duck, on_spark)


def test_same_features_from_parquet_and_a_folder(spark: Any, tmp_path: Path) -> None:
    folder = tmp_path / "lake"
    for i in range(2):
        write_transactions(folder / f"part-{i}.parquet", 2_000, seed=30 + i)
    assert_identical(*both(spark, folder))


def test_iso_dates_without_invoice_column(spark: Any, tmp_path: Path) -> None:
    path = write_transactions(tmp_path / "iso.csv", 3_000, seed=8, date_style="iso")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False).drop(columns=["InvoiceNo"])
    frame.to_csv(path, index=False)
    duck, on_spark = both(spark, path)
    assert "invoice" not in duck.columns
    assert_identical(duck, on_spark)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "Invoice,InvoiceDate,Customer ID,Quantity,Price\n1,01/02/2011 10:00,5,1,2.5\n2,03/04/2011 9:00,6,2,1\n",
            "--date-format",
        ),
        ("Invoice;Date;Customer;Amount\n1;2011-01-02;5;2,50\n2;2011-01-03;5;1,25\n", "decimal mark"),
        ("InvoiceNo,InvoiceDate,Shopper,Amount\n1,2011-01-02,5,2.5\n", "no customer column"),
        ("InvoiceNo,InvoiceDate,CustomerID,Amount\n1,2011-01-02,,2.5\n", "no valid purchase line"),
    ],
)
def test_same_refusals(spark: Any, tmp_path: Path, content: str, message: str) -> None:
    from customer_segmentation.engines.spark.transactions import derive_customers_spark

    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(DataError) as duck:
        derive_customers(path)
    with pytest.raises(DataError) as on_spark:
        derive_customers_spark(spark, path)
    assert str(on_spark.value) == str(duck.value)
    assert message in str(duck.value)
