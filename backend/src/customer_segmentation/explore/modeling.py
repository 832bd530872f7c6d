"""The modelling story as tables and figures: why this k, how solid it is, who is in each segment,
and how two choices of k (e.g. the seed analysis' k=4 and the chosen k) compare.

Everything starts from a :class:`~customer_segmentation.pipeline.RunResult` (``pipeline.train``):
the scores, labels, profiles and stability are the package's; nothing is refitted here except
through ``pipeline.train`` itself.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..modeling.select_k import KSelection
from ..modeling.train import (
    SilhouetteDetail,
    canonical_order,
    centers_in_original_units,
    per_cluster_silhouette,
    renumber_clusters,
)
from ..pipeline import RunConfig, RunResult, train
from ..profiling import SegmentProfile
from ..reporting.figures import segment_colours
from ..schema import ANNUAL_INCOME, CUSTOMER_ID, LABELS, SPENDING_SCORE

SEED_K = 4  # the number of segments the seed analysis reported
SPLIT_SHARE = 0.2  # a segment "splits" into every finer segment that takes at least this share of it

# (column in the score table, KScore attribute, True when higher is better)
_METRICS: tuple[tuple[str, str, bool], ...] = (
    ("silhouette", "silhouette", True),
    ("Calinski–Harabasz", "calinski_harabasz", True),
    ("Davies–Bouldin", "davies_bouldin", False),
)


def train_pinned(frame: pd.DataFrame, k: int, config: RunConfig | None = None) -> RunResult:
    """``pipeline.train`` with k pinned (the sweep still runs and is reported), e.g. the seed's k=4."""
    config = config or RunConfig()
    return train(frame, replace(config, sweep=replace(config.sweep, pinned_k=k)))


def score_table(selection: KSelection) -> pd.DataFrame:
    """One row per k: silhouette, Calinski–Harabasz, Davies–Bouldin, inertia and its drop, a note."""
    table = pd.DataFrame(
        {label: [getattr(s, attr) for s in selection.scores] for label, attr, _ in _METRICS},
        index=pd.Index([s.k for s in selection.scores], name="k"),
    )
    if selection.estimator.method != "exact":
        table.insert(1, "silhouette spread", [s.silhouette_std for s in selection.scores])
    table["inertia"] = [s.inertia for s in selection.scores]
    table["inertia drop vs previous k"] = table["inertia"].pct_change().mul(-1)
    notes = []
    for k in table.index:
        marks = ["chosen"] if k == selection.chosen_k else []
        if k == selection.best_k and selection.best_k != selection.chosen_k:
            marks.append("best silhouette")
        notes.append(", ".join(marks))
    table["note"] = notes
    return table


def metric_winners(selection: KSelection) -> pd.DataFrame:
    """For each score: the k it prefers (ties: the smaller k), and where the chosen k ranks."""
    rows = []
    for label, attr, higher in _METRICS:
        values = pd.Series({s.k: getattr(s, attr) for s in selection.scores})
        ranked = values.sort_values(ascending=not higher, kind="stable")  # stable: ties keep the smaller k
        best_k = int(ranked.index[0])
        rows.append(
            {
                "score": label,
                "better when": "higher" if higher else "lower",
                "preferred k": best_k,
                "value at preferred k": float(ranked.iloc[0]),
                f"value at chosen k={selection.chosen_k}": float(values[selection.chosen_k]),
                "rank of chosen k": int(list(ranked.index).index(selection.chosen_k)) + 1,
            }
        )
    return pd.DataFrame(rows).set_index("score")


def interesting_ks(selection: KSelection, seed_k: int = SEED_K) -> list[int]:
    """The k values worth a per-sample look: chosen, best, the seed's k, and the silhouette runner-up."""
    scored = [s.k for s in selection.scores]
    by_silhouette = sorted(selection.scores, key=lambda s: (-s.silhouette, s.k))
    runner_up = next((s.k for s in by_silhouette if s.k != selection.chosen_k), None)
    wanted = {selection.chosen_k, selection.best_k, seed_k, runner_up}
    return sorted(k for k in wanted if k in scored)


def _canonical_labels(result: RunResult, k: int) -> np.ndarray:
    """Labels of the sweep's k-cluster model on all rows, renumbered in the package's segment order."""
    model = copy.deepcopy(result.selection.fitted[k])  # never mutate the run's own models
    preprocessor = result.pipeline.named_steps["preprocess"]
    renumber_clusters(model, canonical_order(centers_in_original_units(preprocessor, model.cluster_centers_)))
    return np.asarray(model.predict(result.x), dtype="int64")


def _details(result: RunResult, ks: Sequence[int]) -> dict[int, SilhouetteDetail]:
    unknown = [k for k in ks if k not in result.selection.fitted]
    if unknown:
        raise ValueError(f"k={unknown[0]} was not part of the sweep (k={sorted(result.selection.fitted)})")
    rs = result.selection.random_state
    return {k: per_cluster_silhouette(result.x, _canonical_labels(result, k), k, rs) for k in ks}


def silhouette_summary(result: RunResult, ks: Sequence[int]) -> pd.DataFrame:
    """Per k: mean silhouette, the weakest segment, segments below the mean, share of poorly placed customers."""
    rows = []
    for k, detail in _details(result, ks).items():
        per_cluster = np.asarray(detail.per_cluster)
        sizes = np.bincount(detail.labels, minlength=k)
        rows.append(
            {
                "k": k,
                "mean silhouette": detail.overall,
                "weakest segment silhouette": float(np.nanmin(per_cluster)),
                "segments below the mean": int(np.sum(per_cluster < detail.overall)),
                "customers with negative silhouette": float(np.mean(detail.values < 0)),
                "smallest segment": int(sizes.min()),
            }
        )
    return pd.DataFrame(rows).set_index("k")


def _knife(ax: Axes, detail: SilhouetteDetail, k: int) -> None:
    colours = segment_colours(k)
    y_low = 5
    for segment in range(k):
        band = np.sort(detail.values[detail.labels == segment])
        ax.fill_betweenx(np.arange(y_low, y_low + len(band)), 0, band, color=colours[segment], alpha=0.85)
        ax.text(-0.05, y_low + len(band) / 2, str(segment), va="center", ha="right", fontsize=8)
        y_low += len(band) + 5
    ax.axvline(detail.overall, color="red", linestyle="--", label=f"mean {detail.overall:.3f}")
    ax.set(title=f"k={k}", xlabel="silhouette", xlim=(min(-0.1, float(detail.values.min()) - 0.05), 1))
    ax.set_yticks([])
    ax.legend(loc="lower right", fontsize=8)


def silhouette_panels(result: RunResult, ks: Sequence[int]) -> Figure:
    """scikit-learn's silhouette "knife" plot for several k side by side, one band per segment."""
    details = _details(result, ks)
    fig = Figure(figsize=(4.2 * len(ks), 5), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(ks), sharex=False))
    for ax, (k, detail) in zip(axes, details.items(), strict=True):
        _knife(ax, detail, k)
    axes[0].set_ylabel("customers, by segment (sorted by silhouette)")
    fig.suptitle("Silhouette of every customer: wide bands reaching right = well-separated segments")
    return fig


def profiles_table(profiles: Sequence[SegmentProfile]) -> pd.DataFrame:
    """One row per segment: name, size, medians in original units, gender mix, cohesion, action."""
    rows = []
    for p in profiles:
        row: dict[str, object] = {
            "segment": p.id,
            "name": p.name,
            "customers": p.size,
            "share": p.share,
        }
        for column, median in p.medians.items():
            row[f"median {LABELS.get(column, column).lower()}"] = median
        if p.gender_mix:
            row["female share"] = p.gender_mix.get("Female", 0.0)
        if p.jaccard is not None:
            row["stability (Jaccard)"] = f"{p.jaccard:.2f} ({p.jaccard_reading})"
        row["silhouette"] = p.silhouette
        row["below mean silhouette"] = p.below_mean_silhouette
        row["suggested action"] = p.action
        rows.append(row)
    return pd.DataFrame(rows).set_index("segment")


def _same_customers(results: Sequence[RunResult]) -> None:
    first = results[0].clean[CUSTOMER_ID].to_numpy()
    for other in results[1:]:
        if not np.array_equal(first, other.clean[CUSTOMER_ID].to_numpy()):
            raise ValueError("the runs were trained on different customers; compare runs of the same data")


def compare_runs(results: Sequence[RunResult]) -> pd.DataFrame:
    """Key figures of several runs (one column each, e.g. k=4 and the chosen k) side by side."""
    _same_customers(results)
    columns = {}
    for r in results:
        sel, k = r.selection, r.selection.chosen_k
        score = sel.score_for(k)
        columns[f"k={k}"] = {
            "mean silhouette": r.silhouette_detail.overall,
            "Calinski–Harabasz": score.calinski_harabasz,
            "Davies–Bouldin": score.davies_bouldin,
            "inertia": score.inertia,
            "stability: mean ARI": r.stability.mean_ari,
            "stability: worst ARI": r.stability.min_ari,
            "stability verdict": r.stability.verdict,
            "smallest segment (customers)": min(p.size for p in r.profiles),
            "segments below mean silhouette": sum(bool(p.below_mean_silhouette) for p in r.profiles),
            "silhouette method would pick": f"k={sel.best_k}",
        }
    return pd.DataFrame(columns)


def _label(r: RunResult) -> np.ndarray:
    names = np.array([f"{p.id}: {p.name}" for p in r.profiles], dtype=object)
    return names[r.labels]


def segment_crosstab(coarse: RunResult, fine: RunResult) -> pd.DataFrame:
    """Customers per (segment in ``coarse``, segment in ``fine``): where each segment goes when k changes."""
    _same_customers([coarse, fine])
    table = pd.crosstab(
        pd.Series(_label(coarse), name=f"k={coarse.selection.chosen_k}"),
        pd.Series(_label(fine), name=f"k={fine.selection.chosen_k}"),
    )
    return table


def compare_verdict(a: RunResult, b: RunResult) -> list[str]:
    """Plain-language findings of comparing two runs on the same customers (computed, never canned)."""
    ka, kb = a.selection.chosen_k, b.selection.chosen_k
    sa, sb = a.silhouette_detail.overall, b.silhouette_detail.overall
    sharper, blurrier = ((kb, sb), (ka, sa)) if sb > sa else ((ka, sa), (kb, sb))
    lines = [
        f"k={sharper[0]} separates customers more clearly: mean silhouette {sharper[1]:.3f} against "
        f"{blurrier[1]:.3f} for k={blurrier[0]}."
    ]
    agree = [
        label
        for label, attr, higher in _METRICS[1:]
        if (getattr(a.selection.score_for(ka), attr) < getattr(b.selection.score_for(kb), attr)) == higher
    ]
    lines.append(f"The other scores preferring k={kb} over k={ka}: {', '.join(agree) if agree else 'none'}.")
    ma, mb = a.stability.mean_ari, b.stability.mean_ari
    steadier, shakier = ((ka, ma), (kb, mb)) if ma >= mb else ((kb, mb), (ka, ma))
    lines.append(
        f"k={steadier[0]} is the steadier under resampling (mean ARI {steadier[1]:.3f} against {shakier[1]:.3f}; "
        f"verdicts: k={ka} {a.stability.verdict}, k={kb} {b.stability.verdict})."
    )
    coarse, fine = (a, b) if ka < kb else (b, a)
    table = segment_crosstab(coarse, fine)
    for segment, row in table.iterrows():
        shares = row / row.sum()
        parts = shares[shares >= SPLIT_SHARE].sort_values(ascending=False)
        if len(parts) > 1:
            into = " and ".join(f"'{name}' ({share:.0%})" for name, share in parts.items())
            lines.append(f"At k={fine.selection.chosen_k}, '{segment}' splits into {into}.")
    return lines


def side_by_side_scatter(results: Sequence[RunResult]) -> Figure:
    """Income vs spending coloured by segment, one panel per run, centroids marked."""
    missing = [c for c in (ANNUAL_INCOME, SPENDING_SCORE) for r in results if c not in r.features]
    if missing:
        raise ValueError(f"side_by_side_scatter needs {missing[0]!r} among the model features")
    fig = Figure(figsize=(7 * len(results), 7), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(results), sharey=True))
    for ax, r in zip(axes, results, strict=True):
        colours = segment_colours(len(r.profiles))
        for p in r.profiles:
            rows = r.clean.loc[r.labels == p.id]
            ax.scatter(
                rows[ANNUAL_INCOME],
                rows[SPENDING_SCORE],
                s=20,
                alpha=0.8,
                color=colours[p.id],
                label=f"{p.id}: {p.name} (n={p.size})",
            )
        ax.scatter(
            [p.centroid[ANNUAL_INCOME] for p in r.profiles],
            [p.centroid[SPENDING_SCORE] for p in r.profiles],
            marker="X",
            s=200,
            c="black",
            edgecolors="white",
            linewidths=1.5,
            zorder=5,
        )
        ax.set(
            title=f"k={r.selection.chosen_k} (silhouette {r.silhouette_detail.overall:.3f})",
            xlabel=LABELS[ANNUAL_INCOME],
            ylabel=LABELS[SPENDING_SCORE],
        )
        ax.grid(alpha=0.3)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=1, fontsize=8, frameon=False)
    return fig
