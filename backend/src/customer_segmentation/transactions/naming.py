"""Names for RFM segments in the vocabulary marketers use, from where each segment sits in the population.

Each segment's median recency, frequency and monetary value is scored 1–5 against the population of
customers (quintile scores: the share of customers below the median, ties counted half, in fifths).
R is reversed — 5 = bought most recently. FM, the mean of the F and M scores rounded half up, stands
for "how much they buy". The name is read from this table (rows R, columns FM):

=====  ===========  ===================  ===================  ===============  ===============
R\\FM   1            2                    3                    4                5
=====  ===========  ===================  ===================  ===============  ===============
5      New          New                  Potential loyalists  Champions        Champions
4      New          Potential loyalists  Potential loyalists  Champions        Champions
3      Hibernating  Potential loyalists  Loyal                Loyal            Loyal
2      Hibernating  Hibernating          At risk              Can't lose them  Can't lose them
1      Lost         Lost                 At risk              Can't lose them  Can't lose them
=====  ===========  ===================  ===================  ===============  ===============

Recent buyers are split by how much they buy (New → Potential loyalists → Champions); middling
recency with solid buying is Loyal; long-gone customers are At risk, or Can't lose them when they
used to buy a lot, and Hibernating or Lost when they never bought much. Each name has one action
(:data:`ACTIONS`). Two segments never share a name: when several land in the same cell, each is
qualified by the measure on which they differ most — "At risk (higher spend)", "At risk (lower
spend)"; three or more get "highest / … / lowest" in that order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .rules import FREQUENCY, MONETARY, RECENCY

CHAMPIONS = "Champions"
LOYAL = "Loyal"
POTENTIAL = "Potential loyalists"
NEW = "New"
AT_RISK = "At risk"
CANT_LOSE = "Can't lose them"
HIBERNATING = "Hibernating"
LOST = "Lost"
VOCABULARY: tuple[str, ...] = (CHAMPIONS, LOYAL, POTENTIAL, NEW, AT_RISK, CANT_LOSE, HIBERNATING, LOST)

#: GRID[5 - R][FM - 1]: the table of the module docstring.
GRID: tuple[tuple[str, ...], ...] = (
    (NEW, NEW, POTENTIAL, CHAMPIONS, CHAMPIONS),
    (NEW, POTENTIAL, POTENTIAL, CHAMPIONS, CHAMPIONS),
    (HIBERNATING, POTENTIAL, LOYAL, LOYAL, LOYAL),
    (HIBERNATING, HIBERNATING, AT_RISK, CANT_LOSE, CANT_LOSE),
    (LOST, LOST, AT_RISK, CANT_LOSE, CANT_LOSE),
)

ACTIONS: dict[str, str] = {
    CHAMPIONS: "Reward: early access, loyalty perks and referral asks; they need no discounts.",
    LOYAL: "Upsell: higher-value products, loyalty programme and personal recommendations.",
    POTENTIAL: "Nurture: a membership or loyalty offer and a reason for the next purchase.",
    NEW: "Onboard: welcome series, first-purchase follow-up, help them find a second product.",
    AT_RISK: "Win back before they lapse: personal reminders, renewal offers, a 'we miss you' campaign.",
    CANT_LOSE: "Win back now: personal outreach and a strong offer; ask what went wrong — they were among the best.",
    HIBERNATING: "Re-activate cheaply: relevant offers and new arrivals, low-cost channels only.",
    LOST: "Revive or let go: one low-cost win-back attempt, then leave them out of paid campaigns.",
}

#: Words qualifying a shared name, per measure: pair (top, bottom), many (top, bottom), noun for the rest.
_QUALIFIERS: dict[str, tuple[str, str, str, str, str]] = {
    MONETARY: ("higher spend", "lower spend", "highest spend", "lowest spend", "spend"),
    FREQUENCY: ("more frequent", "less frequent", "most frequent", "least frequent", "frequency"),
    RECENCY: ("more recent", "less recent", "most recent", "least recent", "recency"),
}
_MEASURES = (RECENCY, FREQUENCY, MONETARY)


@dataclass(frozen=True)
class SegmentName:
    """A segment's name (distinct), its vocabulary name, action and the scores that chose it."""

    segment: int
    name: str
    base: str
    action: str
    r: int
    f: int
    m: int
    fm: int


def _share_below(population: np.ndarray, value: float) -> float:
    """Share of the population below ``value``, ties counted half (a mid-rank percentile in 0–1)."""
    below = np.count_nonzero(population < value)
    equal = np.count_nonzero(population == value)
    return float((below + 0.5 * equal) / len(population))


def score(population: np.ndarray, value: float, *, reverse: bool = False) -> int:
    """Quintile score 1–5 of ``value`` in ``population`` (5 = top fifth; ``reverse``: 5 = bottom fifth)."""
    share = _share_below(population, value)
    quintile = min(5, math.floor(share * 5) + 1)
    return 6 - quintile if reverse else quintile


def _qualify(group: list[int], shares: pd.DataFrame) -> dict[int, str]:
    """Qualifiers for segments sharing a name, on the measure that spreads them most."""
    spread = {m: float(shares.loc[group, m].max() - shares.loc[group, m].min()) for m in _MEASURES}
    measure = max(_MEASURES, key=lambda m: (spread[m], m == MONETARY, m == FREQUENCY))
    higher, lower, highest, lowest, noun = _QUALIFIERS[measure]
    # For recency, "higher" means more recent: a LOWER share of customers with fewer days since buying.
    sign = -1.0 if measure == RECENCY else 1.0
    ordered = sorted(group, key=lambda s: (-sign * float(shares.loc[s, measure]), s))
    if len(ordered) == 2:
        return {ordered[0]: higher, ordered[1]: lower}
    words = {ordered[0]: highest, ordered[-1]: lowest}
    for rank, segment in enumerate(ordered[1:-1], start=2):
        words[segment] = f"{noun} rank {rank} of {len(ordered)}"
    return words


def name_segments(medians: pd.DataFrame, population: pd.DataFrame) -> list[SegmentName]:
    """Name every segment of ``medians`` (index: segment id; columns recency_days, frequency, monetary).

    ``population`` holds the same three columns for every customer; the result is in the order of
    ``medians``' index, names distinct and from :data:`VOCABULARY` (qualified when shared).
    """
    missing = [c for c in _MEASURES if c not in medians.columns or c not in population.columns]
    if missing:
        raise ValueError(f"naming needs the columns {', '.join(_MEASURES)} (missing: {', '.join(missing)})")
    if population.empty:
        raise ValueError("naming needs a non-empty population")
    pop = {m: population[m].to_numpy(dtype="float64") for m in _MEASURES}
    shares = pd.DataFrame(
        {m: [_share_below(pop[m], float(v)) for v in medians[m]] for m in _MEASURES}, index=medians.index.astype(int)
    )
    base: dict[int, tuple[str, int, int, int, int]] = {}
    values = medians[list(_MEASURES)].to_numpy(dtype="float64")
    for segment, (recency, frequency, monetary) in zip(medians.index.astype(int), values, strict=True):
        r = score(pop[RECENCY], recency, reverse=True)
        f = score(pop[FREQUENCY], frequency)
        m = score(pop[MONETARY], monetary)
        fm = math.floor((f + m) / 2 + 0.5)
        base[int(segment)] = (GRID[5 - r][fm - 1], r, f, m, fm)
    names = {s: b[0] for s, b in base.items()}
    for word in VOCABULARY:
        group = [s for s, b in base.items() if b[0] == word]
        if len(group) > 1:
            for segment, qualifier in _qualify(group, shares).items():
                names[segment] = f"{word} ({qualifier})"
    return [SegmentName(s, names[s], b[0], ACTIONS[b[0]], b[1], b[2], b[3], b[4]) for s, b in base.items()]
