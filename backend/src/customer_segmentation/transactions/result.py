"""What a transactions aggregation returns (whichever engine ran it): the per-customer table and an
account of every line that did not make it, as the data-quality report lists it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

import pandas as pd

from ..errors import DataError
from . import rules


class NettedReturns(NamedTuple):
    """What ``--returns net`` subtracted: cancellation lines, their value, and the customers whose
    returns exceeded their purchases (monetary floored at 0). All zero when returns are ignored."""

    lines: int = 0
    value: float = 0.0
    floored_customers: int = 0


@dataclass
class DerivedCustomers:
    """The per-customer table and an account of every line that did not make it."""

    customers: pd.DataFrame
    exclusions: dict[str, int]
    lines_in: int
    lines_valid: int
    as_of: date
    date_format: str
    columns: dict[str, str]
    returns: str = "ignore"
    returned_lines: int = 0
    returned_value: float = 0.0
    floored_customers: int = 0
    source: str = ""
    timings: dict[str, float] = field(default_factory=dict)

    @classmethod
    def assemble(
        cls,
        engine_rows: pd.DataFrame,
        counts: dict[str, int],
        returns: NettedReturns,
        *,
        as_of: date,
        date_format: str,
        columns: dict[str, str],
        options_returns: str,
        source: str,
        timings: dict[str, float],
    ) -> DerivedCustomers:
        """The result both engines return, from their per-customer rows (see :func:`tidy_customers`)
        and their line counts: ``lines_in`` and each exclusion reason's count (a reason not counted
        is 0). Every line is either valid or excluded for exactly one reason."""
        exclusions = {name: counts.get(name, 0) for name in rules.EXCLUSION_NAMES}
        lines_in = counts["lines_in"]
        return cls(
            customers=tidy_customers(engine_rows),
            exclusions=exclusions,
            lines_in=lines_in,
            lines_valid=lines_in - sum(exclusions.values()),
            as_of=as_of,
            date_format=date_format,
            columns=columns,
            returns=options_returns,
            returned_lines=returns.lines,
            returned_value=returns.value,
            floored_customers=returns.floored_customers,
            source=source,
            timings=timings,
        )

    def to_quality_actions(self) -> list[tuple[str, str | None, int, str]]:
        """(step, column, count, detail) for the data-quality report; reasons with no lines are left out."""
        by_role = self.columns
        out: list[tuple[str, str | None, int, str]] = []
        for rule in rules.EXCLUSIONS:
            count = self.exclusions.get(rule.name, 0)
            if count:
                column = by_role.get(rule.role) if rule.role else None
                out.append((rule.name, column, count, rule.detail))
        if self.returned_lines:
            out.append(
                (
                    "returns_netted",
                    by_role.get("invoice"),
                    self.returned_lines,
                    f"cancellation lines whose value ({self.returned_value:,.2f}) was subtracted from monetary",
                )
            )
        if self.floored_customers:
            out.append(
                (
                    "net_monetary_floored",
                    None,
                    self.floored_customers,
                    "customers whose returns exceed purchases: monetary set to 0",
                )
            )
        return out


def tidy_customers(frame: pd.DataFrame) -> pd.DataFrame:
    """The engine's per-customer rows as the public table: typed columns, average order value added.

    ``monetary`` arrives as exact decimal text and is parsed here, so every engine yields the same floats.
    """
    out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    ids = frame["customer_id"]
    out[rules.CUSTOMER_ID] = ids.astype("Int64") if pd.api.types.is_integer_dtype(ids) else ids.astype("string")
    out[rules.RECENCY] = frame["recency_days"].astype("int64")
    out[rules.FREQUENCY] = frame["frequency"].astype("int64")
    out[rules.MONETARY] = pd.to_numeric(frame["monetary"].astype(str), errors="raise").astype("float64")
    out[rules.TENURE] = frame["tenure_days"].astype("int64")
    out[rules.AVG_ORDER_VALUE] = out[rules.MONETARY] / out[rules.FREQUENCY]
    return out


def nothing_valid(counts: dict[str, int]) -> DataError:
    reasons = ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in counts.items() if v and k in rules.EXCLUSION_NAMES)
    return DataError(f"no valid purchase line is left (excluded: {reasons or 'none'})")
