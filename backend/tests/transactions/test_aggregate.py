"""derive_customers against an independent pandas computation of the same definitions."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from customer_segmentation.transactions import TransactionOptions, derive_customers
from customer_segmentation.transactions.rules import EXCLUSION_NAMES, OUTPUT_COLUMNS
from customer_segmentation.transactions.synth import BAD_DATE, write_transactions

from .reference import read_text, reference

US = "%m/%d/%Y %H:%M"


def assert_same(actual: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert list(actual.columns) == list(OUTPUT_COLUMNS)
    assert len(actual) == len(expected) > 0
    assert actual["customer_id"].astype(str).tolist() == expected["customer_id"].astype(str).tolist()
    for column in ("recency_days", "frequency", "tenure_days"):
        assert actual[column].tolist() == expected[column].astype("int64").tolist(), column
    for column in ("monetary", "avg_order_value"):
        np.testing.assert_allclose(
            actual[column].to_numpy(), expected[column].to_numpy(float), rtol=1e-9, err_msg=column
        )


def test_public_shape_matches_independent_computation(retail_csv: Path) -> None:
    raw = read_text([retail_csv])
    # The fixture really has the quirks the definitions are about.
    assert (raw["CustomerID"] == "").any() and raw["InvoiceNo"].str.startswith("C").any()
    assert (pd.to_numeric(raw["UnitPrice"]) == 0).any() and raw.duplicated().any()
    assert (raw["InvoiceDate"] == BAD_DATE).any() and raw["CustomerID"].str.endswith(".0").any()

    derived = derive_customers(retail_csv)
    expected = reference(raw, US)

    assert_same(derived.customers, expected.customers)
    assert derived.exclusions == expected.exclusions
    assert all(derived.exclusions[name] > 0 for name in EXCLUSION_NAMES if name != "future_date")
    assert derived.lines_in == len(raw)
    assert derived.lines_valid + sum(derived.exclusions.values()) == len(raw)
    assert derived.as_of == expected.as_of
    assert derived.date_format == US
    assert derived.columns == {
        "customer": "CustomerID",
        "date": "InvoiceDate",
        "invoice": "InvoiceNo",
        "quantity": "Quantity",
        "price": "UnitPrice",
    }
    assert pd.api.types.is_integer_dtype(derived.customers["customer_id"])  # "17850.0" → 17850
    assert (derived.customers["recency_days"] >= 1).all()  # default as-of: the day after the last purchase


def test_parquet_input_gives_the_same_customers(retail_csv: Path, retail_parquet: Path) -> None:
    from_csv = derive_customers(retail_csv)
    from_parquet = derive_customers(retail_parquet)
    pd.testing.assert_frame_equal(from_parquet.customers, from_csv.customers)
    assert from_parquet.exclusions == from_csv.exclusions
    assert from_parquet.date_format == "native timestamp"


def test_folder_of_files_is_one_table(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    parts = [write_transactions(folder / f"2011-{i:02d}.csv", 1_500, seed=20 + i) for i in range(3)]
    (folder / "_SUCCESS").write_text("")
    derived = derive_customers(folder)
    expected = reference(read_text(parts), US)
    assert_same(derived.customers, expected.customers)
    assert derived.exclusions == expected.exclusions
    assert derived.lines_in == 4_500


def test_folder_of_parquet_files(tmp_path: Path) -> None:
    folder = tmp_path / "lake"
    for i in range(2):
        write_transactions(folder / f"part-{i}.parquet", 1_000, seed=40 + i)
        write_transactions(tmp_path / f"part-{i}.csv", 1_000, seed=40 + i)
    from_parquet = derive_customers(folder)
    expected = reference(read_text([tmp_path / "part-0.csv", tmp_path / "part-1.csv"]), US)
    assert_same(from_parquet.customers, expected.customers)


def test_returns_net_subtracts_returned_value(retail_csv: Path) -> None:
    raw = read_text([retail_csv])
    ignored = derive_customers(retail_csv)
    net = derive_customers(retail_csv, TransactionOptions(returns="net"))
    expected = reference(raw, US, returns="net")
    assert_same(net.customers, expected.customers)
    assert net.exclusions == ignored.exclusions  # returns change money, not which lines are purchases
    assert (net.customers["monetary"] <= ignored.customers["monetary"] + 1e-9).all()
    assert (net.customers["monetary"] < ignored.customers["monetary"] - 1e-9).any()
    assert net.returned_lines > 0 and net.returned_value > 0
    steps = [action[0] for action in net.to_quality_actions()]
    assert "returns_netted" in steps


def test_returns_above_purchases_floor_monetary_at_zero(tmp_path: Path) -> None:
    path = tmp_path / "returns.csv"
    path.write_text(
        "InvoiceNo,InvoiceDate,CustomerID,Quantity,UnitPrice\n"
        "1,1/15/2011 10:00,7,2,5.00\n"  # 10.00 bought
        "C2,1/16/2011 10:00,7,-10,5.00\n"  # 50.00 returned (bought before the export)
        "3,1/17/2011 10:00,8,1,4.50\n"
        "C4,1/18/2011 10:00,8,-1,1.50\n"
    )
    net = derive_customers(path, TransactionOptions(returns="net"))
    assert net.customers["monetary"].tolist() == [0.0, 3.0]
    assert net.floored_customers == 1
    assert ("net_monetary_floored", None, 1) in [a[:3] for a in net.to_quality_actions()]


def test_explicit_as_of_counts_future_lines(retail_csv: Path) -> None:
    as_of = date(2011, 6, 30)
    derived = derive_customers(retail_csv, TransactionOptions(as_of=as_of))
    expected = reference(read_text([retail_csv]), US, as_of=as_of)
    assert derived.exclusions["future_date"] == expected.exclusions["future_date"] > 0
    assert derived.as_of == as_of
    assert_same(derived.customers, expected.customers)
    assert derived.customers["recency_days"].min() >= 0


def test_iso_dates_are_detected(tmp_path: Path) -> None:
    path = write_transactions(tmp_path / "iso.csv", 2_000, seed=5, date_style="iso")
    derived = derive_customers(path)
    assert derived.date_format == "%Y-%m-%d %H:%M:%S"
    assert_same(derived.customers, reference(read_text([path]), "%Y-%m-%d %H:%M:%S").customers)
