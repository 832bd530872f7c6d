"""How sure is the choice of k? Win frequencies under resampling, and two rules for picking k.

The sweep (``select_k``) scores every k once, on all rows, and the highest silhouette wins. That
hides how close the race is: on the Mall data k=6 beats k=5 and k=7 by about 0.01, less than the
silhouette moves when a fifth of the customers is left out. So the sweep is repeated on
``resamples`` random subsamples of ``fraction`` of the rows (without replacement: a bootstrap
sample's duplicated customers sit at distance 0 from each other and inflate the silhouette), and
for each k we record how often it has the highest silhouette ("wins"), its mean silhouette and the
spread.

Standard error. The silhouette's spread across 80 % subsamples understates its sampling error on
all rows, because any two subsamples share most of their customers. The delete-d jackknife (Shao &
Wu 1989; Efron & Tibshirani 1993, §11.7) corrects for that: with subsamples of r = f·n rows,
``se = sqrt(f / (1 − f)) · sd`` — twice the spread at f = 0.8. This is the standard error the
one-standard-error rule uses: it estimates how much the full-data silhouette of a k could move with
another sample of customers. (The Monte-Carlo error of the *mean* over resamples, sd/√resamples,
would shrink to nothing as resamples grow and say nothing about the data.) When the resamples come
from a sample smaller than the rows the sweep scored (``se_rows``), the standard error is scaled by
sqrt(pool / se_rows), the usual 1/√n law of a mean — the silhouette is a mean over customers.

Rules (``choose_k``): "max" is the sweep's rule (highest silhouette, ties within
``select_k.TIE_TOLERANCE`` go to the smaller k); "one-se" is the smallest k whose silhouette is
within one standard error of the best (Breiman et al. 1984's rule, used by the gap statistic). The
choice is called uncertain when the chosen k wins fewer than ``UNCERTAIN_BELOW`` of the resamples.
A win share from 50 resamples is itself noisy (on the Mall data k=6's share over 400 resamples is
60 %, yet ten seeds of 50 resamples gave 50–70 %), so the statement also says when a share above the
bar is within that noise: "clear by a narrow margin" when the Wilson 95 % interval of the share
reaches below ``UNCERTAIN_BELOW``.

Which silhouette, and how many rows. The resamples must score k with the sweep's own statistic,
or they answer another question (on a synthetic 10,000-row table the exact silhouette picked k=3
while the simplified one, on the same rows, preferred k=2). Exact silhouettes cost O(n²), so:

* data the sweep scores exactly (up to ``SweepSettings.exact_max_rows`` rows): exact silhouette,
  subsamples of at most ``EXACT_MAX_ROWS`` rows — drawn from a fixed sample of
  ``EXACT_MAX_ROWS / fraction`` rows when the data is larger. The Mall data (200 rows) is
  resampled whole. Between 1,250 and 10,000 rows the frequencies are therefore those of
  1,000-customer samples: more spread than the full data's choice would show (the statement says
  so).
* larger data (the sweep uses the simplified silhouette on a 20,000-row sample): the subsamples
  are drawn from the sweep's own sample (pass ``KSelection.sweep_index``), capped at ``max_rows``,
  and scored by the same simplified silhouette.

Cost, measured on this 2-core machine, one thread: Mall (200 rows, k = 2..10, 50 resamples)
1.8 s with n_init=10 on a quiet machine (2.6 s with other jobs running), 0.9 s with n_init=3.
n_init=10 — the sweep's — is the default because fewer restarts add optimisation noise that is not
sampling noise (with n_init=3 the spread of k=6's silhouette grows from 0.010 to 0.017 through bad
local optima). On large data pass the sweep's ``n_init`` (3).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score

from .seeds import child_sequences
from .select_k import TIE_TOLERANCE, SweepSettings, simplified_silhouette, small_compute

#: Seed streams of this module (see ``seeds.py``: one stream per use).
K_WINS_STREAM = 11
POOL_STREAM = 12

DEFAULT_RESAMPLES = 50
DEFAULT_FRACTION = 0.8
DEFAULT_N_INIT = 10
#: Simplified-silhouette resamples are drawn from at most this many rows (the sweep's sample size).
MAX_ROWS = SweepSettings.sweep_rows
#: Exact-silhouette subsamples hold at most this many rows (≈6 ms per silhouette; 18 ms at 1,600).
EXACT_MAX_ROWS = 1_000
#: The chosen k must win at least this share of the resamples for the choice to be called clear.
UNCERTAIN_BELOW = 0.70

KRule = Literal["max", "one-se"]


@dataclass(frozen=True)
class KResampleScore:
    """One k's record over the resamples.

    ``wins``: resamples in which this k had the highest silhouette; ``frequency`` = wins/resamples;
    ``scored``: resamples in which its silhouette was defined; ``mean_silhouette`` and
    ``sd_silhouette``: mean and spread over those; ``se_silhouette``: delete-d jackknife standard
    error of the sweep's silhouette (on ``KWinFrequencies.se_rows`` rows; None when fewer than two
    resamples scored it).
    """

    k: int
    wins: int
    frequency: float
    scored: int
    mean_silhouette: float | None
    sd_silhouette: float | None
    se_silhouette: float | None


@dataclass(frozen=True)
class KWinFrequencies:
    """How often each k wins the silhouette race over resampled sweeps, and how it was measured."""

    scores: tuple[KResampleScore, ...]
    resamples: int
    fraction: float
    rows: int  # rows the subsamples are drawn from (all rows, or the fixed sample of large data)
    subsample_rows: int
    total_rows: int
    se_rows: int  # rows the sweep's silhouette is computed on, to which the standard errors refer
    n_init: int
    random_state: int
    silhouette: Literal["exact", "simplified"]

    def score_for(self, k: int) -> KResampleScore:
        return next(s for s in self.scores if s.k == k)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "scores": [asdict(s) for s in self.scores]}


@dataclass(frozen=True)
class KChoice:
    """The k picked by ``rule``, what the other rule would pick, and how sure the resamples are."""

    rule: KRule
    chosen_k: int
    max_k: int
    one_se_k: int
    best_silhouette: float
    standard_error: float  # of the best k's silhouette (0 when unknown)
    threshold: float  # best_silhouette - standard_error: the one-se rule's bar
    wins: int  # resamples won by chosen_k
    resamples: int
    subsample_rows: int  # customers per resample
    pool_rows: int  # customers the resamples were drawn from
    total_rows: int
    frequency: float
    frequency_interval: tuple[float, float]  # Wilson 95 % interval of the chosen k's win share
    uncertain: bool
    other_winners: tuple[tuple[int, int], ...]  # (k, wins) of every other k that won, most wins first
    statement: str

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["other_winners"] = [{"k": k, "wins": w} for k, w in self.other_winners]
        data["frequency_interval"] = list(self.frequency_interval)
        return data


def _pool(x: np.ndarray, sample_index: np.ndarray | None, max_rows: int, random_state: int) -> np.ndarray:
    """The rows the subsamples come from: ``sample_index`` or all rows, capped by a fixed-seed sample."""
    rows = x if sample_index is None else x[np.asarray(sample_index)]
    if len(rows) <= max_rows:
        return rows
    rng = np.random.default_rng(child_sequences(random_state, 1, POOL_STREAM)[0])
    return rows[np.sort(rng.choice(len(rows), max_rows, replace=False))]


def _silhouettes(rows: np.ndarray, ks: Sequence[int], n_init: int, seed: int, exact: bool) -> np.ndarray:
    """Silhouette of K-Means for each k on ``rows``; NaN where undefined (too few distinct rows)."""
    distinct = len(np.unique(rows, axis=0))
    values = np.full(len(ks), np.nan)
    for j, k in enumerate(ks):
        if k > distinct - 1:
            continue
        model = KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(rows)
        if len(np.unique(model.labels_)) < 2:
            continue
        values[j] = (
            silhouette_score(rows, model.labels_) if exact else simplified_silhouette(rows, model.cluster_centers_)
        )
    return values


def _winner(values: np.ndarray, ks: Sequence[int]) -> int | None:
    """The sweep's rule on one row of silhouettes: highest wins, ties go to the smaller k."""
    if not np.isfinite(values).any():
        return None
    top = np.nanmax(values)
    return min(k for k, v in zip(ks, values, strict=True) if np.isfinite(v) and v >= top - TIE_TOLERANCE)


def _summarise(k: int, column: np.ndarray, wins: int, resamples: int, fraction: float, scale: float) -> KResampleScore:
    values = column[np.isfinite(column)]
    mean = float(values.mean()) if len(values) else None
    sd = float(values.std(ddof=1)) if len(values) >= 2 else None
    se = sd * math.sqrt(fraction / (1.0 - fraction)) * scale if sd is not None else None
    return KResampleScore(k, wins, wins / resamples, len(values), mean, sd, se)


def k_win_frequencies(
    x: np.ndarray,
    k_values: Sequence[int],
    *,
    resamples: int = DEFAULT_RESAMPLES,
    fraction: float = DEFAULT_FRACTION,
    n_init: int = DEFAULT_N_INIT,
    random_state: int = 42,
    silhouette: Literal["exact", "simplified"] | None = None,
    sample_index: np.ndarray | None = None,
    max_rows: int = MAX_ROWS,
) -> KWinFrequencies:
    """Repeat the k sweep on random subsamples and count how often each k wins.

    Parameters
    ----------
    x : ndarray of shape (n_rows, n_features)
        The scaled features the sweep used.
    k_values : sequence of int
        The candidate k (each at least 2), e.g. the ks the sweep scored.
    resamples : int
        Number of subsamples (at least 1; 50 or more for a frequency worth reading).
    fraction : float
        Share of the pooled rows in each subsample, drawn without replacement; strictly between 0 and 1.
    n_init : int
        K-Means restarts per fit.
    random_state : int
        Seed; each resample's subsample and K-Means seed derive from it through ``SeedSequence``.
    silhouette : {"exact", "simplified"}, optional
        The sweep's statistic (``KSelection.estimator.method``). Default: "exact" up to
        ``SweepSettings.exact_max_rows`` rows, as the sweep decides.
    sample_index : ndarray of shape (n_sample,), optional
        Rows to draw the subsamples from (pass ``KSelection.sweep_index`` on large data so the
        resamples come from the sweep's own sample). Default: all rows.
    max_rows : int
        Largest pool for simplified-silhouette resamples (a fixed-seed sample of the rows above it).
        Exact-silhouette resamples are capped at ``EXACT_MAX_ROWS / fraction`` rows.

    Returns
    -------
    KWinFrequencies
        One ``KResampleScore`` per k (ascending), with wins, frequency, mean/sd/se silhouette.
        Wins sum to ``resamples`` unless some subsample had no defined silhouette at all.
    """
    if resamples < 1:
        raise ValueError(f"resamples must be at least 1 (got {resamples})")
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"fraction must be strictly between 0 and 1 (got {fraction})")
    ks = sorted({int(k) for k in k_values})
    if not ks or ks[0] < 2:
        raise ValueError(f"k values must be at least 2 (got {list(k_values)})")
    if silhouette is None:
        silhouette = "exact" if len(x) <= SweepSettings.exact_max_rows else "simplified"
    exact = silhouette == "exact"
    cap = int(EXACT_MAX_ROWS / fraction) if exact else max_rows
    pool = _pool(np.asarray(x, dtype=float), sample_index, cap, random_state)
    size = round(fraction * len(pool))
    if size < 3:
        raise ValueError(f"a {fraction:.0%} subsample of {len(pool)} rows is too small to cluster")
    table = np.full((resamples, len(ks)), np.nan)
    with small_compute():
        for r, sequence in enumerate(child_sequences(random_state, resamples, K_WINS_STREAM)):
            rng = np.random.default_rng(sequence)
            rows = pool[rng.choice(len(pool), size, replace=False)]
            table[r] = _silhouettes(rows, ks, n_init, int(rng.integers(2**32)), exact)
    winners = [_winner(row, ks) for row in table]
    realised = size / len(pool)
    # The sweep scores all rows (exact) or its own sample (simplified); the pool may be smaller.
    if exact:
        se_rows = len(x)
    else:
        se_rows = len(sample_index) if sample_index is not None else min(len(x), SweepSettings.sweep_rows)
    scale = math.sqrt(len(pool) / max(se_rows, len(pool)))
    scores = tuple(
        _summarise(k, table[:, j], sum(w == k for w in winners), resamples, realised, scale) for j, k in enumerate(ks)
    )
    return KWinFrequencies(
        scores=scores,
        resamples=resamples,
        fraction=realised,
        rows=len(pool),
        subsample_rows=size,
        total_rows=len(x),
        se_rows=max(se_rows, len(pool)),
        n_init=n_init,
        random_state=random_state,
        silhouette=silhouette,
    )


def wilson_interval(successes: int, trials: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of a binomial share (well-behaved at 0 and 1, unlike p ± z·se)."""
    p = successes / trials
    denominator = 1.0 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    return max(0.0, centre - half), min(1.0, centre + half)


def _others(wins: KWinFrequencies, chosen: int) -> tuple[tuple[int, int], ...]:
    ranked = sorted((s for s in wins.scores if s.k != chosen and s.wins > 0), key=lambda s: (-s.wins, s.k))
    return tuple((s.k, s.wins) for s in ranked)


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _percent(share: float, sign: bool = True) -> str:
    return f"{round(100 * share)}{' %' if sign else ''}"


def _statement(choice: KChoice) -> str:
    """One plain sentence for the report: how often the chosen k won, and what the other rule says."""
    if choice.rule == "max":
        subject = f"k={choice.chosen_k}"
        other_rule, other_k = "the one-standard-error rule", choice.one_se_k
    else:
        subject = (
            f"k={choice.chosen_k}, the smallest k within one standard error ({choice.standard_error:.3f}) "
            f"of the best silhouette,"
        )
        other_rule, other_k = "the highest-silhouette rule", choice.max_k
    low, high = choice.frequency_interval
    share = f"{_percent(choice.frequency)}"
    if choice.uncertain:
        verdict = "the choice is uncertain"
    elif low < UNCERTAIN_BELOW:
        share += f"; 95 % interval {_percent(low, sign=False)}–{_percent(high)}"
        verdict = "the choice is clear by a narrow margin"
    else:
        verdict = "the choice is clear"
    if choice.other_winners:
        listed = [f"k={k} ({w})" for k, w in choice.other_winners]
        verb = "wins" if len(listed) == 1 else "win"
        others = f"{_join(listed)} also {verb}" if choice.wins else f"{_join(listed)} {verb} instead"
    else:
        others = "no other k wins"
    verdict_other = "agrees" if other_k == choice.chosen_k else f"would pick k={other_k}"
    resamples = f"{choice.resamples} resamples"
    if choice.pool_rows < choice.total_rows:  # resampled from a fixed sample: say how small each resample is
        resamples += f" of {choice.subsample_rows:,} customers"
    return f"{subject} won {choice.wins} of {resamples} ({share}): {verdict}; {others}; {other_rule} {verdict_other}."


def choose_k(rule: KRule, wins: KWinFrequencies, silhouettes: Mapping[int, float] | None = None) -> KChoice:
    """Pick k by ``rule`` and say how sure the resamples are about it.

    Parameters
    ----------
    rule : {"max", "one-se"}
        "max": highest silhouette, ties go to the smaller k (the sweep's rule). "one-se": the
        smallest k whose silhouette is at least the best silhouette minus the best k's standard
        error over the resamples.
    wins : KWinFrequencies
        The resampled sweep (from ``k_win_frequencies``).
    silhouettes : mapping of k to float, optional
        The silhouettes the rules compare — pass the sweep's (``{s.k: s.silhouette for s in
        selection.scores}``) so that "max" is exactly the sweep's choice. Default: the resamples'
        mean silhouettes. Only ks present in ``wins`` are considered.

    Returns
    -------
    KChoice
        Both rules' picks, the chosen k's wins and frequency, ``uncertain`` (frequency below
        ``UNCERTAIN_BELOW``), the other ks that won, and a one-sentence ``statement``.
    """
    if rule not in ("max", "one-se"):
        raise ValueError(f"unknown k rule {rule!r}: use 'max' or 'one-se'")
    by_k = {s.k: s for s in wins.scores}
    source = silhouettes if silhouettes is not None else {s.k: s.mean_silhouette for s in wins.scores}
    table = {int(k): float(v) for k, v in source.items() if k in by_k and v is not None and math.isfinite(v)}
    if not table:
        raise ValueError("no k has a defined silhouette")
    best = max(table.values())
    max_k = min(k for k, v in table.items() if v >= best - TIE_TOLERANCE)
    se = by_k[max_k].se_silhouette or 0.0
    threshold = table[max_k] - se
    one_se_k = min(k for k, v in table.items() if v >= threshold - TIE_TOLERANCE)
    chosen = max_k if rule == "max" else one_se_k
    record = by_k[chosen]
    draft = KChoice(
        rule=rule,
        chosen_k=chosen,
        max_k=max_k,
        one_se_k=one_se_k,
        best_silhouette=table[max_k],
        standard_error=se,
        threshold=threshold,
        wins=record.wins,
        resamples=wins.resamples,
        subsample_rows=wins.subsample_rows,
        pool_rows=wins.rows,
        total_rows=wins.total_rows,
        frequency=record.frequency,
        frequency_interval=wilson_interval(record.wins, wins.resamples),
        uncertain=record.frequency < UNCERTAIN_BELOW,
        other_winners=_others(wins, chosen),
        statement="",
    )
    return replace(draft, statement=_statement(draft))
