"""A first look at a clean customer table: distributions, pair plot, correlations, gender mix.

Figures are ``matplotlib.figure.Figure`` objects (no pyplot state): a notebook displays them, a
test inspects their artists.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..features import GENDER_ENCODED, encoded_gender
from ..schema import GENDER, GENDER_CATEGORIES, LABELS, NUMERIC_COLUMNS

BINS = 15
_GENDER_COLOURS = {"Female": "tab:pink", "Male": "tab:blue"}


def _numeric(frame: pd.DataFrame) -> list[str]:
    columns = [c for c in NUMERIC_COLUMNS if c in frame.columns]
    if not columns:
        raise ValueError(f"no numeric customer columns in {list(frame.columns)}")
    return columns


def _groups(frame: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """(label, rows) per gender when the table has one, else a single group of all rows."""
    if GENDER not in frame.columns:
        return [("All customers", frame)]
    return [(g, frame.loc[frame[GENDER] == g]) for g in GENDER_CATEGORIES]


def _colour(label: str) -> str:
    return _GENDER_COLOURS.get(label, "tab:gray")


def distribution_figure(frame: pd.DataFrame) -> Figure:
    """One histogram per numeric feature (stacked by gender, median marked) and gender counts."""
    columns = _numeric(frame)
    groups = _groups(frame)
    fig = Figure(figsize=(12, 8), layout="constrained")
    axes = fig.subplots(2, 2).ravel()
    for ax, column in zip(axes, columns, strict=False):
        ax.hist(
            [rows[column].to_numpy(dtype="float64") for _, rows in groups],
            bins=BINS,
            stacked=True,
            label=[label for label, _ in groups],
            color=[_colour(label) for label, _ in groups],
            edgecolor="white",
        )
        median = float(frame[column].median())
        ax.axvline(median, color="black", linestyle="--", label=f"median {median:g}")
        ax.set(title=LABELS[column], xlabel=LABELS[column], ylabel="customers")
        ax.legend(fontsize=8)
    for unused in axes[len(columns) : 3]:
        unused.set_axis_off()
    gender_ax = axes[3]
    if GENDER in frame.columns:
        counts = frame[GENDER].value_counts().reindex(list(GENDER_CATEGORIES), fill_value=0)
        bars = gender_ax.bar(counts.index, counts.to_numpy(), color=[_colour(g) for g in counts.index])
        gender_ax.bar_label(bars, labels=[f"{n} ({n / len(frame):.0%})" for n in counts.to_numpy()])
        gender_ax.set(title="Gender mix", ylabel="customers")
    else:
        gender_ax.set_axis_off()
        gender_ax.set_title("No gender column")
    fig.suptitle(f"Distributions of {len(frame)} customers")
    return fig


def pair_plot(frame: pd.DataFrame) -> Figure:
    """Every pair of numeric features as a scatter (coloured by gender); histograms on the diagonal.

    Like seaborn's ``pairplot``, without the extra dependency.
    """
    columns = _numeric(frame)
    groups = _groups(frame)
    n = len(columns)
    fig = Figure(figsize=(3.4 * n, 3.2 * n), layout="constrained")
    axes = np.asarray(fig.subplots(n, n, squeeze=False))
    for i, y in enumerate(columns):
        for j, x in enumerate(columns):
            ax = axes[i, j]
            for label, rows in groups:
                if i == j:
                    ax.hist(
                        rows[x].to_numpy(dtype="float64"),
                        bins=BINS,
                        alpha=0.6,
                        color=_colour(label),
                        label=label,
                    )
                else:
                    ax.scatter(rows[x], rows[y], s=12, alpha=0.7, color=_colour(label), label=label)
            if i == n - 1:
                ax.set_xlabel(LABELS[x])
            if j == 0:
                ax.set_ylabel(LABELS[y] if i != j else "customers")
    axes[0, n - 1].legend(fontsize=8)
    fig.suptitle("Pair plot: every feature against every other")
    return fig


def correlation_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Pearson correlations of the numeric features (and gender coded Male=1 when present)."""
    data = frame[_numeric(frame)].astype("float64")
    if GENDER in frame.columns:
        data = data.assign(**{GENDER_ENCODED: encoded_gender(frame).astype("float64")})
    return data.corr(method="pearson")


def correlation_figure(corr: pd.DataFrame) -> Figure:
    """Heat map of a correlation table, each cell annotated with its value."""
    fig = Figure(figsize=(1.6 * len(corr) + 2, 1.4 * len(corr) + 1), layout="constrained")
    ax = fig.subplots()
    image = ax.imshow(corr.to_numpy(), cmap="RdBu_r", vmin=-1, vmax=1)
    labels = [LABELS.get(str(c), "Gender (Male=1)" if c == GENDER_ENCODED else str(c)) for c in corr.columns]
    ax.set_xticks(range(len(corr)), labels, rotation=30, ha="right")
    ax.set_yticks(range(len(corr)), labels)
    for (i, j), value in np.ndenumerate(corr.to_numpy()):
        ax.text(
            j,
            i,
            f"{value:.2f}",
            ha="center",
            va="center",
            color="white" if abs(value) > 0.6 else "black",
        )
    fig.colorbar(image, ax=ax, label="Pearson correlation")
    ax.set_title("How the features move together")
    return fig


def gender_mix_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Customers, share and median of each numeric feature, per gender."""
    if GENDER not in frame.columns:
        raise ValueError("the table has no gender column")
    columns = _numeric(frame)
    grouped = frame.groupby(GENDER, observed=True)
    table = pd.DataFrame({"customers": grouped.size()}).reindex(list(GENDER_CATEGORIES), fill_value=0)
    table["share"] = table["customers"] / len(frame)
    medians = grouped[columns].median().reindex(list(GENDER_CATEGORIES))
    table = table.join(medians.rename(columns={c: f"median {LABELS[c].lower()}" for c in columns}))
    table.index.name = "gender"
    return table
