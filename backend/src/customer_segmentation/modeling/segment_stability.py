"""Stability for every k and for every segment, and the words the report may use for it.

Two measures, each with a published reading so that "stable" is never an adjective of taste:

* Whole partition, per k — the bootstrap adjusted Rand index of ``stability.bootstrap_stability``
  (refit on a bootstrap sample, compare labels with the reference model). Reading after Steinley
  (2004, *Psychological Methods* 9:386): ARI ≥ 0.90 excellent, ≥ 0.80 good, ≥ 0.65 moderate, below
  poor recovery — here "very stable", "stable", "moderately stable", "unstable". The mean alone
  flatters: a model can average 0.92 while one resample in twenty falls to 0.64, so the worst
  resample is always reported beside it (``describe_ari``).
* Per segment — Hennig's (2007, *Comput. Stat. Data Anal.* 52:258) clusterwise bootstrap Jaccard:
  refit on a bootstrap sample; for each original segment C, restricted to the distinct resampled
  customers, take the best Jaccard |C ∩ D| / |C ∪ D| over the refit's clusters D; average over
  resamples. A segment missing from a resample scores 0 there (as in fpc's ``clusterboot``). Hennig's
  reading: ≥ 0.85 highly stable, 0.75–0.85 stable, 0.6–0.75 a pattern (membership doubtful),
  < 0.6 dissolved. Per resample, Jaccard ≤ 0.5 counts as dissolved and > 0.75 as recovered
  (``clusterboot``'s defaults).

Above ``stability.MAX_ROWS`` rows both run on a fixed-seed sample of that size, so their cost does
not grow with the data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal, Protocol

import numpy as np
from sklearn.cluster import KMeans

from .seeds import child_sequences
from .select_k import small_compute
from .stability import MAX_ROWS, bootstrap_stability

#: Seed streams of this module (see ``seeds.py``).
JACCARD_STREAM = 13
SAMPLE_STREAM = 14

DEFAULT_ARI_RESAMPLES = 20
#: fpc::clusterboot's default number of bootstrap resamples.
DEFAULT_JACCARD_RESAMPLES = 100

#: (lower bound, words), highest first. Hennig (2007) for the clusterwise Jaccard.
JACCARD_READING: tuple[tuple[float, str], ...] = (
    (0.85, "highly stable"),
    (0.75, "stable"),
    (0.60, "a pattern"),
    (float("-inf"), "dissolved"),
)
#: Steinley (2004) for the adjusted Rand index.
ARI_READING: tuple[tuple[float, str], ...] = (
    (0.90, "very stable"),
    (0.80, "stable"),
    (0.65, "moderately stable"),
    (float("-inf"), "unstable"),
)
#: Per-resample Jaccard at or below this: the segment dissolved in that resample (clusterboot).
DISSOLVED_AT = 0.5
#: Per-resample Jaccard above this: the segment was recovered in that resample (clusterboot).
RECOVERED_ABOVE = 0.75


class Clusterer(Protocol):
    def fit_predict(self, x: np.ndarray) -> Any: ...


def stability_words(value: float, measure: Literal["jaccard", "ari"] = "jaccard") -> str:
    """The reading of a stability value: Hennig's for the Jaccard, Steinley's for the ARI."""
    if not np.isfinite(value):
        raise ValueError(f"stability value must be a finite number (got {value})")
    reading = JACCARD_READING if measure == "jaccard" else ARI_READING
    return next(words for bound, words in reading if value >= bound)


def describe_ari(mean_ari: float, min_ari: float, resamples: int) -> str:
    """One sentence on partition stability that never hides the worst resample."""
    mean_words = stability_words(mean_ari, "ari")
    worst_words = stability_words(min_ari, "ari")
    sentence = f"mean ARI {mean_ari:.2f} over {resamples} bootstrap refits ({mean_words} on average)"
    if worst_words == mean_words:
        return f"{sentence}; even the worst refit scored {min_ari:.2f}"
    return f"{sentence}, but the worst refit scored only {min_ari:.2f} ({worst_words})"


@dataclass(frozen=True)
class KStability:
    """Bootstrap ARI of one k: mean, spread (population sd), worst, and their readings."""

    k: int
    mean_ari: float
    std_ari: float
    min_ari: float
    reading: str
    worst_reading: str
    statement: str


@dataclass(frozen=True)
class PerKStability:
    """Stability of every k in the range, on the same bootstrap samples (rows: rows used)."""

    scores: tuple[KStability, ...]
    resamples: int
    rows: int
    n_init: int
    random_state: int

    def score_for(self, k: int) -> KStability:
        return next(s for s in self.scores if s.k == k)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "scores": [asdict(s) for s in self.scores]}


@dataclass(frozen=True)
class SegmentJaccard:
    """One segment's clusterwise bootstrap Jaccard (Hennig 2007)."""

    segment: int
    size: int  # members among the rows used
    mean_jaccard: float
    min_jaccard: float
    dissolved: int  # resamples with Jaccard <= DISSOLVED_AT
    recovered: int  # resamples with Jaccard > RECOVERED_ABOVE
    reading: str


@dataclass(frozen=True)
class ClusterwiseJaccard:
    segments: tuple[SegmentJaccard, ...]
    resamples: int
    rows: int
    random_state: int

    def segment(self, segment: int) -> SegmentJaccard:
        return next(s for s in self.segments if s.segment == segment)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "segments": [asdict(s) for s in self.segments]}


def _fixed_sample(n_rows: int, max_rows: int, random_state: int) -> np.ndarray | None:
    if n_rows <= max_rows:
        return None
    rng = np.random.default_rng(child_sequences(random_state, 1, SAMPLE_STREAM)[0])
    return np.sort(rng.choice(n_rows, max_rows, replace=False))


def per_k_stability(
    x: np.ndarray,
    k_values: Sequence[int],
    *,
    fitted: Mapping[int, KMeans] | None = None,
    resamples: int = DEFAULT_ARI_RESAMPLES,
    n_init: int = 10,
    random_state: int = 42,
) -> PerKStability:
    """Bootstrap ARI stability (``stability.bootstrap_stability``) of every k, not only the chosen one.

    Parameters
    ----------
    x : ndarray of shape (n_rows, n_features)
        The scaled features.
    k_values : sequence of int
        The ks to measure (those with fewer distinct rows than k + 1 are skipped).
    fitted : mapping of k to fitted KMeans, optional
        Reference models (pass ``KSelection.fitted``: no refit). A missing k is fitted here on
        ``x`` (on a fixed sample of ``stability.MAX_ROWS`` rows when larger).
    resamples, n_init, random_state : int
        Bootstrap refits per k, K-Means restarts per refit, seed. Every k sees the same bootstrap
        samples (``bootstrap_stability`` draws them from ``random_state``), so ks are compared on
        equal terms.

    Returns
    -------
    PerKStability
        One ``KStability`` per k (ascending).
    """
    fitted = fitted or {}
    index = _fixed_sample(len(x), MAX_ROWS, random_state)
    reference_rows = x if index is None else x[index]
    distinct = len(np.unique(reference_rows, axis=0))
    scores = []
    rows = min(len(x), MAX_ROWS)
    for k in sorted({int(k) for k in k_values}):
        if k > distinct - 1:
            continue
        reference = fitted.get(k)
        if reference is None:
            with small_compute():
                reference = KMeans(n_clusters=k, n_init=n_init, random_state=random_state).fit(reference_rows)
        result = bootstrap_stability(x, reference, resamples=resamples, n_init=n_init, random_state=random_state)
        rows = result.rows
        scores.append(
            KStability(
                k=k,
                mean_ari=result.mean_ari,
                std_ari=result.std_ari,
                min_ari=result.min_ari,
                reading=stability_words(result.mean_ari, "ari"),
                worst_reading=stability_words(result.min_ari, "ari"),
                statement=describe_ari(result.mean_ari, result.min_ari, resamples),
            )
        )
    return PerKStability(tuple(scores), resamples, rows, n_init, random_state)


def _best_jaccard(members: np.ndarray, refit_labels: np.ndarray) -> np.ndarray:
    """For each original segment (column of ``members``), its best Jaccard against the refit's clusters.

    members : bool (m, k) original membership of the distinct resampled rows; refit_labels : (m,).
    """
    refit = refit_labels[:, None] == np.unique(refit_labels)[None, :]
    overlap = members.T.astype(np.int64) @ refit.astype(np.int64)
    union = members.sum(axis=0)[:, None] + refit.sum(axis=0)[None, :] - overlap
    jaccard = np.divide(overlap, union, out=np.zeros(overlap.shape), where=union > 0)
    return jaccard.max(axis=1)


def clusterwise_jaccard(
    x: np.ndarray,
    labels: np.ndarray,
    model_factory: Callable[[int], Clusterer],
    resamples: int = DEFAULT_JACCARD_RESAMPLES,
    random_state: int = 42,
    *,
    max_rows: int = MAX_ROWS,
) -> ClusterwiseJaccard:
    """Hennig's clusterwise bootstrap Jaccard of every segment of ``labels``.

    Parameters
    ----------
    x : ndarray of shape (n_rows, n_features)
        The scaled features the segmentation was fitted on.
    labels : ndarray of shape (n_rows,)
        The segmentation to assess (any integer ids, e.g. stable segment ids).
    model_factory : callable
        ``model_factory(seed)`` returns an unfitted clusterer with ``fit_predict``, e.g.
        ``lambda seed: KMeans(n_clusters=6, n_init=10, random_state=seed)``.
    resamples : int
        Bootstrap resamples (Hennig's ``clusterboot`` uses 100).
    random_state : int
        Seed for the resamples and the seeds handed to ``model_factory``.
    max_rows : int
        Above this many rows, a fixed-seed sample of this size is assessed.

    Returns
    -------
    ClusterwiseJaccard
        One ``SegmentJaccard`` per segment id (ascending): mean and worst Jaccard, resamples in
        which it dissolved / was recovered, and Hennig's reading of the mean.
    """
    if resamples < 1:
        raise ValueError(f"resamples must be at least 1 (got {resamples})")
    x, labels = np.asarray(x, dtype=float), np.asarray(labels)
    index = _fixed_sample(len(x), max_rows, random_state)
    if index is not None:
        x, labels = x[index], labels[index]
    segments = np.unique(labels)
    members = labels[:, None] == segments[None, :]
    values = np.empty((resamples, len(segments)))
    with small_compute():
        for r, sequence in enumerate(child_sequences(random_state, resamples, JACCARD_STREAM)):
            rng = np.random.default_rng(sequence)
            draw = rng.integers(0, len(x), size=len(x))
            refit = np.asarray(model_factory(int(rng.integers(2**32))).fit_predict(x[draw]))
            distinct, first = np.unique(draw, return_index=True)
            values[r] = _best_jaccard(members[distinct], refit[first])
    return ClusterwiseJaccard(
        segments=tuple(
            SegmentJaccard(
                segment=int(segment),
                size=int(members[:, j].sum()),
                mean_jaccard=float(values[:, j].mean()),
                min_jaccard=float(values[:, j].min()),
                dissolved=int((values[:, j] <= DISSOLVED_AT).sum()),
                recovered=int((values[:, j] > RECOVERED_ABOVE).sum()),
                reading=stability_words(float(values[:, j].mean()), "jaccard"),
            )
            for j, segment in enumerate(segments)
        ),
        resamples=resamples,
        rows=len(x),
        random_state=random_state,
    )
