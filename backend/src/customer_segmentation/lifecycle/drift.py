"""Has the population moved since the parent model was trained? The population stability index.

PSI = Σ (aᵢ − eᵢ) · ln(aᵢ / eᵢ) over bins, where eᵢ is the parent's ("expected") share of bin i and
aᵢ the new data's ("actual"). It is 0 for identical distributions and grows with any shift in
either direction. The credit-scoring reading (Siddiqi 2006; Yurdakul 2018) is used unchanged:
PSI > ``MAJOR`` = 0.25 "major shift", ``MODERATE`` = 0.1 to 0.25 "moderate", below "stable".

Bins:

* numeric features — the parent's deciles (``BINS`` = 10): edges at the parent's 10 %, 20 %, …, 90 %
  quantiles, outer bins open-ended so new values beyond the parent's range are counted. Repeated
  quantiles of a discrete feature (ages are integers) are merged, leaving fewer, heavier bins; both
  runs are cut at the same edges, so identical data always gives PSI 0. Missing values are ignored.
* categorical features — one bin per level seen in either run.
* segment shares — one bin per stable segment id in either run, so a retired or new segment is a
  bin that is empty on one side.

Empty bins: ln(0) is infinite, so shares are floored at ``EPSILON`` = 1e-4 (one customer in ten
thousand). A bin that was empty in the parent and holds a share a of the new data then contributes
about a·ln(a / 1e-4): 1 % of customers → 0.05, 5 % → 0.31 — a new mode holding 5 % of the customers
is a major shift on its own, which is the intent.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

BINS = 10
EPSILON = 1e-4
MODERATE = 0.10
MAJOR = 0.25

DriftFlag = Literal["stable", "moderate", "major shift"]
DriftKind = Literal["numeric", "categorical", "segment"]


def psi_flag(value: float) -> DriftFlag:
    """The reading of a PSI value (> 0.25 major shift, 0.1–0.25 moderate, else stable)."""
    if value > MAJOR:
        return "major shift"
    if value >= MODERATE:
        return "moderate"
    return "stable"


@dataclass(frozen=True)
class Psi:
    """The PSI of one variable with its bins: ``expected`` (parent) and ``actual`` (new) shares."""

    name: str
    kind: DriftKind
    psi: float
    flag: DriftFlag
    bins: tuple[str, ...]
    expected: tuple[float, ...]
    actual: tuple[float, ...]

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "bins": list(self.bins), "expected": list(self.expected), "actual": list(self.actual)}


@dataclass(frozen=True)
class DriftReport:
    """PSI of every feature and of the segment shares, parent run → new run."""

    features: tuple[Psi, ...]
    segments: Psi | None
    parent_rows: int
    new_rows: int
    bins: int
    epsilon: float

    def feature(self, name: str) -> Psi:
        return next(f for f in self.features if f.name == name)

    @property
    def shifted(self) -> tuple[str, ...]:
        """Names of the features flagged "major shift"."""
        return tuple(f.name for f in self.features if f.flag == "major shift")

    def to_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "features": [f.to_dict() for f in self.features],
            "segments": None if self.segments is None else self.segments.to_dict(),
        }


def _psi_value(expected: np.ndarray, actual: np.ndarray, epsilon: float) -> float:
    e = np.maximum(expected, epsilon)
    a = np.maximum(actual, epsilon)
    return float(np.sum((a - e) * np.log(a / e)))


def _shares(counts: np.ndarray) -> np.ndarray:
    total = counts.sum()
    return counts / total if total else np.zeros(len(counts))


def _edge_labels(edges: np.ndarray) -> tuple[str, ...]:
    if len(edges) == 0:
        return ("all",)
    inner = [f"{lo:.4g} – {hi:.4g}" for lo, hi in itertools.pairwise(edges)]
    return (f"< {edges[0]:.4g}", *inner, f"≥ {edges[-1]:.4g}")


def _result(name: str, kind: DriftKind, labels: Sequence[str], e: np.ndarray, a: np.ndarray, eps: float) -> Psi:
    value = _psi_value(e, a, eps)
    return Psi(name, kind, value, psi_flag(value), tuple(labels), tuple(map(float, e)), tuple(map(float, a)))


def numeric_psi(
    expected: Sequence[float] | np.ndarray | pd.Series,
    actual: Sequence[float] | np.ndarray | pd.Series,
    *,
    name: str = "",
    bins: int = BINS,
    epsilon: float = EPSILON,
) -> Psi:
    """PSI of a numeric variable on the parent's quantile bins.

    Parameters
    ----------
    expected : array-like of shape (n_parent,)
        The parent's training values (they define the bins).
    actual : array-like of shape (n_new,)
        The new values.

    Returns
    -------
    Psi
        With the bin labels ("< q10", "q10 – q20", …, "≥ q90") and both runs' shares.
    """
    e = pd.to_numeric(pd.Series(np.asarray(expected)), errors="raise").dropna().to_numpy(dtype=float)
    a = pd.to_numeric(pd.Series(np.asarray(actual)), errors="raise").dropna().to_numpy(dtype=float)
    if len(e) == 0 or len(a) == 0:
        raise ValueError(f"{name or 'feature'}: PSI needs values in both runs")
    edges = np.unique(np.quantile(e, np.arange(1, bins) / bins))
    count = len(edges) + 1
    e_counts = np.bincount(np.searchsorted(edges, e, side="right"), minlength=count)
    a_counts = np.bincount(np.searchsorted(edges, a, side="right"), minlength=count)
    return _result(name, "numeric", _edge_labels(edges), _shares(e_counts), _shares(a_counts), epsilon)


def categorical_psi(
    expected: Sequence[Any] | np.ndarray | pd.Series,
    actual: Sequence[Any] | np.ndarray | pd.Series,
    *,
    name: str = "",
    kind: DriftKind = "categorical",
    epsilon: float = EPSILON,
) -> Psi:
    """PSI of a categorical variable (or of segment ids), one bin per level seen in either run.

    Parameters
    ----------
    expected : array-like of shape (n_parent,)
    actual : array-like of shape (n_new,)

    Returns
    -------
    Psi
        Bins are the levels (as text, sorted).
    """
    e_shares, a_shares = _level_shares(expected), _level_shares(actual)
    if e_shares.empty or a_shares.empty:
        raise ValueError(f"{name or 'feature'}: PSI needs values in both runs")
    levels = sorted(set(e_shares.index) | set(a_shares.index), key=lambda v: (str(type(v)), v))
    e = e_shares.reindex(levels, fill_value=0.0).to_numpy(dtype=float)
    a = a_shares.reindex(levels, fill_value=0.0).to_numpy(dtype=float)
    return _result(name, kind, [str(v) for v in levels], e, a, epsilon)


def _level_shares(values: Sequence[Any] | np.ndarray | pd.Series) -> pd.Series:
    """Share of each level among the present values, in one hashing pass (a Series keeps its own
    dtype: an Arrow string column is counted without a copy to Python objects)."""
    series = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values))
    return series.value_counts(normalize=True, dropna=True)


def drift_report(
    parent: pd.DataFrame,
    new: pd.DataFrame,
    features: Sequence[str],
    *,
    parent_segments: Sequence[int] | pd.Series | None = None,
    new_segments: Sequence[int] | pd.Series | None = None,
) -> DriftReport:
    """PSI of every feature between the parent's training data and the new data, and of segment shares.

    Parameters
    ----------
    parent, new : DataFrame
        Cleaned data in original units (before scaling); both must hold ``features``.
    features : sequence of str
        Model features. A feature numeric in the parent is binned by its deciles; any other by level.
    parent_segments, new_segments : array-like of int, optional
        Stable segment id of each row of each run (from the matching), for the share PSI.

    Returns
    -------
    DriftReport
    """
    missing = [f for f in features if f not in parent.columns or f not in new.columns]
    if missing:
        raise ValueError(f"features missing from a run: {missing}")
    results = []
    for feature in features:
        numeric = pd.api.types.is_numeric_dtype(parent[feature]) and not pd.api.types.is_bool_dtype(parent[feature])
        if numeric:
            results.append(numeric_psi(parent[feature], new[feature], name=feature))
        else:
            results.append(categorical_psi(parent[feature], new[feature], name=feature))
    segments = None
    if parent_segments is not None and new_segments is not None:
        segments = categorical_psi(parent_segments, new_segments, name="segment", kind="segment")
    return DriftReport(tuple(results), segments, len(parent), len(new), BINS, EPSILON)
