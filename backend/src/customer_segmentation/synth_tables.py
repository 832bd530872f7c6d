"""Synthetic customer tables of other shapes than the Mall's, for tests and benchmarks.

* :func:`marketing_table` imitates a marketing-campaign export: tab-separated, ``ID``, ``Year_Birth``,
  ``Education`` and ``Marital_Status`` as text (with stray spaces and case variants), ``Income`` with
  blanks, ``Recency``, skewed spend columns (``MntWines``, ``MntMeatProducts`` …) and purchase
  counts — three customer groups with different spend profiles.
* :func:`wide_table` is a large table of 8 skewed numeric and 2 categorical features, chunked, for the
  scale benchmark.

Nothing here reads real data: the shapes are hand-written, so the files can be shared freely.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

_EDUCATION = ("Graduation", "PhD", "Master", "Basic", "2n Cycle")
_MARITAL = ("Married", "Together", "Single", "Divorced", "Widow")


def marketing_table(rows: int = 600, seed: int = 7, blank_income_share: float = 0.05) -> pd.DataFrame:
    """A marketing-campaign-like customer table (see the module docstring), as text-ready values."""
    rng = np.random.default_rng(seed)
    group = rng.choice(3, size=rows, p=[0.45, 0.35, 0.20])
    income_mean = np.array([35_000.0, 62_000.0, 82_000.0])[group]
    income = np.round(rng.normal(income_mean, 6_000)).clip(2_000, None)
    wines = np.round(rng.lognormal(np.array([2.5, 5.5, 6.6])[group], 0.6))
    meat = np.round(rng.lognormal(np.array([2.3, 4.8, 6.2])[group], 0.6))
    web = rng.poisson(np.array([2.0, 6.0, 5.0])[group])
    store = rng.poisson(np.array([3.0, 7.0, 9.0])[group])
    frame = pd.DataFrame(
        {
            "ID": rng.permutation(np.arange(1000, 1000 + rows)),
            "Year_Birth": rng.integers(1940, 2000, size=rows),
            "Education": rng.choice(_EDUCATION, size=rows, p=[0.5, 0.2, 0.15, 0.05, 0.1]),
            "Marital_Status": rng.choice(_MARITAL, size=rows),
            "Income": income.astype("int64").astype(str),
            "Recency": rng.integers(0, 100, size=rows),
            "MntWines": wines.astype("int64"),
            "MntMeatProducts": meat.astype("int64"),
            "NumWebPurchases": web,
            "NumStorePurchases": store,
        }
    )
    blanks = rng.random(rows) < blank_income_share
    frame.loc[blanks, "Income"] = ""
    # Export dirt: stray spaces and case variants of the same level.
    dirty = rng.random(rows) < 0.05
    frame.loc[dirty, "Education"] = " " + frame.loc[dirty, "Education"].str.upper() + " "
    return frame


def write_marketing_csv(path: Path, rows: int = 600, seed: int = 7, blank_income_share: float = 0.05) -> Path:
    """:func:`marketing_table` as a tab-separated file, like the public export."""
    marketing_table(rows, seed, blank_income_share).to_csv(path, sep="\t", index=False)
    return path


WIDE_NUMERIC = ("spend_a", "spend_b", "spend_c", "spend_d", "visits", "tenure_months", "basket", "returns")
WIDE_CATEGORICAL = ("region", "channel")


def _wide_chunk(rows: int, rng: np.random.Generator, start_id: int) -> pa.Table:
    group = rng.choice(4, size=rows, p=[0.4, 0.3, 0.2, 0.1])
    columns: dict[str, object] = {"customer_id": np.arange(start_id, start_id + rows)}
    for j, name in enumerate(WIDE_NUMERIC):
        centre = np.array([2.0, 3.0, 4.0, 5.0])[(group + j) % 4]
        columns[name] = np.round(rng.lognormal(centre, 0.5), 2)
    columns["region"] = np.array(["north", "south", "east", "west"])[(group + rng.integers(0, 2, rows)) % 4]
    columns["channel"] = np.array(["web", "store"])[(group % 2 + (rng.random(rows) < 0.1)) % 2]
    return pa.table(columns)


def write_wide_table(path: Path, rows: int, seed: int = 0, chunk_rows: int = 1_000_000) -> Path:
    """A chunked CSV (or Parquet, by suffix) of :func:`_wide_chunk` rows: 8 numeric + 2 categorical."""
    rng = np.random.default_rng(seed)
    writer: pa_csv.CSVWriter | pq.ParquetWriter | None = None
    try:
        for start in range(0, rows, chunk_rows):
            table = _wide_chunk(min(chunk_rows, rows - start), rng, start + 1)
            if writer is None:
                writer = (
                    pq.ParquetWriter(path, table.schema)
                    if path.suffix == ".parquet"
                    else pa_csv.CSVWriter(path, table.schema)
                )
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()
    return path
