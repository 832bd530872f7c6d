"""The migration heatmap: where the customers of each previous segment are in the new model."""

from __future__ import annotations

import numpy as np

from ..lifecycle.migration import Migration
from .figures import _png, plt


def migration_heatmap(migration: Migration, *, same_lineage: bool = True) -> bytes:
    """Previous segment (rows) × new segment (columns), customers in both runs.

    Colour: the share of the row's customers (so a small segment that split is as visible as a large
    one); text: the count. A last column counts the customers who left, a last row those who arrived.
    """
    counts = np.asarray(migration.counts, dtype="float64").reshape(len(migration.old_segments), -1)
    rows = counts.sum(axis=1, keepdims=True)
    shares = np.divide(counts, rows, out=np.zeros_like(counts), where=rows > 0)
    n_old, n_new = shares.shape
    fig, ax = plt.subplots(figsize=(max(5.5, 0.8 * n_new + 3.5), max(4.0, 0.55 * n_old + 2.5)))
    image = ax.imshow(shares, cmap="Blues", vmin=0, vmax=1, aspect="auto")
    for i in range(n_old):
        for j in range(n_new):
            value = int(counts[i, j])
            if value:
                colour = "white" if shares[i, j] > 0.6 else "black"
                ax.text(j, i, str(value), ha="center", va="center", fontsize=8, color=colour)
        ax.text(n_new - 0.35, i, f"left {migration.only_old_by_segment[i]}", va="center", fontsize=7)
    for j, arrived in enumerate(migration.only_new_by_segment):
        ax.text(j, n_old - 0.35, f"+{arrived}", ha="center", va="center", fontsize=7, color="dimgray")
    ax.set_xticks(range(n_new))
    ax.set_xticklabels([str(s) for s in migration.new_segments])
    ax.set_yticks(range(n_old))
    ax.set_yticklabels([str(s) for s in migration.old_segments])
    ax.set_xlim(-0.5, n_new + 0.6)
    ax.set_ylim(n_old - 0.1, -0.5)
    ax.set_xlabel("segment in this model (+ customers new in this run)")
    ax.set_ylabel("segment in the previous model")
    stayed = migration.stayed / migration.in_both if migration.in_both else 0.0
    what = f"{stayed:.0%} stayed in their segment" if same_lineage else "segment ids of another lineage"
    ax.set_title(f"Migration of the {migration.in_both} customers in both runs ({what})")
    fig.colorbar(image, ax=ax, label="share of the previous segment's customers")
    return _png(fig)
