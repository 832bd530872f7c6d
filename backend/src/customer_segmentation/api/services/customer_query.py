"""Filter, sort and page the served training customers — fast enough for a table of 1 M customers.

The served table is already in memory; what makes a page fast is never touching every row in
Python. So each served table gets a :class:`CustomerIndex`, built once (per table object, i.e. per
model reload) and shared by every request:

* the segment ids and each numeric column as numpy arrays: a filter is a vectorised mask (ms);
* the ids as a lower-cased Arrow string array: an id search is one ``starts_with`` or
  ``match_substring`` kernel call (~15 ms at 1 M ids), case-insensitive;
* per sortable column, built on first use and kept: the ascending and descending row orders.
  A sorted page is then a slice of a precomputed order (or, with filters, the order masked).

Indexing a table starts a background thread that builds the rest (every column's orders, the id
array: ≈3 s of one core at 1 M customers). The app indexes the served table at startup and after a
publish (:func:`warm`); a table loaded otherwise (``POST /model/reload``) is indexed on first use.

Sort rules, the same for every column: missing values last in both directions, ties in file order
(what pandas' stable ``sort_values(na_position="last")`` gives). Text sorts by code point; the id
sorts as a number when every id is an integer (``"9"`` before ``"10"``).
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ...schema import CUSTOMER_ID
from .customer_filter import MAX_RANGES, ORDERS, CustomerFilter, CustomerSort, SortOrder
from .errors import InvalidInput
from .model_store import SEGMENT, ModelBundle

#: Rows of a sorted order scanned at a time when filling a filtered page.
SCAN_ROWS = 65_536


@dataclass
class CustomerIndex:
    """Arrays over one served table (see the module docstring); orders are added on first use.

    It refers to its table weakly: the cache of indexes must not keep a replaced model's table alive.
    """

    table: weakref.ref[pd.DataFrame]
    id_column: str
    segments: np.ndarray
    numeric: dict[str, np.ndarray]
    _ids: pa.Array | None = None
    _orders: dict[tuple[str, SortOrder], np.ndarray] = field(default_factory=dict)
    _codes: dict[str, np.ndarray] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def build(cls, frame: pd.DataFrame, id_column: str) -> CustomerIndex:
        numeric = {
            str(c): frame[c].to_numpy(dtype="float64", na_value=np.nan)
            for c in frame.columns
            if pd.api.types.is_numeric_dtype(frame[c].dtype) and not pd.api.types.is_bool_dtype(frame[c].dtype)
        }
        return cls(weakref.ref(frame), id_column, frame[SEGMENT].to_numpy(dtype="int64"), numeric)

    @property
    def frame(self) -> pd.DataFrame:
        frame = self.table()
        if frame is None:  # pragma: no cover - a request holds its bundle, and so the table
            raise RuntimeError("the served table of this index is gone")
        return frame

    def __len__(self) -> int:
        return len(self.segments)

    @property
    def columns(self) -> list[str]:
        """Every column a page can be sorted by (``customer_id`` names the id column)."""
        names = [str(c) for c in self.frame.columns]
        return names if CUSTOMER_ID in names else [CUSTOMER_ID, *names]

    def column_name(self, name: str) -> str:
        return self.id_column if name == CUSTOMER_ID else name

    def ids(self) -> pa.Array:
        with self._lock:
            if self._ids is None:
                text = pa.array(self.frame[self.id_column].astype(str).to_numpy(dtype=object), type=pa.large_string())
                self._ids = pc.utf8_lower(text)
            return self._ids

    def order(self, column: str, order: SortOrder) -> np.ndarray:
        """Row positions sorted by ``column`` (missing last, ties in file order); cached."""
        key = (column, order)
        found = self._orders.get(key)
        if found is not None:
            return found
        codes = self._codes.get(column)
        if codes is None:  # shared by both directions: the factorisation is the costly part
            codes = self._codes[column] = self._sort_codes(column)
        missing = codes < 0
        top = int(codes.max(initial=-1)) + 1
        # Descending = ascending on the reversed codes; missing values get a key past every value.
        keys = np.where(missing, top, codes if order == "asc" else top - 1 - codes)
        result = np.argsort(keys, kind="stable")
        with self._lock:
            self._orders[key] = result
        return result

    def _sort_codes(self, column: str) -> np.ndarray:
        """Dense integer codes in the column's sort order; -1 for a missing value."""
        values = self.frame[column]
        if column == self.id_column:
            as_int = pd.to_numeric(values, errors="coerce")
            if as_int.notna().all() and bool((as_int == np.floor(as_int)).all()):
                values = as_int
        elif column in self.numeric:
            values = pd.Series(self.numeric[column])
        else:
            values = values.astype(object).where(values.notna(), None)
            values = values.map(lambda v: v if v is None else str(v))
        codes, _ = pd.factorize(values, sort=True, use_na_sentinel=True)
        return np.asarray(codes, dtype="int64")


def _mask(index: CustomerIndex, flt: CustomerFilter) -> np.ndarray | None:
    """The rows ``flt`` selects (None: every row)."""
    mask: np.ndarray | None = None

    def both(other: np.ndarray) -> None:
        nonlocal mask
        mask = other if mask is None else mask & other

    if flt.segments:
        # A few comparisons beat np.isin (which sorts) by ~50x on 1 M rows.
        both(np.logical_or.reduce([index.segments == s for s in flt.segments]))
    for bounds in flt.ranges:
        values = index.numeric[index.column_name(bounds.column)]
        with np.errstate(invalid="ignore"):
            inside = ~np.isnan(values)
            if bounds.low is not None:
                inside &= values >= bounds.low
            if bounds.high is not None:
                inside &= values <= bounds.high
        both(inside)
    if flt.search:
        needle = flt.search.strip().lower()
        kernel = pc.starts_with if flt.search_mode == "prefix" else pc.match_substring
        found = kernel(index.ids(), pattern=needle)
        both(found.to_numpy(zero_copy_only=False).astype(bool))
    return mask


def select(index: CustomerIndex, flt: CustomerFilter, sort: CustomerSort | None = None) -> np.ndarray:
    """Positions of the selected rows, in sort order (file order without a sort)."""
    mask = _mask(index, flt)
    if sort is None:
        return np.arange(len(index)) if mask is None else np.flatnonzero(mask)
    order = index.order(index.column_name(sort.column), sort.order)
    return order if mask is None else order[mask[order]]


def select_page(
    index: CustomerIndex, flt: CustomerFilter, sort: CustomerSort | None, start: int, size: int
) -> tuple[int, np.ndarray]:
    """``(matching rows, positions of matches start..start+size)``: what slicing :func:`select` gives,
    without gathering every match of a filtered sort — the sorted order is scanned in slices until
    the page is filled, and the matches are counted with one cheap sum."""
    mask = _mask(index, flt)
    if sort is None:
        if mask is None:
            return len(index), np.arange(start, max(start, min(start + size, len(index))))
        hits = np.flatnonzero(mask)
        return len(hits), hits[start : start + size]
    order = index.order(index.column_name(sort.column), sort.order)
    if mask is None:
        return len(order), order[start : start + size]
    wanted, found, have = start + size, [], 0
    for first in range(0, len(order), SCAN_ROWS):
        if have >= wanted:
            break
        part = order[first : first + SCAN_ROWS]
        found.append(part[mask[part]])
        have += len(found[-1])
    matched = np.concatenate(found) if found else np.empty(0, dtype=order.dtype)
    return int(np.count_nonzero(mask)), matched[start:wanted]


def check_query(index: CustomerIndex, bundle: ModelBundle, flt: CustomerFilter, sort: CustomerSort | None) -> None:
    """422 naming the problem: a segment the model lacks, an unknown or non-numeric column."""
    bad = [s for s in flt.segments if s not in bundle.segment_ids]
    if bad:
        ids = ", ".join(map(str, bundle.segment_ids))
        raise InvalidInput(f"no segment {bad[0]}: this model has segments {ids}", field="segment")
    if len(flt.ranges) > MAX_RANGES:
        raise InvalidInput(f"at most {MAX_RANGES} range filters per request", field="range")
    numeric = sorted(c for c in index.numeric if c != SEGMENT)
    for bounds in flt.ranges:
        if index.column_name(bounds.column) not in index.numeric:
            raise InvalidInput(
                f"range on {bounds.column!r}: not a numeric column of the served customers "
                f"(numeric columns: {', '.join(numeric)})",
                field="range",
            )
    if sort is not None and sort.column not in index.columns:
        raise InvalidInput(
            f"cannot sort by {sort.column!r}: not a column of the served customers "
            f"(columns: {', '.join(index.columns)})",
            field="sort",
        )


_INDEXES: dict[int, CustomerIndex] = {}
_INDEXES_LOCK = threading.Lock()


def customer_index(frame: pd.DataFrame, id_column: str) -> CustomerIndex:
    """The index of ``frame``, built on first use and dropped with the frame (a reload's old table)."""
    key = id(frame)
    with _INDEXES_LOCK:
        found = _INDEXES.get(key)
        if found is not None and found.table() is frame:
            return found
        built = CustomerIndex.build(frame, id_column)
        _INDEXES[key] = built
        weakref.finalize(frame, _INDEXES.pop, key, None)
    threading.Thread(target=_warm, args=(built,), name="customer-index", daemon=True).start()
    return built


def warm(bundle: ModelBundle | None) -> None:
    """Start indexing ``bundle``'s customers in the background (at startup and after a publish), so
    that even the first sorted page is fast."""
    if bundle is not None and bundle.customers is not None:
        customer_index(bundle.customers.frame, bundle.card.data.id_column)


def _warm(index: CustomerIndex) -> None:
    """Build every order and the id array ahead of the requests that would need them."""
    try:
        index.ids()
        for column in index.columns:
            for order in ORDERS:
                index.order(index.column_name(column), order)
    except RuntimeError:  # the table was replaced (a reload) while warming: nothing left to do
        return
