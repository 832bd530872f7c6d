"""Describe each segment in business terms: who they are, how many, and what to do with them.

Names are derived from the data, never hard-coded, e.g. "Young · high income · high spending":
income and spending are relative — a segment's median is placed in the population's lower, middle or
upper third, because their units differ between data sets — while age uses absolute life-stage
bands (under 35 young, 35–49 middle-aged, 50+ older), because "young" means the same in every data
set. Suggested actions follow from the income × spending position.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from .schema import AGE, ANNUAL_INCOME, GENDER, GENDER_CATEGORIES, NUMERIC_COLUMNS, SPENDING_SCORE

LEVELS = ("low", "mid", "high")
_AGE_WORDS = {"low": "Young", "mid": "Middle-aged", "high": "Older"}
AGE_BANDS = (35.0, 50.0)
#: The encoder's output column when gender is a model feature (see ``features.build_preprocessor``).
GENDER_MODEL_COLUMN = "gender_Male"
#: A segment is named "Women"/"Men" when at least this share of it is of one gender, else "Mixed".
GENDER_MAJORITY = 0.6  # [0, 35) young, [35, 50) middle-aged, [50, ∞) older

_ACTIONS: dict[tuple[str, str], str] = {
    ("high", "high"): "Reward and retain: VIP/loyalty programme, early access to premium launches, personal service.",
    ("high", "mid"): "Upsell: premium bundles and personalised recommendations to lift spending toward their means.",
    ("high", "low"): "Win share of wallet: find out what they miss, targeted premium offers and quality messaging.",
    ("mid", "high"): "Keep them engaged: loyalty points, new arrivals and cross-sell on their favourite categories.",
    ("mid", "mid"): "Grow steadily: seasonal campaigns, cross-sell and a nudge to join the loyalty programme.",
    ("mid", "low"): "Re-activate: reminders, limited-time offers and value bundles.",
    (
        "low",
        "high",
    ): "Serve the enthusiasts: trend-led, affordable ranges, instalments and loyalty points; watch credit risk.",
    ("low", "mid"): "Value focus: affordable bundles and clear price messaging.",
    ("low", "low"): "Price-sensitive: discounts, essentials and value packs; low-cost channels only.",
}


class SegmentProfile(BaseModel):
    """One segment in original units, with a data-derived name, description and action.

    A pydantic model because the model card lists exactly these fields (``modeling.card.SegmentInfo``
    extends it with the user's labels): one definition for training and serving."""

    model_config = ConfigDict(extra="forbid")

    id: int
    name: str
    description: str
    action: str | None
    size: int
    share: float
    medians: dict[str, float]
    means: dict[str, float]
    centroid: dict[str, float]
    levels: dict[str, str]
    gender_mix: dict[str, float] = Field(default_factory=dict)
    silhouette: float | None = None
    below_mean_silhouette: bool | None = None
    #: Per categorical column: share of each level in the segment.
    level_shares: dict[str, dict[str, float]] = Field(default_factory=dict)
    #: The terms of the name and the share of members each one is true of.
    name_terms: list[dict[str, Any]] = Field(default_factory=list)
    #: Hennig's clusterwise bootstrap Jaccard of the segment, and its reading.
    jaccard: float | None = None
    jaccard_reading: str | None = None
    #: RFM runs: the segment's share of all customers' monetary value.
    revenue_share: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump()


def _level(value: float, low_cut: float, high_cut: float) -> str:
    if value < low_cut:
        return "low"
    if value > high_cut:
        return "high"
    return "mid"


def _age_level(age: float) -> str:
    if age < AGE_BANDS[0]:
        return "low"
    return "mid" if age < AGE_BANDS[1] else "high"


def _gender_word(mix: dict[str, float]) -> str:
    if not mix:
        return "Mixed"
    majority = max(GENDER_CATEGORIES, key=lambda g: mix.get(g, 0.0))
    if mix.get(majority, 0.0) < GENDER_MAJORITY:
        return "Mixed"
    return "Women" if majority == GENDER_CATEGORIES[0] else "Men"


def _name(levels: dict[str, str], model_columns: set[str], mix: dict[str, float]) -> str:
    """Name a segment by the features the model used (all three numeric ones by default)."""
    named = [
        c for c in (AGE, ANNUAL_INCOME, SPENDING_SCORE) if c in levels and (not model_columns or c in model_columns)
    ]
    parts = [_gender_word(mix)] if GENDER_MODEL_COLUMN in model_columns else []
    if AGE in named:
        parts.append(_AGE_WORDS[levels[AGE]])
    if ANNUAL_INCOME in named:
        parts.append(f"{levels[ANNUAL_INCOME]} income")
    if SPENDING_SCORE in named:
        parts.append(f"{levels[SPENDING_SCORE]} spending")
    text = " · ".join(parts)
    return text[:1].upper() + text[1:]


def _describe(profile: SegmentProfile) -> str:
    bits = [f"{profile.size} customers ({profile.share:.1%})"]
    m = profile.medians
    if AGE in m:
        bits.append(f"median age {m[AGE]:g}")
    if ANNUAL_INCOME in m:
        bits.append(f"median income {m[ANNUAL_INCOME]:g} k$")
    if SPENDING_SCORE in m:
        bits.append(f"median spending score {m[SPENDING_SCORE]:g}")
    text = ", ".join(bits)
    if profile.gender_mix:
        majority = max(profile.gender_mix, key=lambda g: profile.gender_mix[g])
        text += f"; {profile.gender_mix[majority]:.0%} {majority.lower()}"
    return text + "."


def _action(levels: dict[str, str]) -> str:
    income = levels.get(ANNUAL_INCOME, "mid")
    spending = levels.get(SPENDING_SCORE, "mid")
    action = _ACTIONS[(income, spending)]
    if levels.get(AGE) == "low":
        action += " Reach them on mobile and social channels."
    elif levels.get(AGE) == "high":
        action += " Favour in-store service, email and comfort-oriented offers."
    return action


def _disambiguate(profiles: list[SegmentProfile], model_columns: set[str]) -> None:
    """Two segments can land in the same bands: tell them apart by the median of a model feature
    (the first one whose medians differ), else by their id order."""
    by_name: dict[str, list[SegmentProfile]] = {}
    for profile in profiles:
        by_name.setdefault(profile.name, []).append(profile)
    for same in (group for group in by_name.values() if len(group) > 1):
        numeric = [c for c in (AGE, ANNUAL_INCOME, SPENDING_SCORE) if c in model_columns or not model_columns]
        telling = next(
            (
                c
                for c in numeric
                if all(c in p.medians for p in same) and len({p.medians[c] for p in same}) == len(same)
            ),
            None,
        )
        for rank, profile in enumerate(same, start=1):
            if telling is not None:
                profile.name = f"{profile.name} (median {_SHORT_LABELS[telling]} {profile.medians[telling]:g})"
            else:
                profile.name = f"{profile.name} ({rank})"


_SHORT_LABELS = {AGE: "age", ANNUAL_INCOME: "income", SPENDING_SCORE: "spending"}


def profile_segments(
    frame: pd.DataFrame,
    labels: np.ndarray,
    centroids: pd.DataFrame,
    *,
    silhouettes: list[float] | None = None,
    overall_silhouette: float | None = None,
) -> list[SegmentProfile]:
    """Profiles for segments ``0..k-1`` of ``frame`` (clean data, original units), in one pass."""
    numeric = [c for c in NUMERIC_COLUMNS if c in frame.columns]
    quantiles = frame[numeric].quantile([1 / 3, 2 / 3])
    cuts = {c: (float(quantiles.loc[1 / 3, c]), float(quantiles.loc[2 / 3, c])) for c in numeric}
    grouped = frame.assign(_segment=labels).groupby("_segment", sort=True)
    parts = [
        grouped.size().rename("size"),
        grouped[numeric].median().add_prefix("median_"),
        grouped[numeric].mean().add_prefix("mean_"),
    ]
    with_gender = GENDER in frame.columns
    if with_gender:
        counts = frame.assign(_segment=labels).groupby(["_segment", GENDER]).size().unstack(fill_value=0)
        parts.append(counts.reindex(columns=list(GENDER_CATEGORIES), fill_value=0).add_prefix("n_"))
    stats = pd.concat(parts, axis=1)
    return profiles_from_aggregates(
        stats, cuts, centroids, len(frame), numeric, with_gender, silhouettes, overall_silhouette, (frame, labels)
    )


def profiles_from_aggregates(
    stats: pd.DataFrame,
    cuts: dict[str, tuple[float, float]],
    centroids: pd.DataFrame,
    total: int,
    numeric: list[str],
    with_gender: bool,
    silhouettes: list[float] | None = None,
    overall_silhouette: float | None = None,
    members: tuple[pd.DataFrame, np.ndarray] | None = None,
) -> list[SegmentProfile]:
    """Segment profiles from per-segment aggregates, however they were computed (pandas or Spark).

    With ``members`` (the cleaned rows and their labels) every name term is checked against the
    segment's members (:func:`tell_the_truth`).

    ``stats`` has one row per segment id with ``size``, ``median_<c>``, ``mean_<c>`` and, with gender,
    ``n_<category>``; ``cuts`` holds each numeric column's population thirds (low, high). Names use
    only the model's features — the columns of ``centroids`` — so a model of gender and age is not
    named by income and spending.
    """
    model_columns = {str(c) for c in centroids.columns}
    profiles = []
    for segment in range(len(centroids)):
        row: Any = stats.loc[segment] if segment in stats.index else None
        size = int(row["size"]) if row is not None else 0
        medians = {c: float(row[f"median_{c}"]) for c in numeric} if size else {}
        source = medians or {c: float(centroids.loc[segment, c]) for c in numeric if c in centroids}
        levels = {c: _age_level(v) if c == AGE else _level(v, *cuts[c]) for c, v in source.items()}
        mix = {g: float(row[f"n_{g}"]) / size for g in GENDER_CATEGORIES} if with_gender and size else {}
        silhouette = silhouettes[segment] if silhouettes is not None else None
        profile = SegmentProfile(
            id=segment,
            name=_name(levels, model_columns, mix),
            description="",
            action=_action(levels),
            size=size,
            share=size / total if total else 0.0,
            medians=medians,
            means={c: float(row[f"mean_{c}"]) for c in numeric} if size else {},
            centroid={c: float(centroids.loc[segment, c]) for c in numeric if c in centroids},
            levels=levels,
            gender_mix=mix,
            silhouette=silhouette,
            below_mean_silhouette=(
                bool(silhouette < overall_silhouette)
                if silhouette is not None and overall_silhouette is not None
                else None
            ),
        )
        profile.description = _describe(profile)
        profiles.append(profile)
    if members is not None:
        tell_the_truth(profiles, members[0], members[1], cuts, model_columns)
    _disambiguate(profiles, model_columns)
    return profiles


#: A name term must hold for this share of a segment's members; down to MOSTLY_SHARE it is qualified
#: ("mostly young"), below that it is dropped.
TRUE_SHARE = 0.8
MOSTLY_SHARE = 0.6


def _term_holds(frame: pd.DataFrame, column: str, level: str, cuts: dict[str, tuple[float, float]]) -> pd.Series:
    values = frame[column]
    if column == AGE:
        low, high = AGE_BANDS
    else:
        low, high = cuts[column]
        if level == "mid":
            return (values >= low) & (values <= high)
    if level == "low":
        return values < low
    if level == "high":
        return values > high if column != AGE else values >= high
    return (values >= low) & (values < high)


def tell_the_truth(
    profiles: list[SegmentProfile],
    frame: pd.DataFrame,
    labels: np.ndarray,
    cuts: dict[str, tuple[float, float]],
    model_columns: set[str],
) -> None:
    """Rename each segment so that every term holds for at least TRUE_SHARE of its members, is
    qualified ("mostly …") down to MOSTLY_SHARE, or is dropped; record each term's share."""
    for profile in profiles:
        members = frame.loc[labels == profile.id]
        if members.empty:
            continue
        parts: list[str] = []
        terms: list[dict[str, Any]] = []
        if GENDER_MODEL_COLUMN in model_columns and profile.gender_mix:
            word = _gender_word(profile.gender_mix)
            if word != "Mixed":
                share = max(profile.gender_mix.values())
                terms.append({"feature": GENDER, "term": word.lower(), "true_share": round(share, 4)})
                parts.append(word if share >= TRUE_SHARE else f"mostly {word.lower()}")
            else:
                parts.append("Mixed")
        named = [c for c in (AGE, ANNUAL_INCOME, SPENDING_SCORE) if c in profile.levels and c in model_columns]
        for column in named:
            level = profile.levels[column]
            share = float(_term_holds(members, column, level, cuts).mean())
            word = _AGE_WORDS[level].lower() if column == AGE else f"{level} {_SHORT_LABELS[column]}"
            term = {"feature": column, "term": word, "true_share": round(share, 4), "qualified": False}
            if share >= TRUE_SHARE:
                parts.append(word)
            elif share >= MOSTLY_SHARE:
                parts.append(f"mostly {word}")
                term["qualified"] = True
            else:
                continue
            terms.append(term)
        text = " · ".join(parts) or "Typical customers"
        profile.name = text[:1].upper() + text[1:]
        profile.name_terms = terms
