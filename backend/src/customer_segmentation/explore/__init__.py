"""Notebook helpers: tables and figures that let an analyst *see* what the package does.

Every number comes from the package's own functions (cleaning, k selection, training, profiling);
these helpers only arrange the results as DataFrames and matplotlib figures. The figures are built
with matplotlib's object-oriented API (``matplotlib.figure.Figure``, no pyplot state), so they need
no display, never leak between cells or tests, and render inline when a notebook shows them.

- :mod:`.quality`  — the cleaning rules made visible: a deliberately dirty sample, the report
  as a table.
- :mod:`.data`     — distributions, pair plot, correlations and gender mix of a clean table.
- :mod:`.modeling` — the k-selection evidence, per-sample silhouettes for several k, segment
  profiles, and two segmentations (e.g. the seed analysis' k=4 and the chosen k) side by side.
"""

from __future__ import annotations

from .data import (
    correlation_figure,
    correlation_table,
    distribution_figure,
    gender_mix_table,
    pair_plot,
)
from .modeling import (
    compare_runs,
    compare_verdict,
    interesting_ks,
    metric_winners,
    profiles_table,
    score_table,
    segment_crosstab,
    side_by_side_scatter,
    silhouette_panels,
    silhouette_summary,
    train_pinned,
)
from .quality import (
    RULE_REASONS,
    DirtySample,
    expected_vs_reported,
    make_dirty_sample,
    outlier_table,
    quality_table,
    write_preprocessed,
)

__all__ = [
    "RULE_REASONS",
    "DirtySample",
    "compare_runs",
    "compare_verdict",
    "correlation_figure",
    "correlation_table",
    "distribution_figure",
    "expected_vs_reported",
    "gender_mix_table",
    "interesting_ks",
    "make_dirty_sample",
    "metric_winners",
    "outlier_table",
    "pair_plot",
    "profiles_table",
    "quality_table",
    "score_table",
    "segment_crosstab",
    "side_by_side_scatter",
    "silhouette_panels",
    "silhouette_summary",
    "train_pinned",
    "write_preprocessed",
]
