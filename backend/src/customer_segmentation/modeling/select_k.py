"""Choose the number of segments by the silhouette method, keeping every score as evidence.

For each k in the range K-Means is fitted (``n_init`` restarts, fixed ``random_state``) and scored by
the mean silhouette (higher is better), Calinski–Harabasz (higher), Davies–Bouldin (lower) and
inertia (the elbow). The highest silhouette wins; ties go to the smaller k.

Exact silhouette is O(n²): ≈11 s at 50 k rows, over an hour at 1 M. So the estimator depends on size:

* up to ``exact_max_rows`` rows (the canonical 200-row data always): every k is fitted on ALL rows
  with ``n_init`` restarts and scored by the exact mean silhouette of all rows;
* above it: every k is fitted on ONE fixed-seed random subsample of ``sweep_rows`` rows with
  ``sweep_n_init`` restarts, and scored by the *simplified silhouette* (Hruschka et al.: a = distance
  to the own centroid, b = distance to the nearest other centroid, s = (b − a) / max(a, b)), which is
  O(n·k) instead of O(n²). It is evaluated on ``seeds`` further fixed-seed samples of
  ``silhouette_sample`` rows drawn from all rows; the mean picks k and the standard deviation across
  the seeds is reported as the estimate's spread. Calinski–Harabasz, Davies–Bouldin and inertia are
  those of the subsample. The chosen k is then fitted once on all rows, seeded with the subsample's
  centroids (see ``train.fit_final_kmeans``), and the exact silhouette of that final model is
  measured on a fixed sample (``train.per_cluster_silhouette``) as a check on the estimate.

On 12 synthetic mixtures the simplified silhouette's argmax matched the exact one 12/12 (issue 7),
and ``tests/test_scale_select_k.py`` checks the two paths agree on tables where both can run.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import sklearn
from sklearn.cluster import KMeans
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score
from threadpoolctl import threadpool_limits

from ..errors import ConfigError, DataError
from .seeds import EVALUATION_STREAM, child_sequences

TIE_TOLERANCE = 1e-9


@contextlib.contextmanager
def small_compute() -> Iterator[None]:
    """Settings for the many small computations (fits and silhouettes on ≤ ~20 k rows).

    * One BLAS/OpenMP thread: Lloyd iterations on a small array are microseconds of work between
      OpenMP barriers; with a second thread, and worse on a machine shared with other jobs, the
      threads mostly wait for each other (measured here: a 20 k-row k sweep took 7–9 s on 2 busy
      threads, 0.5 s on one). Results do not depend on the thread count.
    * 64 MB chunks for pairwise distances (scikit-learn's ``working_memory``, default 1 GB): the
      per-row silhouette values are the same, but a 10 k-row silhouette takes 0.5 s instead of 3.6 s
      (no gigabyte of fresh pages to fault in) and peak RSS drops by ~0.8 GB.

    Full-data fits keep every thread.
    """
    with threadpool_limits(limits=1), sklearn.config_context(working_memory=64):
        yield


@dataclass(frozen=True)
class SweepSettings:
    """How the k sweep is run; every field is recorded in the model card."""

    k_min: int = 2
    k_max: int = 10
    pinned_k: int | None = None
    n_init: int = 10
    random_state: int = 42
    exact_max_rows: int = 10_000
    sweep_rows: int = 20_000
    sweep_n_init: int = 3
    silhouette_sample: int = 20_000
    seeds: int = 3


@dataclass
class KScore:
    k: int
    silhouette: float
    silhouette_std: float
    calinski_harabasz: float
    davies_bouldin: float
    inertia: float


@dataclass
class SilhouetteEstimator:
    method: str  # "exact" or "simplified"
    sweep_rows: int
    scored_rows: int
    seeds: int
    description: str
    #: Largest standard deviation of a k's silhouette across the seeds (0 for the exact estimator).
    max_spread: float = 0.0


@dataclass
class KSelection:
    """The evidence for k and the decision taken from it."""

    scores: list[KScore]
    best_k: int
    chosen_k: int
    pinned: bool
    estimator: SilhouetteEstimator
    n_init: int
    random_state: int
    reason: str
    fitted: dict[int, KMeans] = field(default_factory=dict, repr=False)
    sweep_index: np.ndarray | None = field(default=None, repr=False)

    def score_for(self, k: int) -> KScore:
        return next(s for s in self.scores if s.k == k)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("fitted")
        data.pop("sweep_index")
        return data


def k_candidates(settings: SweepSettings, n_rows: int) -> list[int]:
    """The k values to evaluate: the requested range (plus a pinned k), limited by the row count."""
    if settings.k_min < 2:
        raise ConfigError(f"--k-min must be at least 2 (got {settings.k_min})")
    if settings.k_max < settings.k_min:
        raise ConfigError(f"--k-max ({settings.k_max}) must not be below --k-min ({settings.k_min})")
    if settings.pinned_k is not None and settings.pinned_k < 2:
        raise ConfigError(f"--k must be at least 2 (got {settings.pinned_k})")
    wanted = set(range(settings.k_min, settings.k_max + 1))
    if settings.pinned_k is not None:
        wanted.add(settings.pinned_k)
    usable = sorted(k for k in wanted if k <= n_rows - 1)
    if not usable or (settings.pinned_k is not None and settings.pinned_k > n_rows - 1):
        needed = (settings.pinned_k or settings.k_min) + 1
        raise DataError(f"only {n_rows} usable rows after cleaning; at least {needed} are needed")
    return usable


def _sweep_rows(x: np.ndarray, settings: SweepSettings) -> tuple[np.ndarray, np.ndarray | None]:
    if len(x) <= settings.exact_max_rows:
        return x, None
    rng = np.random.default_rng(settings.random_state)
    index = np.sort(rng.choice(len(x), size=min(settings.sweep_rows, len(x)), replace=False))
    return x[index], index


def _evaluation_samples(x: np.ndarray, settings: SweepSettings) -> list[np.ndarray]:
    """``seeds`` fixed-seed samples of all rows on which the simplified silhouette is measured."""
    size = min(settings.silhouette_sample, len(x))
    return [
        x[np.sort(np.random.default_rng(generator).choice(len(x), size, replace=False))]
        for generator in child_sequences(settings.random_state, settings.seeds, EVALUATION_STREAM)
    ]


def simplified_silhouette(x: np.ndarray, centers: np.ndarray) -> float:
    """Mean simplified silhouette of ``x`` assigned to its nearest of ``centers`` — O(n·k).

    a = distance to the nearest centroid, b = distance to the second nearest, s = (b − a) / max(a, b)
    (0 where both are 0). With k-means centroids this tracks the exact silhouette's ranking of k.
    """
    squared = np.einsum("ij,ij->i", x, x)[:, None] - 2.0 * (x @ centers.T) + np.einsum("ij,ij->i", centers, centers)
    distances = np.sqrt(np.maximum(squared, 0.0))
    two = np.partition(distances, 1, axis=1)[:, :2]
    a, b = two[:, 0], two[:, 1]
    largest = np.maximum(a, b)
    values = np.divide(b - a, largest, out=np.zeros_like(a), where=largest > 0)
    return float(values.mean())


def _silhouette(
    model: KMeans, sample: np.ndarray, labels: np.ndarray, evaluation: list[np.ndarray] | None
) -> tuple[float, float]:
    if evaluation is None:
        return float(silhouette_score(sample, labels)), 0.0
    values = [simplified_silhouette(rows, model.cluster_centers_) for rows in evaluation]
    return float(np.mean(values)), float(np.std(values))


def _distinct_rows(sample: np.ndarray) -> int:
    """Distinct customers in the sweep rows (bounded cost: only small sweeps are counted exactly)."""
    return len(np.unique(sample, axis=0)) if len(sample) <= 1_000_000 else len(sample)


def _describe(
    exact: bool, sample: np.ndarray, n_rows: int, settings: SweepSettings, scores: list[KScore]
) -> SilhouetteEstimator:
    if exact:
        return SilhouetteEstimator(
            method="exact",
            sweep_rows=len(sample),
            scored_rows=len(sample),
            seeds=1,
            description=f"exact mean silhouette on all {len(sample)} rows",
        )
    scored = min(settings.silhouette_sample, n_rows)
    spread = max(s.silhouette_std for s in scores)
    return SilhouetteEstimator(
        method="simplified",
        sweep_rows=len(sample),
        scored_rows=scored,
        seeds=settings.seeds,
        description=(
            f"K-Means sweep (n_init={settings.sweep_n_init}) on a fixed-seed subsample of {len(sample)} "
            f"of {n_rows} rows; simplified silhouette (distance to own vs nearest other centroid, "
            f"O(n·k)) = mean over {settings.seeds} fixed-seed samples of {scored} rows; spread "
            f"(standard deviation across the seeds) at most {spread:.4f} for any k; it reads higher "
            "than the exact silhouette, which is measured for the final model on a fixed sample; "
            "Calinski-Harabasz, Davies-Bouldin and inertia are those of the subsample"
        ),
        max_spread=spread,
    )


def _sweep(
    ks: list[int],
    sample: np.ndarray,
    evaluation: list[np.ndarray] | None,
    n_init: int,
    distinct: int,
    settings: SweepSettings,
    scores: list[KScore],
    fitted: dict[int, KMeans],
    on_k: Callable[[KScore], None] | None,
) -> None:
    """Fit and score every k, appending to ``scores`` and ``fitted``."""
    for k in ks:
        if k > distinct - 1 and k != settings.pinned_k:
            continue  # fewer distinct customers than clusters: silhouette is undefined
        if k > distinct:
            continue  # a pinned k above the distinct customers would fit duplicate (empty) centroids
        model = KMeans(n_clusters=k, n_init=n_init, random_state=settings.random_state)
        labels = model.fit_predict(sample)
        if len(np.unique(labels)) < 2:
            continue
        silhouette, spread = _silhouette(model, sample, labels, evaluation)
        scores.append(
            KScore(
                k=k,
                silhouette=silhouette,
                silhouette_std=spread,
                calinski_harabasz=float(calinski_harabasz_score(sample, labels)),
                davies_bouldin=float(davies_bouldin_score(sample, labels)),
                inertia=float(model.inertia_),
            )
        )
        fitted[k] = model
        if on_k is not None:
            on_k(scores[-1])


def select_k(x: np.ndarray, settings: SweepSettings, on_k: Callable[[KScore], None] | None = None) -> KSelection:
    """Fit and score K-Means for every candidate k on the scaled features ``x``; pick k.

    ``on_k`` is called after each k is scored (progress reporting).
    """
    ks = k_candidates(settings, len(x))
    sample, index = _sweep_rows(x, settings)
    exact = index is None
    evaluation = None if exact else _evaluation_samples(x, settings)
    n_init = settings.n_init if exact else settings.sweep_n_init
    distinct = _distinct_rows(sample)
    scores: list[KScore] = []
    fitted: dict[int, KMeans] = {}
    with small_compute():
        _sweep(ks, sample, evaluation, n_init, distinct, settings, scores, fitted, on_k)
    if not scores:
        raise DataError(f"the data has only {distinct} distinct customers: too few to form segments")

    # The silhouette's choice is made within the requested range; a pinned k outside it is only scored.
    in_range = [s for s in scores if settings.k_min <= s.k <= settings.k_max] or scores
    top = max(s.silhouette for s in in_range)
    best_k = min(s.k for s in in_range if s.silhouette >= top - TIE_TOLERANCE)
    pinned = settings.pinned_k is not None
    chosen_k = settings.pinned_k if settings.pinned_k is not None else best_k
    if chosen_k not in fitted:
        option = f"--k {chosen_k}" if pinned else f"k={chosen_k}"
        raise DataError(
            f"{option} cannot be fitted: the data has only {distinct} distinct customers (use a k of at most "
            f"{max(distinct, 2)})"
        )
    estimator = _describe(exact, sample, len(x), settings, scores)
    best = next(s for s in scores if s.k == best_k)
    if pinned:
        reason = (
            f"k={chosen_k} was pinned by the user; the silhouette method would pick k={best_k} "
            f"(silhouette {best.silhouette:.3f} vs {next(s for s in scores if s.k == chosen_k).silhouette:.3f})"
        )
    else:
        reason = (
            f"k={best_k} has the highest mean silhouette ({best.silhouette:.3f}) of k="
            f"{scores[0].k}..{scores[-1].k} (ties go to the smaller k)"
        )
    return KSelection(
        scores=scores,
        best_k=best_k,
        chosen_k=chosen_k,
        pinned=pinned,
        estimator=estimator,
        n_init=n_init,
        random_state=settings.random_state,
        reason=reason,
        fitted=fitted,
        sweep_index=index,
    )
