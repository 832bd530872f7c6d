"""How certain the segmentation is: the k choice under resampling, the stability of every k and of
every segment — computed once per run, for the card, the report, the CLI and the dashboard.

The sizes are chosen so a Mall run stays a few seconds and a million-row run a few more: on large
data the resamples come from the sweep's own fixed-seed sample and fewer rows are refitted (see
``LARGE_*``). Measured on the 200-row Mall data (2 cores): k wins ≈ 2 s, per-k stability ≈ 0.8 s,
clusterwise Jaccard ≈ 0.5 s; on 1 M rows (2 000-row pools) all three ≈ 2.5 s.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from sklearn.cluster import KMeans

from .segment_stability import ClusterwiseJaccard, PerKStability, clusterwise_jaccard, per_k_stability
from .select_k import KSelection
from .uncertainty import KChoice, KWinFrequencies, choose_k, k_win_frequencies

KRule = Literal["max", "one-se"]
K_RESAMPLES = 50
JACCARD_RESAMPLES = 100
#: Above the exact sweep's size: rows drawn for the resamples and the per-segment Jaccard, and fewer
#: Jaccard refits — the figures then describe samples of that size (the card says so).
LARGE_MAX_ROWS = 2_000
LARGE_JACCARD_RESAMPLES = 20


@dataclass(frozen=True)
class KEvidence:
    wins: KWinFrequencies
    choice: KChoice

    def to_dict(self) -> dict[str, Any]:
        return {"resamples": self.wins.to_dict(), "choice": self.choice.to_dict()}


def can_resample(n_rows: int, selection: KSelection) -> bool:
    """Whether 80 % subsamples leave at least two customers per segment of the largest k."""
    return int(n_rows * 0.8) >= 2 * max(s.k for s in selection.scores)


def k_evidence(x: np.ndarray, selection: KSelection, rule: KRule) -> KEvidence | None:
    """Resample the sweep and apply ``rule`` (the sweep's own silhouettes decide "max"); None when the
    table is too small to resample (a handful of customers)."""
    if not can_resample(len(x), selection):
        return None
    large = selection.sweep_index is not None
    wins = k_win_frequencies(
        x,
        [s.k for s in selection.scores],
        resamples=K_RESAMPLES,
        n_init=selection.n_init,
        random_state=selection.random_state,
        silhouette="exact" if selection.estimator.method == "exact" else "simplified",
        sample_index=selection.sweep_index,
        max_rows=LARGE_MAX_ROWS if large else len(x),
    )
    silhouettes = {s.k: s.silhouette for s in selection.scores}
    return KEvidence(wins, choose_k(rule, wins, silhouettes))


def apply_rule(selection: KSelection, evidence: KEvidence) -> KSelection:
    """The selection with the rule's k (a pinned k always stands)."""
    choice = evidence.choice
    if selection.pinned or choice.rule == "max" or choice.chosen_k == selection.chosen_k:
        return selection
    reason = (
        f"k={choice.chosen_k} is the smallest k whose silhouette is within one standard error "
        f"({choice.standard_error:.3f}) of the best (k={choice.max_k}, {choice.best_silhouette:.3f}): --k-rule one-se"
    )
    return dataclasses.replace(selection, chosen_k=choice.chosen_k, reason=reason)


def stability_by_k(x: np.ndarray, selection: KSelection, resamples: int) -> PerKStability:
    return per_k_stability(
        x,
        [s.k for s in selection.scores],
        fitted=selection.fitted,
        resamples=resamples,
        n_init=selection.n_init,
        random_state=selection.random_state,
    )


def segment_jaccard(x: np.ndarray, labels: np.ndarray, selection: KSelection) -> ClusterwiseJaccard:
    large = selection.sweep_index is not None or len(x) > LARGE_MAX_ROWS

    def factory(seed: int) -> KMeans:
        return KMeans(n_clusters=selection.chosen_k, n_init=selection.n_init, random_state=seed)

    return clusterwise_jaccard(
        x,
        labels,
        factory,
        resamples=LARGE_JACCARD_RESAMPLES if large else JACCARD_RESAMPLES,
        random_state=selection.random_state,
        max_rows=LARGE_MAX_ROWS,
    )
