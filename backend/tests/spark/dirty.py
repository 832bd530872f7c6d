"""A dirty copy of the canonical data, written to a temp folder (never into the repository).

Every cleaning rule fires at least once: respelled and unknown genders, missing markers, text and
infinite numbers, out-of-range values, blank rows, missing/duplicate ids, exact duplicate rows,
rows too sparse to impute, and odd whitespace.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

ID, GENDER, AGE, INCOME, SPENDING = "CustomerID", "Gender", "Age", "Annual Income (k$)", "Spending Score (1-100)"


def dirty_frame(canonical_csv: Path) -> pd.DataFrame:
    d = pd.read_csv(canonical_csv, dtype=str, keep_default_na=False)
    edits = {
        (3, GENDER): " m ",
        (4, GENDER): "FEMALE",
        (5, GENDER): "x",
        (6, GENDER): "NA",
        (7, GENDER): "\tMale\u00a0",
        (8, AGE): "?",
        (9, AGE): "abc",
        (10, AGE): "-5",
        (11, AGE): "1d",
        (12, AGE): " 40 ",
        (13, INCOME): "inf",
        (14, INCOME): "1e3",
        (15, INCOME): "-3",
        (16, INCOME): "n/a",
        (17, SPENDING): "150",
        (18, SPENDING): "0",
        (19, SPENDING): "null",
        (22, SPENDING): "55.5",
        (23, ID): "",
        (24, ID): "  ",
    }
    for (row, column), value in edits.items():
        d.loc[row, column] = value
    d.loc[25, [AGE, INCOME]] = ["", "--"]  # 2 of 3 features missing: too sparse
    d.loc[26, [AGE]] = [""]  # 1 of 3 missing: imputed
    extra = pd.concat(
        [
            d.iloc[[30, 31]],  # exact duplicates
            d.iloc[[40]].assign(**{AGE: "61"}),  # repeats an id with other values
            pd.DataFrame([["", "", "", "", ""], [" ", "NA", "?", "", "null"]], columns=d.columns),  # blank rows
        ]
    )
    return pd.concat([d.iloc[:100], extra.iloc[:2], d.iloc[100:], extra.iloc[2:]], ignore_index=True)


def write_dirty_csv(canonical_csv: Path, target: Path) -> Path:
    dirty_frame(canonical_csv).to_csv(target, index=False)
    return target
