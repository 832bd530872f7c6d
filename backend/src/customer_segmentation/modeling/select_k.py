"""Choose the number of segments by the silhouette method, keeping every score as evidence.

For each k in the range K-Means is fitted (``n_init`` restarts, fixed ``random_state``) and scored by
the mean silhouette (higher is better), Calinski–Harabasz (higher), Davies–Bouldin (lower) and
inertia (the elbow). The highest silhouette wins; ties go to the smaller k.

Exact silhouette is O(n²). Up to ``exact_max_rows`` rows it is computed exactly on every row (the
canonical 200-row data is always scored exactly). Above that, the sweep runs on a fixed-seed random
subsample of ``sweep_rows`` rows and the silhouette is the mean over ``seeds`` random samples of
``silhouette_sample`` rows; their standard deviation is reported as the estimate's spread.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score

from ..errors import ConfigError, DataError

TIE_TOLERANCE = 1e-9


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
    silhouette_sample: int = 5_000
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
    method: str  # "exact" or "sampled"
    sweep_rows: int
    scored_rows: int
    seeds: int
    description: str


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


def _silhouette(x: np.ndarray, labels: np.ndarray, settings: SweepSettings, exact: bool) -> tuple[float, float]:
    if exact:
        return float(silhouette_score(x, labels)), 0.0
    size = min(settings.silhouette_sample, len(x))
    values = [
        silhouette_score(x, labels, sample_size=size, random_state=settings.random_state + seed)
        for seed in range(settings.seeds)
    ]
    return float(np.mean(values)), float(np.std(values))


def select_k(x: np.ndarray, settings: SweepSettings) -> KSelection:
    """Fit and score K-Means for every candidate k on the scaled features ``x``; pick k."""
    ks = k_candidates(settings, len(x))
    sample, index = _sweep_rows(x, settings)
    exact = index is None
    distinct = len(np.unique(sample, axis=0)) if len(sample) <= 1_000_000 else len(sample)
    scores: list[KScore] = []
    fitted: dict[int, KMeans] = {}
    for k in ks:
        if k > distinct - 1 and k != settings.pinned_k:
            continue  # fewer distinct customers than clusters: silhouette is undefined
        model = KMeans(n_clusters=k, n_init=settings.n_init, random_state=settings.random_state)
        labels = model.fit_predict(sample)
        if len(np.unique(labels)) < 2:
            continue
        silhouette, spread = _silhouette(sample, labels, settings, exact)
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
    if not scores:
        raise DataError(f"the data has only {distinct} distinct customers: too few to form segments")

    top = max(s.silhouette for s in scores)
    best_k = min(s.k for s in scores if s.silhouette >= top - TIE_TOLERANCE)
    pinned = settings.pinned_k is not None
    chosen_k = settings.pinned_k if settings.pinned_k is not None else best_k
    if chosen_k not in fitted:
        raise DataError(f"k={chosen_k} cannot be fitted: the data has only {distinct} distinct customers")
    estimator = SilhouetteEstimator(
        method="exact" if exact else "sampled",
        sweep_rows=len(sample),
        scored_rows=len(sample) if exact else min(settings.silhouette_sample, len(sample)),
        seeds=1 if exact else settings.seeds,
        description=(
            f"exact mean silhouette on all {len(sample)} rows"
            if exact
            else (
                f"K-Means sweep on a fixed-seed subsample of {len(sample)} of {len(x)} rows; silhouette "
                f"= mean of {settings.seeds} samples of {min(settings.silhouette_sample, len(sample))} "
                "rows (spread = their standard deviation)"
            )
        ),
    )
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
        n_init=settings.n_init,
        random_state=settings.random_state,
        reason=reason,
        fitted=fitted,
        sweep_index=index,
    )
