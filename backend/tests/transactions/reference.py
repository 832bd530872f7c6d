"""An independent pandas computation of the transactions definitions, for the tests to compare with.

Written straight from the definitions (not from the engine's SQL): read every value as text, drop
exact duplicate lines, attribute each remaining line to the first rule it fails, then aggregate the
valid lines per customer. Small files only — it holds everything in memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

MISSING = {"", "na", "n/a", "null", "none", "nan", "?", "-", "--", "#n/a", "missing"}


@dataclass
class Reference:
    customers: pd.DataFrame
    exclusions: dict[str, int]
    as_of: date


def read_text(paths: list[Path]) -> pd.DataFrame:
    frames = []
    for path in paths:
        if path.suffix == ".parquet":
            frames.append(pd.read_parquet(path).astype("string").fillna(""))
        else:
            frames.append(pd.read_csv(path, dtype=str, keep_default_na=False))
    return pd.concat(frames, ignore_index=True)


def reference(
    raw: pd.DataFrame,
    date_format: str,
    *,
    as_of: date | None = None,
    returns: str = "ignore",
    customer: str = "CustomerID",
    invoice: str | None = "InvoiceNo",
    date_col: str = "InvoiceDate",
    quantity: str | None = "Quantity",
    price: str | None = "UnitPrice",
    amount: str | None = None,
) -> Reference:
    duplicate = raw.duplicated(keep="first").to_numpy()
    lines = raw.loc[~duplicate].reset_index(drop=True)
    cust = lines[customer].str.strip()
    guest = cust.str.lower().isin(MISSING).to_numpy()
    inv = lines[invoice].str.strip() if invoice else pd.Series("", index=lines.index)
    cancel = ~guest & inv.str.match(r"C[0-9]").to_numpy()
    if amount:
        value = pd.to_numeric(lines[amount].str.strip(), errors="coerce")
        positive = (value > 0).to_numpy()
    else:
        q = pd.to_numeric(lines[quantity].str.strip(), errors="coerce")
        p = pd.to_numeric(lines[price].str.strip(), errors="coerce")
        value = q * p
        positive = ((q > 0) & (p > 0)).to_numpy()
    non_positive = ~guest & ~cancel & ~positive
    when = pd.to_datetime(lines[date_col].str.strip(), format=date_format, errors="coerce")
    candidate = ~guest & ~cancel & positive
    unparseable = candidate & when.isna().to_numpy()
    day = when.dt.normalize()
    if as_of is None:
        as_of = (day[candidate & when.notna().to_numpy()].max() + timedelta(days=1)).date()
    cutoff = pd.Timestamp(as_of)
    future = candidate & when.notna().to_numpy() & (day > cutoff).to_numpy()
    valid = candidate & when.notna().to_numpy() & ~future
    ids = _ids(cust[valid])
    frame = pd.DataFrame(
        {
            "customer_id": ids.to_numpy(),
            "day": day[valid].to_numpy(),
            "when": when[valid].to_numpy(),
            "order": np.where(inv[valid] != "", "i" + inv[valid], "t" + when[valid].astype(str)),
            "value": value[valid].to_numpy(),
        }
    )
    grouped = frame.groupby("customer_id", sort=True)
    out = pd.DataFrame(
        {
            "recency_days": (cutoff - grouped["day"].max()).dt.days,
            "frequency": grouped["order"].nunique(),
            "monetary": grouped["value"].sum(),
            "tenure_days": (cutoff - grouped["day"].min()).dt.days,
        }
    )
    if returns == "net":
        returned = cancel & when.notna().to_numpy() & (day <= cutoff).to_numpy() & value.notna().to_numpy()
        back = pd.DataFrame({"customer_id": _ids(cust[returned], like=ids).to_numpy(), "value": value[returned].abs()})
        netted = back.groupby("customer_id")["value"].sum()
        out["monetary"] = (out["monetary"] - netted.reindex(out.index).fillna(0)).clip(lower=0)
    out["avg_order_value"] = out["monetary"] / out["frequency"]
    out = out.reset_index()
    counts = {
        "duplicate_line": int(duplicate.sum()),
        "guest_line": int(guest.sum()),
        "cancellation": int(cancel.sum()),
        "non_positive_value": int(non_positive.sum()),
        "unparseable_date": int(unparseable.sum()),
        "future_date": int(future.sum()),
    }
    return Reference(out, counts, as_of)


def _ids(text: pd.Series, like: pd.Series | None = None) -> pd.Series:
    """Integers when every id is an integral number (17850.0 → 17850), else the text."""
    numbers = pd.to_numeric(text, errors="coerce")
    integral = numbers.notna() & (numbers % 1 == 0)
    if like is not None and not pd.api.types.is_integer_dtype(like):
        return text
    if like is not None or bool(integral.all()):
        return numbers.where(integral).astype("Int64")
    return text
