"""Static figures (PNG) for the report: segments in 2D and 3D, and the k-selection evidence.

Large tables are drawn from a fixed-seed sample of points (the centroids are always exact), so a
10 M-row run draws as fast as a 200-row one and the files are identical between runs.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # headless: servers and CI have no display

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..modeling.select_k import KSelection
from ..profiling import SegmentProfile
from ..schema import AGE, ANNUAL_INCOME, LABELS, SPENDING_SCORE

FIGURE_2D = "Customer Segmentation 2D.png"
FIGURE_3D = "Customer Segmentation 3D.png"
FIGURE_SILHOUETTE_BY_K = "silhouette_by_k.png"
FIGURE_SILHOUETTE_SAMPLES = "silhouette_samples.png"
FIGURE_ELBOW = "elbow.png"
ALL_FIGURES = (FIGURE_2D, FIGURE_3D, FIGURE_SILHOUETTE_BY_K, FIGURE_SILHOUETTE_SAMPLES, FIGURE_ELBOW)
MAX_POINTS = 20_000
_PNG_METADATA = {"Software": None}  # no library version in the bytes: same input, same file


def segment_colours(k: int) -> list[tuple[float, float, float, float]]:
    cmap = plt.get_cmap("tab10" if k <= 10 else "tab20")
    return [cmap(i % cmap.N) for i in range(k)]


def _png(fig: plt.Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight", metadata=_PNG_METADATA)
    plt.close(fig)
    return buffer.getvalue()


def _sample(frame: pd.DataFrame, labels: np.ndarray, random_state: int) -> tuple[pd.DataFrame, np.ndarray]:
    if len(frame) <= MAX_POINTS:
        return frame, labels
    index = np.sort(np.random.default_rng(random_state).choice(len(frame), MAX_POINTS, replace=False))
    return frame.iloc[index], labels[index]


def _centre(profile: SegmentProfile, column: str) -> float:
    return profile.centroid.get(column, profile.means.get(column, float("nan")))


def scatter_2d(
    frame: pd.DataFrame, labels: np.ndarray, profiles: Sequence[SegmentProfile], random_state: int = 42
) -> bytes:
    """Income vs spending, one colour per segment, centroids marked, names in the legend."""
    frame, labels = _sample(frame, labels, random_state)
    colours = segment_colours(len(profiles))
    fig, ax = plt.subplots(figsize=(9, 6.5))
    for profile in profiles:
        mask = labels == profile.id
        ax.scatter(
            frame.loc[mask, ANNUAL_INCOME],
            frame.loc[mask, SPENDING_SCORE],
            s=22,
            alpha=0.75,
            color=colours[profile.id],
            label=f"{profile.id}: {profile.name} (n={profile.size})",
        )
    ax.scatter(
        [_centre(p, ANNUAL_INCOME) for p in profiles],
        [_centre(p, SPENDING_SCORE) for p in profiles],
        marker="X",
        s=220,
        c="black",
        edgecolors="white",
        linewidths=1.5,
        label="Centroids",
        zorder=5,
    )
    ax.set_xlabel(LABELS[ANNUAL_INCOME])
    ax.set_ylabel(LABELS[SPENDING_SCORE])
    ax.set_title(f"Customer segments (k={len(profiles)}): income vs spending")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, fontsize=8, frameon=False)
    return _png(fig)


def scatter_3d(
    frame: pd.DataFrame, labels: np.ndarray, profiles: Sequence[SegmentProfile], random_state: int = 42
) -> bytes:
    """Age, income and spending in 3D, one colour per segment, centroids marked."""
    frame, labels = _sample(frame, labels, random_state)
    colours = segment_colours(len(profiles))
    fig = plt.figure(figsize=(9, 7.5))
    ax = fig.add_subplot(projection="3d")
    for profile in profiles:
        mask = labels == profile.id
        ax.scatter(
            frame.loc[mask, AGE],
            frame.loc[mask, ANNUAL_INCOME],
            frame.loc[mask, SPENDING_SCORE],
            s=18,
            alpha=0.75,
            color=colours[profile.id],
            label=f"{profile.id}: {profile.name}",
        )
    ax.scatter(
        [_centre(p, AGE) for p in profiles],
        [_centre(p, ANNUAL_INCOME) for p in profiles],
        [_centre(p, SPENDING_SCORE) for p in profiles],
        marker="X",
        s=200,
        c="black",
        label="Centroids",
    )
    ax.set_xlabel(LABELS[AGE])
    ax.set_ylabel(LABELS[ANNUAL_INCOME])
    ax.set_zlabel(LABELS[SPENDING_SCORE])
    ax.set_title(f"Customer segments (k={len(profiles)}): age, income and spending")
    ax.view_init(elev=20, azim=-55)
    ax.legend(loc="upper left", fontsize=7, frameon=False)
    return _png(fig)


def silhouette_by_k(selection: KSelection) -> bytes:
    """Mean silhouette per k (with spread), the chosen k highlighted; CH and DB beside it."""
    ks = [s.k for s in selection.scores]
    fig, (ax, ax_ch, ax_db) = plt.subplots(1, 3, figsize=(13, 4))
    sil = [s.silhouette for s in selection.scores]
    ax.errorbar(ks, sil, yerr=[s.silhouette_std for s in selection.scores], marker="o", capsize=3)
    chosen = selection.score_for(selection.chosen_k)
    ax.scatter(
        [chosen.k],
        [chosen.silhouette],
        s=180,
        facecolors="none",
        edgecolors="red",
        linewidths=2,
        label=f"chosen k={chosen.k}",
        zorder=5,
    )
    ax.set(title="Mean silhouette (higher is better)", xlabel="k", ylabel="silhouette", xticks=ks)
    ax.legend()
    ax_ch.plot(ks, [s.calinski_harabasz for s in selection.scores], marker="o", color="tab:green")
    ax_ch.set(title="Calinski–Harabasz (higher is better)", xlabel="k", xticks=ks)
    ax_db.plot(ks, [s.davies_bouldin for s in selection.scores], marker="o", color="tab:purple")
    ax_db.set(title="Davies–Bouldin (lower is better)", xlabel="k", xticks=ks)
    for axis in (ax, ax_ch, ax_db):
        axis.axvline(selection.chosen_k, color="red", alpha=0.25)
        axis.grid(alpha=0.3)
    fig.tight_layout()
    return _png(fig)


def elbow(selection: KSelection) -> bytes:
    """Inertia (within-cluster sum of squares) per k: the elbow view."""
    ks = [s.k for s in selection.scores]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.plot(ks, [s.inertia for s in selection.scores], marker="o")
    ax.axvline(selection.chosen_k, color="red", alpha=0.4, label=f"chosen k={selection.chosen_k}")
    ax.set(title="Elbow: inertia per k", xlabel="k", ylabel="inertia (scaled units)", xticks=ks)
    ax.grid(alpha=0.3)
    ax.legend()
    return _png(fig)


def silhouette_samples_plot(
    values: np.ndarray, labels: np.ndarray, profiles: Sequence[SegmentProfile], overall: float
) -> bytes:
    """Per-sample silhouette for the chosen k, one sorted band per segment (sklearn's "knife" plot)."""
    colours = segment_colours(len(profiles))
    fig, ax = plt.subplots(figsize=(8, 6))
    y_low = 10
    for profile in profiles:
        band = np.sort(values[labels == profile.id])
        y_high = y_low + len(band)
        ax.fill_betweenx(np.arange(y_low, y_high), 0, band, color=colours[profile.id], alpha=0.8)
        ax.text(-0.08, y_low + len(band) / 2, str(profile.id), va="center")
        y_low = y_high + 10
    ax.axvline(overall, color="red", linestyle="--", label=f"mean {overall:.3f}")
    ax.set(title=f"Silhouette per customer, k={len(profiles)}", xlabel="silhouette", ylabel="customers by segment")
    ax.set_yticks([])
    ax.legend()
    return _png(fig)
