"""The synthetic export: deterministic, exactly the lines asked for, with the quirks of real exports."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from customer_segmentation.transactions.synth import HEADER, iter_blocks, write_transactions


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    a = write_transactions(tmp_path / "a.csv", 3_000, seed=1)
    b = write_transactions(tmp_path / "b.csv", 3_000, seed=1)
    c = write_transactions(tmp_path / "c.csv", 3_000, seed=2)
    assert digest(a) == digest(b) != digest(c)


def test_exact_line_count_across_blocks() -> None:
    sizes = [t.num_rows for t in iter_blocks(1_200_345, seed=4)]
    assert sum(sizes) == 1_200_345 and len(sizes) == 2


def test_public_shape_and_quirks(tmp_path: Path) -> None:
    path = write_transactions(tmp_path / "x.csv", 20_000, seed=9)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert tuple(raw.columns) == HEADER and len(raw) == 20_000
    assert raw["InvoiceDate"].str.fullmatch(r"\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d\d|#VALUE!").all()
    guests = raw["CustomerID"] == ""
    assert 0.15 < guests.mean() < 0.35
    assert raw.loc[~guests, "CustomerID"].str.fullmatch(r"\d+\.0").all()
    cancelled = raw["InvoiceNo"].str.startswith("C")
    assert cancelled.any() and (pd.to_numeric(raw.loc[cancelled, "Quantity"]) < 0).all()
    assert (pd.to_numeric(raw["UnitPrice"]) == 0).any()
    assert raw.duplicated().sum() > 50
    assert (raw["InvoiceDate"] == "#VALUE!").any()


def test_parquet_has_the_same_lines_typed(tmp_path: Path) -> None:
    csv = pd.read_csv(write_transactions(tmp_path / "x.csv", 2_000, seed=3), dtype=str, keep_default_na=False)
    table = pq.read_table(write_transactions(tmp_path / "x.parquet", 2_000, seed=3))
    assert str(table.schema.field("InvoiceDate").type).startswith("timestamp")
    frame = table.to_pandas()
    assert frame["InvoiceNo"].tolist() == csv["InvoiceNo"].tolist()
    assert frame["CustomerID"].isna().sum() == (csv["CustomerID"] == "").sum()
