"""What a customers query asks for: which customers (:class:`CustomerFilter`) in which order
(:class:`CustomerSort`), and the ``range`` parameter's syntax (``COLUMN:LOW:HIGH``)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from .errors import InvalidInput

SearchMode = Literal["prefix", "contains"]
SortOrder = Literal["asc", "desc"]
ORDERS: tuple[SortOrder, ...] = ("asc", "desc")
#: Most ``range`` filters in one request.
MAX_RANGES = 20


@dataclass(frozen=True)
class NumericRange:
    """Inclusive bounds on one numeric column; None is an open end. Missing values never match."""

    column: str
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class CustomerFilter:
    """Which customers: all conditions must hold (an empty filter selects everyone)."""

    segments: tuple[int, ...] = ()
    search: str | None = None
    search_mode: SearchMode = "contains"
    ranges: tuple[NumericRange, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.segments or self.search or self.ranges)


@dataclass(frozen=True)
class CustomerSort:
    column: str
    order: SortOrder = "asc"


def parse_range(text: str) -> NumericRange:
    """``"age:30:40"``, ``"age:30:"`` (at least 30) or ``"age::40"`` → a range (422 otherwise)."""
    parts = text.strip().split(":")
    if len(parts) != 3 or not parts[0].strip():
        raise InvalidInput(
            f"range {text!r}: expected COLUMN:LOW:HIGH (e.g. age:30:40; leave a bound empty for an open end)",
            field="range",
        )
    column, low, high = parts[0].strip(), _bound(parts[1], text), _bound(parts[2], text)
    if low is None and high is None:
        raise InvalidInput(f"range {text!r}: give at least one bound", field="range")
    if low is not None and high is not None and low > high:
        raise InvalidInput(f"range {text!r}: the low bound {low:g} is above the high bound {high:g}", field="range")
    return NumericRange(column, low, high)


def _bound(text: str, whole: str) -> float | None:
    if not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        raise InvalidInput(f"range {whole!r}: {text.strip()!r} is not a number", field="range") from None
    if not math.isfinite(value):
        raise InvalidInput(f"range {whole!r}: bounds must be finite numbers", field="range")
    return value
