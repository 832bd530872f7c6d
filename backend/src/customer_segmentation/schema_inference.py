"""``--infer-schema``: read a table and write a draft feature schema (TOML) a user can review and run.

Each column is classified from its values, and the reason is written beside it as a comment:

* an id candidate — a column named like an id (``ID``, ``CustomerID``) whose values are unique;
* a numeric feature — every present value is a number; the suggested transform is ``log1p`` for a
  non-negative column with skewness above 1 (what ``auto`` would decide), else ``none``;
* a categorical feature — text with 2..20 levels, or whole numbers with at most
  :data:`CODE_MAX_LEVELS` distinct values (``Channel``, ``Region``: codes, not quantities);
* a describe column — a year (``Year_Birth``): shown in profiles, not clustered;
* left out, with the reason — constant, mostly missing, dates, free text or too many levels.

Running ``--schema`` on the unchanged draft works: it is what :mod:`schema_builder` reads.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .data.load import read_all_columns
from .feature_schema import AUTO_SKEW_THRESHOLD, MAX_LEVELS, snake_case
from .schema import MISSING_MARKERS, squash_header
from .schema_builder import ID_HEADERS

CODE_MAX_LEVELS = 10
MOSTLY_MISSING = 0.5


@dataclass(frozen=True)
class ColumnGuess:
    header: str
    name: str
    role: str  # "id", "numeric", "categorical", "describe", "left_out"
    note: str
    transform: str = "none"


def _present(column: pd.Series) -> pd.Series:
    text = column.astype("string").str.strip()
    return text[~text.str.lower().isin(MISSING_MARKERS) & text.notna()]


def _looks_like_dates(text: pd.Series) -> bool:
    sample = text.head(200)
    if sample.empty or pd.to_numeric(sample, errors="coerce").notna().all():
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = pd.to_datetime(sample, errors="coerce", format="mixed")
    return bool(parsed.notna().mean() >= 0.9)


def guess_column(header: str, column: pd.Series, rows: int) -> ColumnGuess:
    """Classify one column (see the module docstring)."""
    name = snake_case(header)
    text = _present(column)
    if rows == 0 or len(text) / rows < 1 - MOSTLY_MISSING:
        return ColumnGuess(header, name, "left_out", f"{1 - len(text) / max(rows, 1):.0%} missing")
    numbers = pd.to_numeric(text, errors="coerce")
    distinct = text.str.lower().nunique()
    if squash_header(header) in ID_HEADERS and text.is_unique:
        return ColumnGuess(header, name, "id", "unique values, named like an id")
    if distinct <= 1:
        return ColumnGuess(header, name, "left_out", "constant: one value for every customer")
    if numbers.notna().all():
        values = numbers.to_numpy(dtype="float64")
        whole = bool(np.all(values == np.floor(values)))
        if whole and "year" in name and values.min() >= 1900 and values.max() <= 2100:
            return ColumnGuess(header, name, "describe", "a year: shown in profiles (derive an age to cluster on it)")
        if whole and distinct <= CODE_MAX_LEVELS:
            return ColumnGuess(
                header, name, "categorical", f"{distinct} distinct whole numbers: a code, not a quantity"
            )
        skew = float(pd.Series(values).skew()) if len(values) > 2 else 0.0
        if values.min() >= 0 and skew > AUTO_SKEW_THRESHOLD:
            return ColumnGuess(header, name, "numeric", f"non-negative, skewness {skew:.2f}", "log1p")
        return ColumnGuess(header, name, "numeric", f"skewness {skew:.2f}, minimum {values.min():g}")
    if _looks_like_dates(text):
        return ColumnGuess(header, name, "left_out", "dates: derive a number (e.g. days since) to cluster on it")
    if distinct > MAX_LEVELS:
        return ColumnGuess(header, name, "left_out", f"{distinct} distinct texts: too many levels for a categorical")
    return ColumnGuess(header, name, "categorical", f"{distinct} levels")


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def infer_schema_text(path: Path) -> str:
    """The draft schema of the table at ``path``, as TOML text with the reasons as comments."""
    frame = read_all_columns(path)
    rows = len(frame)
    guesses = [guess_column(str(h), frame[h], rows) for h in frame.columns]
    ids = [g for g in guesses if g.role == "id"]
    lines = [
        f"# Draft feature schema for {Path(path).name} ({rows:,} rows, {len(guesses)} columns), "
        "written by --infer-schema.",
        f"# Review it, then run: python backend/src/main.py --data {Path(path).name} --schema <this file>",
        "",
    ]
    if ids:
        lines.append(f"id_column = {_quote(ids[0].header)}  # {ids[0].note}")
        for extra in ids[1:]:
            lines.append(f"# also unique and named like an id: {extra.header!r}")
    else:
        lines.append("# No id column found: customers will be numbered row_id 1..n in file order.")
    describe = [g for g in guesses if g.role == "describe"]
    if describe:
        notes = "; ".join(f"{g.header}: {g.note}" for g in describe)
        lines.append(f"describe = [{', '.join(_quote(g.header) for g in describe)}]  # {notes}")
    features = [g for g in guesses if g.role in ("numeric", "categorical")]
    if not features:
        lines.append("# No column looks usable as a feature: declare [[features]] by hand.")
    for g in features:
        lines += ["", "[[features]]", f"name = {_quote(g.name)}", f"label = {_quote(g.header)}"]
        lines.append(f'kind = "{g.role}"  # {g.note}')
        if g.role == "numeric":
            lines.append(f'transform = "{g.transform}"')
    left_out = [g for g in guesses if g.role == "left_out"] + ids[1:]
    if left_out:
        lines += ["", "# Left out:"]
        lines += [f"#   {g.header}: {g.note if g.role == 'left_out' else 'a second id candidate'}" for g in left_out]
    return "\n".join(lines) + "\n"
