"""CSV files that are safe to open in a spreadsheet: the one home of the formula-injection rule.

A CSV cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel, LibreOffice and Google Sheets as a formula — ``=HYPERLINK("http://…")`` in a customer id
becomes a live link, ``=cmd|…`` a DDE call. Customer tables come from outside (uploads, CRM
exports), so every CSV the product writes passes through :func:`csv_bytes` here, which follows
OWASP's guidance ("CSV Injection"): such a cell gets a leading single quote, which spreadsheets
show as text, and the field is always quoted.

What is left alone, so ordinary data round-trips byte for byte:

* numeric columns (``-1.25`` in a float column is a number, written by pandas as before);
* text cells that are a plain number literal (``-2``, ``+3``, ``-1.5e3``): a spreadsheet reads them
  as the number they are, never as a formula — an uploaded ``Age`` column of ``-2`` stays ``-2``;
* everything else (the Mall Customers tables contain no cell the rule changes, so their CSV bytes
  are the same as before this module existed).

The quote is part of the written text: a program that reads such a file back sees ``'=…``.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Hashable
from typing import Any

import pandas as pd

#: First characters that make a spreadsheet evaluate a cell (OWASP, CSV Injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"
#: A plain decimal number: safe even though it may start with + or -.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def is_formula(text: str) -> bool:
    """True when a spreadsheet would evaluate ``text`` (and it is not a plain number)."""
    return text.startswith(FORMULA_PREFIXES) and _NUMBER.fullmatch(text) is None


def neutralise(text: str) -> str:
    """``text`` as a spreadsheet shows it verbatim: a leading single quote when it is a formula."""
    return ESCAPE + text if is_formula(text) else text


def quoted_field(text: str) -> str:
    """One CSV field, always quoted, inner quotes doubled (RFC 4180)."""
    return '"' + text.replace('"', '""') + '"'


def _formula_mask(series: pd.Series) -> pd.Series:
    """Which cells of a text (or mixed object) column are formulas; non-strings never are."""
    first = series.str[:1]
    candidates = first.isin(FORMULA_PREFIXES).fillna(False).astype(bool)
    if not candidates.any():
        return candidates
    numbers = series[candidates].str.fullmatch(_NUMBER.pattern).fillna(False).astype(bool)
    candidates[candidates] = ~numbers.to_numpy()
    return candidates


class _Placeholders:
    """Unique bare tokens standing in for formula cells while pandas writes the CSV.

    pandas cannot quote one cell and not its neighbours, and the bytes of every other cell must stay
    exactly as pandas writes them (float format, missing values). So formula cells are replaced by a
    token that pandas writes unquoted, and each token is then swapped for the escaped, quoted field.
    The random nonce keeps a token from ever matching text that was in the data.
    """

    def __init__(self) -> None:
        self.nonce = secrets.token_hex(8)
        self.fields: list[str] = []

    def __call__(self, text: str) -> str:
        self.fields.append(quoted_field(ESCAPE + text))
        return f"CSVSAFE{self.nonce}N{len(self.fields) - 1}E"

    def restore(self, text: str) -> str:
        if not self.fields:
            return text
        pattern = re.compile(rf"CSVSAFE{self.nonce}N([0-9]+)E")
        return pattern.sub(lambda match: self.fields[int(match[1])], text)


def _safe_column(series: pd.Series, token: _Placeholders) -> pd.Series | None:
    """The column with formula cells replaced by tokens, or None when it needs no change."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        categories = pd.Series(series.cat.categories)
        if not (pd.api.types.is_string_dtype(categories) or pd.api.types.is_object_dtype(categories)):
            return None
        mask = _formula_mask(categories)
        if not mask.any():
            return None
        renamed = [token(c) if m else c for c, m in zip(categories.tolist(), mask.tolist(), strict=True)]
        return series.cat.rename_categories(renamed)
    if not (pd.api.types.is_string_dtype(series.dtype) or pd.api.types.is_object_dtype(series.dtype)):
        return None  # numbers, booleans, dates: never formulas
    mask = _formula_mask(series)
    if not mask.any():
        return None
    safe = series.astype(object).copy()
    safe[mask.to_numpy()] = [token(v) for v in series[mask.to_numpy()]]
    return safe


def csv_text(frame: pd.DataFrame, **to_csv: Any) -> str:
    """``frame.to_csv(index=False, lineterminator="\\n", **to_csv)`` with formula cells neutralised
    (header included)."""
    token = _Placeholders()
    safe = frame
    for position in range(frame.shape[1]):
        column = _safe_column(frame.iloc[:, position], token)
        if column is not None:
            if safe is frame:
                safe = frame.copy(deep=False)
            safe.isetitem(position, column)
    headers: list[Hashable] = [token(c) if isinstance(c, str) and is_formula(c) else c for c in frame.columns]
    if headers != list(frame.columns):
        if safe is frame:
            safe = frame.copy(deep=False)
        safe.columns = pd.Index(headers, dtype=object)
    text: str = safe.to_csv(index=False, lineterminator="\n", **to_csv)
    return token.restore(text)


def csv_bytes(frame: pd.DataFrame, **to_csv: Any) -> bytes:
    """UTF-8 bytes of :func:`csv_text` — what every CSV the product writes goes through."""
    return csv_text(frame, **to_csv).encode("utf-8")
