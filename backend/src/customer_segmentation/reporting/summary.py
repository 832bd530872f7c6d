"""The plain-language report (``summary.txt``): data, cleaning, k selection, segments, reproduction."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..modeling.segment_stability import describe_ari
from ..schema import AGE, ANNUAL_INCOME, LABELS, SPENDING_SCORE

if TYPE_CHECKING:
    from ..feature_schema import FeatureSchema
    from ..run_result import RunResult

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
        *_feature_lines(result),
    ]
    if result.warnings:
        lines += _rule("Warnings")
        lines += [f"- {warning}" for warning in result.warnings]
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
    wins = k_wins(result)
    ari = ari_by_k(result)
    lines.append(f"{header}  {'inertia':>12}  {'wins':>7}  {'mean ARI':>8}")
    for s in sel.scores:
        mark = "  <- chosen" if s.k == sel.chosen_k else ("  <- best silhouette" if s.k == sel.best_k else "")
        spread = f"  {s.silhouette_std:>7.4f}" if sampled else ""
        lines.append(
            f"{s.k:>3}  {s.silhouette:>10.4f}{spread}  {s.calinski_harabasz:>17.2f}  {s.davies_bouldin:>14.4f}  "
            f"{s.inertia:>12.2f}  {wins.get(s.k, ''):>7}  {ari.get(s.k, ''):>8}{mark}"
        )
    lines.append("")
    lines.append(f"Decision: {sel.reason}.")
    if result.k_certainty is not None:
        choice = result.k_certainty.choice
        lines.append(f"How certain: {choice.statement}")
        lines.append(
            "('wins': how many of the random 80 % subsamples each k won; 'mean ARI': bootstrap stability of each k.)"
        )
    ari_text = describe_ari(stability.mean_ari, stability.min_ari, stability.resamples)
    lines.append(
        f"Stability of k={sel.chosen_k}: adjusted Rand index sd {stability.std_ari:.3f} over "
        f"{stability.resamples} bootstrap refits on {stability.rows} rows — {ari_text}."
    )
    if result.segment_stability is not None:
        lines.append(
            "Per-segment stability (clusterwise bootstrap Jaccard, Hennig 2007: ≥0.85 highly stable, 0.75–0.85 "
            "stable, 0.6–0.75 a pattern, <0.6 dissolved): "
            + ", ".join(
                f"{seg.segment}: {seg.mean_jaccard:.2f} ({seg.reading})" for seg in result.segment_stability.segments
            )
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
    lines.append(_order_sentence(result.schema))
    for p in result.profiles:
        lines.append("")
        lines.append(f"Segment {p.id} — {p.name}")
        lines += _user_label_lines(result, p.id)
        revenue = f"; {p.revenue_share:.1%} of revenue" if p.revenue_share is not None else ""
        lines.append(f"  Size: {p.size} customers ({p.share:.1%}){revenue}")
        medians = _median_texts(result.schema, p.medians)
        if medians:
            lines.append(f"  Medians: {', '.join(medians)}")
        if p.gender_mix:
            lines.append("  Gender mix: " + ", ".join(f"{g} {v:.0%}" for g, v in p.gender_mix.items()))
        for column, shares in p.level_shares.items():
            label = result.schema.label(column)
            lines.append(f"  {label}: " + ", ".join(f"{level} {v:.0%}" for level, v in shares.items()))
        lines.append(f"  Who they are: {p.description}")
        if p.action:
            lines.append(f"  Suggested action: {p.action}")
        else:
            lines.append(
                "  Suggested action: none — the product does not know what these features mean, so it "
                "describes the segment with numbers instead of inventing advice."
            )

    if result.lineage is not None:
        from ..lifecycle.report import summary_lines

        lines += _rule("Changes since the previous model")
        lines += summary_lines(result.lineage)

    lines += _rule("Reproduce this run")
    lines.append(f"  {result.command}")
    lines.append(f"Model: {result.model_version} (scikit-learn {result.versions.get('scikit-learn')}).")
    return "\n".join(lines) + "\n"


def _user_label_lines(result: RunResult, segment_id: int) -> list[str]:
    """Where the name or action shown is the user's (PATCH /clusters/{id}), say so and keep the generated one."""
    lineage = result.lineage
    label = lineage.labels.get(segment_id) if lineage is not None else None
    if lineage is None or label is None:
        return []
    lines = []
    if label.name:
        lines.append(f"  Named by your team; the data-derived name is: {lineage.generated_names.get(segment_id)}")
    if label.action:
        lines.append("  The action below is your team's.")
    return lines


def k_wins(result: RunResult) -> dict[int, str]:
    """Per k: "won/resamples" over the resampled sweeps (empty when not measured)."""
    if result.k_certainty is None:
        return {}
    wins = result.k_certainty.wins
    return {score.k: f"{score.wins}/{wins.resamples}" for score in wins.scores}


def ari_by_k(result: RunResult) -> dict[int, str]:
    if result.stability_by_k is None:
        return {}
    return {item.k: f"{item.mean_ari:.2f}" for item in result.stability_by_k.scores}


def _feature_lines(result: RunResult) -> list[str]:
    schema = result.schema
    if schema.kind == "mall":
        return [f"Features: {', '.join(result.features)} (numeric features standardised; gender encoded Male=1)"]
    numeric = [f"{s.name} (log1p)" if s.transform.value == "log1p" else s.name for s in schema.numeric_features]
    lines = [f"Numeric features (standardised): {', '.join(numeric) or 'none'}"]
    if schema.categorical_features:
        lines.append(
            "Categorical features (one-hot; two levels = one 0/1 column): "
            + ", ".join(s.name for s in schema.categorical_features)
        )
    notes = [f"{s.name}: {s.transform_note}" for s in schema.numeric_features if s.transform_note]
    if notes:
        lines.append("Transforms decided by 'auto': " + "; ".join(notes))
    if schema.describe:
        lines.append(f"Described, not clustered: {', '.join(s.name for s in schema.describe)}")
    if schema.id_column is None:
        lines.append("Customer ids: the table has none, so customers are numbered row_id 1..n in file order.")
    else:
        lines.append(f"Customer ids: column {schema.id_column}")
    return lines


def _order_sentence(schema: FeatureSchema) -> str:
    if schema.kind == "mall":
        return "Segment ids are ordered by centroid income, then spending score, then age."
    keys = [s.display for s in schema.numeric_features]
    return "Segment ids are ordered by centroid " + ", then ".join(keys) + "." if keys else "Segment ids are arbitrary."


def _median_texts(schema: FeatureSchema, medians: dict[str, float]) -> list[str]:
    if schema.kind == "mall":
        return [f"{LABELS[c].lower()} {medians[c]:g}" for c in (AGE, ANNUAL_INCOME, SPENDING_SCORE) if c in medians]
    texts = []
    for spec in schema.columns:
        if spec.name in medians:
            unit = f" {spec.unit}" if spec.unit else ""
            texts.append(f"{spec.display} {medians[spec.name]:g}{unit}")
    return texts
