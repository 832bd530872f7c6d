"""The plain-language report (``summary.txt``): data, cleaning, k selection, segments, reproduction."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..schema import AGE, ANNUAL_INCOME, LABELS, SPENDING_SCORE

if TYPE_CHECKING:
    from ..pipeline import RunResult

WIDTH = 78


def _rule(title: str) -> list[str]:
    return ["", title.upper(), "=" * len(title)]


def build_summary(result: RunResult) -> str:
    """Render the whole report as text (deterministic for the same inputs and settings)."""
    sel, quality, stability = result.selection, result.quality, result.stability
    lines = [
        "CUSTOMER SEGMENTATION REPORT",
        "=" * WIDTH,
        f"Input: {result.source_name} (sha256 {result.input_sha256[:16]}…)",
        f"Rows read: {quality.rows_in}; rows used after cleaning: {quality.rows_out}",
        f"Features: {', '.join(result.features)} (numeric features standardised; gender encoded Male=1)",
    ]
    lines += _rule("Data quality")
    if quality.actions:
        for action in quality.actions:
            where = f"[{action.column}] " if action.column else ""
            lines.append(f"- {where}{action.detail}: {action.count}")
    else:
        lines.append("- No problems found: nothing was changed.")
    for note in quality.notes:
        lines.append(f"- Note: {note}")
    for outlier in quality.outliers:
        verb = "clipped" if outlier.clipped else "kept"
        lines.append(
            f"- Outliers in {outlier.column} (outside {outlier.low_fence:g}..{outlier.high_fence:g}, 1.5×IQR): "
            f"{outlier.count} ({verb})"
        )

    lines += _rule("Choosing the number of segments (k)")
    lines.append(f"Silhouette estimator: {sel.estimator.description}.")
    lines.append(f"K-Means: n_init={sel.n_init}, random_state={sel.random_state}.")
    lines.append("")
    sampled = sel.estimator.method != "exact"
    spread_header = f"  {'spread':>7}" if sampled else ""
    header = f"{'k':>3}  {'silhouette':>10}{spread_header}  {'Calinski-Harabasz':>17}  {'Davies-Bouldin':>14}"
    lines.append(f"{header}  {'inertia':>12}")
    for s in sel.scores:
        mark = "  <- chosen" if s.k == sel.chosen_k else ("  <- best silhouette" if s.k == sel.best_k else "")
        spread = f"  {s.silhouette_std:>7.4f}" if sampled else ""
        lines.append(
            f"{s.k:>3}  {s.silhouette:>10.4f}{spread}  {s.calinski_harabasz:>17.2f}  {s.davies_bouldin:>14.4f}  "
            f"{s.inertia:>12.2f}{mark}"
        )
    lines.append("")
    lines.append(f"Decision: {sel.reason}.")
    lines.append(
        f"Stability: mean adjusted Rand index {stability.mean_ari:.3f} (sd {stability.std_ari:.3f}, min "
        f"{stability.min_ari:.3f}) over {stability.resamples} bootstrap refits on {stability.rows} rows: "
        f"{stability.verdict}."
    )
    detail = result.silhouette_detail
    weak = [p for p in result.profiles if p.below_mean_silhouette]
    lines.append(
        f"Per-segment silhouette (exact, on {detail.rows} rows; overall mean {detail.overall:.3f}): "
        + ", ".join(f"{p.id}: {p.silhouette:.3f}" for p in result.profiles if p.silhouette is not None)
    )
    if weak:
        lines.append(
            "Below the overall mean (less cohesive, treat their boundaries with care): "
            + ", ".join(f"{p.id} ({p.name})" for p in weak)
        )

    lines += _rule(f"The {len(result.profiles)} segments")
    lines.append("Segment ids are ordered by centroid income, then spending score, then age.")
    for p in result.profiles:
        lines.append("")
        lines.append(f"Segment {p.id} — {p.name}")
        lines.append(f"  Size: {p.size} customers ({p.share:.1%})")
        medians = [
            f"{LABELS[c].lower()} {p.medians[c]:g}" for c in (AGE, ANNUAL_INCOME, SPENDING_SCORE) if c in p.medians
        ]
        if medians:
            lines.append(f"  Medians: {', '.join(medians)}")
        if p.gender_mix:
            lines.append("  Gender mix: " + ", ".join(f"{g} {v:.0%}" for g, v in p.gender_mix.items()))
        lines.append(f"  Who they are: {p.description}")
        lines.append(f"  Suggested action: {p.action}")

    lines += _rule("Reproduce this run")
    lines.append(f"  {result.command}")
    lines.append(f"Model: {result.model_version} (scikit-learn {result.versions.get('scikit-learn')}).")
    return "\n".join(lines) + "\n"
