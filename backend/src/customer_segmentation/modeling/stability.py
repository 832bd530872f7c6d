"""How stable is the segmentation? Refit on bootstrap resamples and compare labels (ARI).

An adjusted Rand index near 1 means resampling the customers barely changes who is grouped with
whom; near 0 means the segments are an accident of this particular sample. Above ``MAX_ROWS`` rows
the bootstrap runs on a fixed-seed subsample of that size (reported as ``rows``): the refits then
cost the same at 10 M rows as at 5 k.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

from .seeds import STABILITY_STREAM, child_seeds
from .select_k import small_compute

MAX_ROWS = 5_000


@dataclass
class Stability:
    k: int
    resamples: int
    rows: int
    mean_ari: float
    std_ari: float
    min_ari: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def verdict(self) -> str:
        if self.mean_ari >= 0.9:
            return "very stable"
        if self.mean_ari >= 0.75:
            return "stable"
        if self.mean_ari >= 0.5:
            return "moderately stable"
        return "unstable"


def bootstrap_stability(
    x: np.ndarray,
    reference: KMeans,
    *,
    resamples: int = 20,
    n_init: int = 10,
    random_state: int = 42,
) -> Stability:
    """Mean ARI between ``reference``'s labels and models refit on ``resamples`` bootstrap samples."""
    rng = np.random.default_rng(random_state)
    if len(x) > MAX_ROWS:
        x = x[np.sort(rng.choice(len(x), MAX_ROWS, replace=False))]
    k = int(reference.n_clusters)
    reference_labels = reference.predict(x)
    scores = []
    with small_compute():  # ≤ MAX_ROWS rows: one thread is faster (see select_k.small_compute)
        for seed in child_seeds(random_state, resamples, STABILITY_STREAM):  # never random_state + i: overflow
            sample = x[rng.integers(0, len(x), size=len(x))]
            model = KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(sample)
            scores.append(adjusted_rand_score(reference_labels, model.predict(x)))
    values = np.asarray(scores)
    return Stability(k, resamples, len(x), float(values.mean()), float(values.std()), float(values.min()))
