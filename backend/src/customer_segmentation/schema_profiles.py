"""Profiles for any feature schema: who is in each segment, named by what sets it apart.

A name is built from the features that most distinguish a segment from the population: for a
numeric feature the standardised difference of the segment's mean from the population's (on the
model's scale, so after any log1p), for a categorical one how much more common a level is in the
segment than overall. Up to :data:`MAX_TERMS` terms whose effect is at least :data:`MIN_EFFECT`
are used, strongest first ("High Grocery · high Detergents_Paper · low Fresh").

Names tell the truth: "high X" means above the population median of X, and a term is used as is only
when it holds for at least :data:`TRUE_SHARE` of the segment's members; between
:data:`MOSTLY_SHARE` and that it is qualified ("mostly high X"); below, it is dropped. Each term and
the share of members it is true of are kept in the profile (``name_terms``).

No marketing action is invented for features whose meaning the product does not know: the profile
describes the segment with numbers instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .feature_schema import FeatureSchema, Transform
from .profiling import LEVELS, SegmentProfile

MAX_TERMS = 3
MIN_EFFECT = 0.5
TRUE_SHARE = 0.8
MOSTLY_SHARE = 0.6
#: A level names a segment when its share there exceeds its population share by this much.
LEVEL_LIFT = 0.25


def _model_scale(values: pd.Series, transform: Transform) -> np.ndarray:
    array = values.to_numpy(dtype="float64")
    return np.log1p(array) if transform is Transform.LOG1P else array


@dataclass(frozen=True)
class _Population:
    """Per numeric feature, computed once for all segments: values on the model's scale, their mean
    and spread, the raw values and the population median."""

    scaled: dict[str, np.ndarray]
    mean: dict[str, float]
    spread: dict[str, float]
    raw: dict[str, np.ndarray]
    median: dict[str, float]

    @classmethod
    def of(cls, frame: pd.DataFrame, schema: FeatureSchema) -> _Population:
        scaled = {s.name: _model_scale(frame[s.name], s.transform) for s in schema.numeric_features}
        raw = {s.name: frame[s.name].to_numpy(dtype="float64") for s in schema.numeric_features}
        return cls(
            scaled,
            {n: float(v.mean()) for n, v in scaled.items()},
            {n: float(v.std()) for n, v in scaled.items()},
            raw,
            {n: float(np.median(v)) for n, v in raw.items()},
        )


def _numeric_terms(
    population: _Population, members: np.ndarray, schema: FeatureSchema
) -> list[tuple[float, dict[str, Any]]]:
    terms: list[tuple[float, dict[str, Any]]] = []
    if not members.any():
        return terms
    for spec in schema.numeric_features:
        spread = population.spread[spec.name]
        if spread == 0:
            continue
        effect = (float(population.scaled[spec.name][members].mean()) - population.mean[spec.name]) / spread
        if abs(effect) < MIN_EFFECT:
            continue
        median = population.median[spec.name]
        values = population.raw[spec.name][members]
        direction = "high" if effect > 0 else "low"
        true_share = float(np.mean(values > median) if effect > 0 else np.mean(values < median))
        terms.append(
            (
                abs(effect),
                {
                    "feature": spec.name,
                    "term": f"{direction} {spec.display}",
                    "direction": direction,
                    "effect": round(effect, 4),
                    "true_share": round(true_share, 4),
                },
            )
        )
    return terms


def _level_terms(
    frame: pd.DataFrame, labels: np.ndarray, segment: int, schema: FeatureSchema
) -> list[tuple[float, dict[str, Any]]]:
    members = labels == segment
    terms = []
    for spec in schema.categorical_features:
        overall = frame[spec.name].value_counts(normalize=True)
        inside = frame.loc[members, spec.name].value_counts(normalize=True)
        for level, share in inside.items():
            lift = float(share) - float(overall.get(level, 0.0))
            if lift >= LEVEL_LIFT:
                terms.append(
                    (
                        2 * lift,  # on the numeric effects' scale: a level shift of 0.5 ≈ one std
                        {
                            "feature": spec.name,
                            "term": f"{spec.display} {level}",
                            "direction": "level",
                            "effect": round(lift, 4),
                            "true_share": round(float(share), 4),
                        },
                    )
                )
    return terms


def _name(terms: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    used = []
    for term in terms:
        if term["true_share"] >= TRUE_SHARE:
            used.append({**term, "qualified": False})
        elif term["true_share"] >= MOSTLY_SHARE:
            used.append({**term, "term": f"mostly {term['term']}", "qualified": True})
    if not used:
        return "Typical customers", []
    text = " · ".join(t["term"] for t in used)
    return text[:1].upper() + text[1:], used


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"


def _describe(profile: SegmentProfile, schema: FeatureSchema) -> str:
    bits = [f"{profile.size:,} customers ({profile.share:.1%})"]
    for spec in schema.numeric_features:
        if spec.name in profile.medians:
            unit = f" {spec.unit}" if spec.unit else ""
            bits.append(f"median {spec.display} {_fmt(profile.medians[spec.name])}{unit}")
    text = ", ".join(bits)
    for spec in schema.categorical_features:
        shares = profile.level_shares.get(spec.name)
        if shares:
            level = max(shares, key=lambda k: (shares[k], k))
            text += f"; {spec.display} {level} {shares[level]:.0%}"
    return text + "."


def schema_profiles(
    frame: pd.DataFrame,
    labels: np.ndarray,
    centroids: pd.DataFrame,
    schema: FeatureSchema,
    *,
    silhouettes: list[float] | None = None,
    overall_silhouette: float | None = None,
) -> list[SegmentProfile]:
    """Profiles for segments ``0..k-1`` of the cleaned ``frame`` under any schema."""
    numeric = [
        s.name for s in schema.columns if s.name in frame.columns and pd.api.types.is_numeric_dtype(frame[s.name])
    ]
    categorical = [s.name for s in schema.columns if s.name in frame.columns and s.name not in numeric]
    thirds = frame[numeric].quantile([1 / 3, 2 / 3]) if numeric else None
    population = _Population.of(frame, schema)
    profiles = []
    for segment in range(len(centroids)):
        members = labels == segment
        part = frame.loc[members]
        size = int(members.sum())
        ranked = _numeric_terms(population, members, schema) + _level_terms(frame, labels, segment, schema)
        ranked.sort(key=lambda pair: -pair[0])
        name, used = _name([term for _, term in ranked[:MAX_TERMS]])
        medians = {c: float(part[c].median()) for c in numeric} if size else {}
        levels: dict[str, str] = {}
        if thirds is not None and size:
            for c in (s.name for s in schema.numeric_features):
                low, high = float(thirds.loc[1 / 3, c]), float(thirds.loc[2 / 3, c])
                value = medians[c]
                levels[c] = LEVELS[0] if value < low else (LEVELS[2] if value > high else LEVELS[1])
        silhouette = silhouettes[segment] if silhouettes is not None else None
        profile = SegmentProfile(
            id=segment,
            name=name,
            description="",
            action=None,
            size=size,
            share=size / len(frame) if len(frame) else 0.0,
            medians=medians,
            means={c: float(part[c].mean()) for c in numeric} if size else {},
            centroid={
                s.name: float(centroids.loc[segment, s.name]) for s in schema.numeric_features if s.name in centroids
            },
            levels=levels,
            silhouette=silhouette,
            below_mean_silhouette=(
                bool(silhouette < overall_silhouette)
                if silhouette is not None and overall_silhouette is not None
                else None
            ),
            level_shares={
                c: {str(k): float(v) for k, v in part[c].value_counts(normalize=True).sort_index().items()}
                for c in categorical
            }
            if size
            else {},
            name_terms=used,
        )
        profile.description = _describe(profile, schema)
        profiles.append(profile)
    if schema.kind == "rfm":
        name_rfm_segments(profiles, frame, labels)
    else:
        _disambiguate(profiles, schema)
    return profiles


RFM_MEASURES = ("recency_days", "frequency", "monetary")


def name_rfm_segments(profiles: list[SegmentProfile], frame: pd.DataFrame, labels: np.ndarray) -> None:
    """RFM segments get the marketers' vocabulary (Champions, At risk, …) with its action, from their
    median recency/frequency/monetary against all customers (``transactions.naming``), and each
    segment's share of revenue (its customers' monetary value over everyone's)."""
    from .transactions.naming import name_segments

    total = float(frame["monetary"].sum()) if "monetary" in frame.columns else 0.0
    for profile in profiles:
        members = frame.loc[labels == profile.id]
        if total > 0:
            profile.revenue_share = float(members["monetary"].sum()) / total
    if not all(m in frame.columns for m in RFM_MEASURES):
        return  # a run on other derived features: the generic names stand
    medians = pd.DataFrame(
        {m: [float(frame.loc[labels == p.id, m].median()) for p in profiles] for m in RFM_MEASURES},
        index=[p.id for p in profiles],
    )
    for profile, named in zip(profiles, name_segments(medians, frame[list(RFM_MEASURES)]), strict=True):
        profile.name = named.name
        profile.action = named.action
        profile.name_terms = [
            {"feature": "rfm", "term": named.base, "r": named.r, "f": named.f, "m": named.m, "fm": named.fm}
        ]
        if profile.revenue_share is not None:
            profile.description = profile.description.rstrip(".") + f"; {profile.revenue_share:.1%} of revenue."


def _disambiguate(profiles: list[SegmentProfile], schema: FeatureSchema) -> None:
    """Two segments with the same name are told apart by the median of the first numeric feature
    whose medians differ (else by rank)."""
    by_name: dict[str, list[SegmentProfile]] = {}
    for profile in profiles:
        by_name.setdefault(profile.name, []).append(profile)
    for same in (group for group in by_name.values() if len(group) > 1):
        telling = next(
            (
                s
                for s in schema.numeric_features
                if all(s.name in p.medians for p in same) and len({p.medians[s.name] for p in same}) == len(same)
            ),
            None,
        )
        for rank, profile in enumerate(same, start=1):
            if telling is not None:
                profile.name = f"{profile.name} (median {telling.display} {_fmt(profile.medians[telling.name])})"
            else:
                profile.name = f"{profile.name} ({rank})"
