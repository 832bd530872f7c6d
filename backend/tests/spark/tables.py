"""Synthetic non-Mall customer tables for the Spark parity tests, written to a temp folder.

* :func:`write_wholesale_like`: the public wholesale table's shape (Channel, Region, six skewed annual
  spend columns, no id column) with categorical text spelled several ways, blanks and missing
  markers — the stand-in when ``../shared/data/wholesale_customers.csv`` is absent.
* :func:`write_marketing_like`: a tab-separated marketing table that makes every schema-driven
  cleaning rule fire: an id with gaps and repeats, a categorical feature with respellings, a rare
  level, an apostrophe and a backslash in levels, >20 % blank incomes, a declared range, text in
  numbers, duplicate/blank/too-sparse rows, and describe columns (numeric and text).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

WHOLESALE_FEATURES = ("fresh", "milk", "grocery", "frozen", "detergents_paper", "delicassen")
WHOLESALE_CATEGORICAL = ("channel", "region")


def _spend(rng: np.random.Generator, n: int, scale: float, sigma: float) -> np.ndarray:
    return np.round(rng.lognormal(np.log(scale), sigma, n)).astype(int)


def write_wholesale_like(path: Path, n: int = 440, seed: int = 11) -> Path:
    """Two clear customer groups (hotels/restaurants vs retail) in skewed spend columns."""
    rng = np.random.default_rng(seed)
    retail = rng.random(n) < 0.35
    channel = np.where(retail, "Retail", "Horeca")
    region = rng.choice(["Lisbon", "Oporto", "Other"], n, p=[0.2, 0.1, 0.7])
    columns = {
        "Fresh": _spend(rng, n, 9000, 0.5),
        "Milk": np.where(retail, _spend(rng, n, 12000, 0.3), _spend(rng, n, 2000, 0.4)),
        "Grocery": np.where(retail, _spend(rng, n, 18000, 0.3), _spend(rng, n, 2500, 0.4)),
        "Frozen": _spend(rng, n, 1500, 0.5),
        "Detergents_Paper": np.where(retail, _spend(rng, n, 8000, 0.3), _spend(rng, n, 300, 0.5)),
        "Delicassen": _spend(rng, n, 1000, 0.5),
    }
    rows = [["Channel", "Region", *columns]]
    for i in range(n):
        rows.append([channel[i], region[i], *(str(columns[c][i]) for c in columns)])
    rows[5][0] = " horeca"  # respelled
    rows[6][0] = "RETAIL "
    rows[7][1] = "lisbon"
    rows[8][2] = ""  # blank spend
    rows[9][3] = "NA"
    rows[10][4] = "n/a"
    rows.append(list(rows[12]))  # an exact duplicate: the same customer twice (no id to tell them apart)
    rows.insert(30, [""] * 8)  # a blank row (it still takes a row number)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


MARKETING_HEADER = (
    "ID",
    "Year_Birth",
    "Education",
    "Marital_Status",
    "Income",
    "Recency",
    "MntWines",
    "NumWebPurchases",
)
MARKETING_SCHEMA = """\
id_column = "ID"
describe = ["Year_Birth", "Marital_Status"]

[[features]]
name = "Income"
transform = "log1p"

[[features]]
name = "Recency"
range = [0, 99]

[[features]]
name = "MntWines"
transform = "auto"

[[features]]
name = "NumWebPurchases"

[[features]]
name = "Education"
kind = "categorical"
"""


def write_marketing_like(folder: Path, n: int = 600, seed: int = 5) -> tuple[Path, Path]:
    """The tab-separated table and its TOML schema (ranges, transforms, categorical, describe)."""
    rng = np.random.default_rng(seed)
    big = rng.random(n) < 0.4
    education = rng.choice(["Graduation", "PhD", "Master's", "Basic\\2n"], n, p=[0.5, 0.2, 0.2, 0.1])
    marital = rng.choice(["Married", "Single", "Together", "Divorced"], n)
    income = np.where(big, rng.normal(75000, 9000, n), rng.normal(32000, 7000, n)).round()
    wines = np.where(big, _spend(rng, n, 700, 0.5), _spend(rng, n, 25, 0.9))
    web = np.where(big, rng.poisson(7, n), rng.poisson(2, n))
    recency = rng.integers(0, 100, n)
    birth = rng.integers(1940, 2000, n)
    rows: list[list[str]] = []
    for i in range(n):
        rows.append(
            [
                str(5000 + i),
                str(birth[i]),
                education[i],
                marital[i],
                str(int(income[i])) if rng.random() > 0.24 else "",  # > 20 % imputed: a warning
                str(recency[i]),
                str(wines[i]),
                str(web[i]),
            ]
        )
    rows[3][2] = " graduation"  # respelled to the most frequent spelling
    rows[4][2] = "PHD"
    rows[5][2] = "2n Cycle"  # a rare level (< 1 %): grouped as "other"
    rows[6][2] = "2n Cycle"
    rows[7][2] = "NA"  # imputed with the mode
    rows[8][3] = "single "
    rows[9][3] = "YOLO"
    rows[10][5] = "150"  # outside the declared range 0–99
    rows[11][5] = "-3"
    rows[12][6] = "12k"  # not a number
    rows[13][7] = "inf"
    rows[14][0] = ""  # no id: dropped
    rows[15][0] = rows[16][0]  # a repeated id with other values: the later row is dropped
    rows[17][4:8] = ["", "", "", ""]  # too sparse: 4 of 5 features missing
    rows[18][1] = "?"
    rows.append(list(rows[20]))  # an exact duplicate row
    # A blank row. (Of markers: Spark's CSV reader skips a line holding nothing but tabs, where pandas
    # reads a row of empty fields — a known difference, see engines/README.md.)
    rows.insert(40, ["NA", "", "null", "?", "", "-", "", "n/a"])
    path = folder / "marketing.tsv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, delimiter="\t").writerows([list(MARKETING_HEADER), *rows])
    schema = folder / "marketing.toml"
    schema.write_text(MARKETING_SCHEMA, encoding="utf-8")
    return path, schema


def write_many_levels(path: Path, levels: int = 25, per_level: int = 8) -> Path:
    """A categorical feature with ``levels`` equally common levels (none rare): too many to encode."""
    rng = np.random.default_rng(3)
    n = levels * per_level
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["store", "spend"])
        for i in range(n):
            writer.writerow([f"store {i % levels:02d}", f"{rng.uniform(10, 100):.2f}"])
    return path
