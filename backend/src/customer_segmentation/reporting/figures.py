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
import matplotlib.ticker
import numpy as np
import pandas as pd

from ..modeling.select_k import KSelection
from ..profiling import SegmentProfile
from ..schema import AGE, ANNUAL_INCOME, LABELS, SPENDING_SCORE
from .axes import PlotAxes

FIGURE_2D = "Customer Segmentation 2D.png"
FIGURE_3D = "Customer Segmentation 3D.png"
FIGURE_SILHOUETTE_BY_K = "silhouette_by_k.png"
FIGURE_SILHOUETTE_SAMPLES = "silhouette_samples.png"
FIGURE_ELBOW = "elbow.png"
FIGURE_HEATMAP = "profile_heatmap.png"
FIGURE_REVENUE = "revenue_share.png"
#: Only when the run has a previous model to compare with (see ``reporting.migration_figure``).
FIGURE_MIGRATION = "migration_heatmap.png"
ALL_FIGURES = (
    FIGURE_2D,
    FIGURE_3D,
    FIGURE_SILHOUETTE_BY_K,
    FIGURE_SILHOUETTE_SAMPLES,
    FIGURE_ELBOW,
    FIGURE_HEATMAP,
    FIGURE_MIGRATION,
)
MAX_POINTS = 20_000
_PNG_METADATA = {"Software": None}  # no library version in the bytes: same input, same file


def segment_colours(k: int) -> list[tuple[float, float, float, float]]:
    cmap = plt.get_cmap("tab10" if k <= 10 else "tab20")
    return [cmap(i % cmap.N) for i in range(k)]


def colours_by_id(profiles: Sequence[SegmentProfile]) -> dict[int, tuple[float, float, float, float]]:
    """One colour per stable segment id (ids may have gaps after retraining), the same in every run."""
    ids = [p.id for p in profiles]
    palette = segment_colours(max(ids, default=-1) + 1)
    return {i: palette[i] for i in ids}


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


_MALL_AXES = PlotAxes(ANNUAL_INCOME, SPENDING_SCORE, (AGE, ANNUAL_INCOME, SPENDING_SCORE), "features")


def _axis_label(column: str, labels: dict[str, str], axes: PlotAxes) -> str:
    if axes.source == "pca" and column.startswith("pc"):
        j = int(column[2:]) - 1
        share = axes.explained_variance[j] if j < len(axes.explained_variance) else None
        return f"PC{j + 1}" + (f" ({share:.0%} of variance)" if share is not None else "")
    return labels.get(column, column)


def _segment_centres(
    frame: pd.DataFrame, labels: np.ndarray, profiles: Sequence[SegmentProfile], column: str
) -> list[float]:
    """Centroid coordinates: the profile's exact centroid when it has the column, else the mean."""
    out = []
    for p in profiles:
        value = p.centroid.get(column)
        if value is None:
            members = frame.loc[labels == p.id, column]
            value = float(members.mean()) if len(members) else float("nan")
        out.append(value)
    return out


def scatter_2d(
    frame: pd.DataFrame,
    labels: np.ndarray,
    profiles: Sequence[SegmentProfile],
    random_state: int = 42,
    axes: PlotAxes = _MALL_AXES,
    column_labels: dict[str, str] | None = None,
) -> bytes:
    """Two columns (income vs spending for the Mall), one colour per segment, centroids marked."""
    names = {**LABELS, **(column_labels or {})}
    centres_x = _segment_centres(frame, labels, profiles, axes.x)
    centres_y = _segment_centres(frame, labels, profiles, axes.y)
    frame, labels = _sample(frame, labels, random_state)
    colours = colours_by_id(profiles)
    fig, ax = plt.subplots(figsize=(9, 6.5))
    for profile in profiles:
        mask = labels == profile.id
        ax.scatter(
            frame.loc[mask, axes.x],
            frame.loc[mask, axes.y],
            s=22,
            alpha=0.75,
            color=colours[profile.id],
            label=f"{profile.id}: {profile.name} (n={profile.size})",
        )
    ax.scatter(
        centres_x,
        centres_y,
        marker="X",
        s=220,
        c="black",
        edgecolors="white",
        linewidths=1.5,
        label="Centroids",
        zorder=5,
    )
    ax.set_xlabel(_axis_label(axes.x, names, axes))
    ax.set_ylabel(_axis_label(axes.y, names, axes))
    if axes == _MALL_AXES or (axes.x, axes.y) == (ANNUAL_INCOME, SPENDING_SCORE):
        title = "income vs spending"
    else:
        title = f"{_axis_label(axes.x, names, axes)} vs {_axis_label(axes.y, names, axes)}"
    ax.set_title(f"Customer segments (k={len(profiles)}): {title}")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, fontsize=8, frameon=False)
    return _png(fig)


def scatter_3d(
    frame: pd.DataFrame,
    labels: np.ndarray,
    profiles: Sequence[SegmentProfile],
    random_state: int = 42,
    axes: PlotAxes = _MALL_AXES,
    column_labels: dict[str, str] | None = None,
) -> bytes:
    """Three columns in 3D (age, income and spending for the Mall), one colour per segment."""
    assert axes.three is not None
    names = {**LABELS, **(column_labels or {})}
    cx, cy, cz = axes.three
    centres = [_segment_centres(frame, labels, profiles, c) for c in axes.three]
    frame, labels = _sample(frame, labels, random_state)
    colours = colours_by_id(profiles)
    fig = plt.figure(figsize=(9, 7.5))
    ax = fig.add_subplot(projection="3d")
    for profile in profiles:
        mask = labels == profile.id
        ax.scatter(
            frame.loc[mask, cx],
            frame.loc[mask, cy],
            frame.loc[mask, cz],
            s=18,
            alpha=0.75,
            color=colours[profile.id],
            label=f"{profile.id}: {profile.name}",
        )
    ax.scatter(*centres, marker="X", s=200, c="black", label="Centroids")
    ax.set_xlabel(_axis_label(cx, names, axes))
    ax.set_ylabel(_axis_label(cy, names, axes))
    ax.set_zlabel(_axis_label(cz, names, axes))
    if axes.three == (AGE, ANNUAL_INCOME, SPENDING_SCORE):
        title = "age, income and spending"
    else:
        title = ", ".join(_axis_label(c, names, axes) for c in axes.three)
    ax.set_title(f"Customer segments (k={len(profiles)}): {title}")
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
    colours = colours_by_id(profiles)
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


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def profile_heatmap(
    frame: pd.DataFrame,
    labels: np.ndarray,
    profiles: Sequence[SegmentProfile],
    columns: Sequence[tuple[str, str, str | None]],
    log_columns: frozenset[str] = frozenset(),
) -> bytes:
    """Segments × features: each segment's standardised difference from the population (colour),
    annotated with its median (numeric) or share (a categorical level).

    ``columns`` are (column, label, level): level None for a numeric column, else the categorical
    level shown. Numeric columns in ``log_columns`` are compared on their log1p scale, as clustered.
    """
    k = len(profiles)
    diff = np.zeros((k, len(columns)))
    notes = [["" for _ in columns] for _ in range(k)]
    for j, (column, _, level) in enumerate(columns):
        if level is None:
            raw = frame[column].to_numpy(dtype="float64")
            values = np.log1p(raw) if column in log_columns else raw
            spread = values.std() or 1.0
            for row, p in enumerate(profiles):  # rows by position: ids may have gaps
                members = values[labels == p.id]
                diff[row, j] = (members.mean() - values.mean()) / spread if len(members) else 0.0
                notes[row][j] = _number(float(np.median(raw[labels == p.id]))) if len(members) else ""
        else:
            hits = (frame[column].astype(str) == level).to_numpy(dtype="float64")
            spread = hits.std() or 1.0
            for row, p in enumerate(profiles):
                members = hits[labels == p.id]
                diff[row, j] = (members.mean() - hits.mean()) / spread if len(members) else 0.0
                notes[row][j] = f"{members.mean():.0%}" if len(members) else ""
    width = max(6.0, 1.1 * len(columns) + 3.5)
    fig, ax = plt.subplots(figsize=(min(width, 40.0), 0.6 * k + 2.5))
    image = ax.imshow(np.clip(diff, -2, 2), cmap="RdBu_r", vmin=-2, vmax=2, aspect="auto")
    ax.set_xticks(range(len(columns)))
    ax.set_xticklabels([label for _, label, _ in columns], rotation=35, ha="right", fontsize=8)
    ax.set_yticks(range(k))
    ax.set_yticklabels([f"{p.id}: {p.name[:48]} (n={p.size})" for p in profiles], fontsize=8)
    for i in range(k):
        for j in range(len(columns)):
            ax.text(j, i, notes[i][j], ha="center", va="center", fontsize=7, color="black")
    fig.colorbar(image, ax=ax, label="difference from all customers (standard deviations)")
    ax.set_title("Segment profiles: medians (or level shares), coloured by difference from the population")
    return _png(fig)


def revenue_share(profiles: Sequence[SegmentProfile]) -> bytes:
    """Each segment's share of customers beside its share of revenue (RFM runs)."""
    colours = colours_by_id(profiles)  # stable ids may have gaps
    fig, ax = plt.subplots(figsize=(9, 0.55 * len(profiles) + 1.8))
    positions = np.arange(len(profiles))
    customers = [p.share for p in profiles]
    revenue = [p.revenue_share or 0.0 for p in profiles]
    ax.barh(positions - 0.2, customers, height=0.38, color="lightgrey", label="share of customers")
    ax.barh(positions + 0.2, revenue, height=0.38, color=[colours[p.id] for p in profiles], label="share of revenue")
    for y, (c, r) in enumerate(zip(customers, revenue, strict=True)):
        ax.text(c, y - 0.2, f" {c:.0%}", va="center", fontsize=8)
        ax.text(r, y + 0.2, f" {r:.0%}", va="center", fontsize=8)
    ax.set_yticks(positions)
    ax.set_yticklabels([f"{p.id}: {p.name}" for p in profiles], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, max([*customers, *revenue, 0.1]) * 1.2)
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_title("Share of customers and of revenue by segment")
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return _png(fig)
