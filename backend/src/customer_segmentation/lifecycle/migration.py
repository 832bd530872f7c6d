"""Who moved where between a run and its parent: the migration matrix and the change in shares.

Customers are followed by id, and segments by their stable id (after ``matching``), so "stayed"
means the customer is in the segment that kept its identity. The matrix counts only customers in
both runs; those who left (only in the parent) and arrived (only in the new run) are counted beside
it, per segment, so that every customer of either run is accounted for exactly once. Shares are of
each run's own customers, over every segment id that exists in either run (a retired segment has
new share 0, a new one old share 0).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class ShareChange:
    segment_id: int
    old_count: int
    new_count: int
    old_share: float
    new_share: float
    change: float  # new_share - old_share


@dataclass(frozen=True)
class Migration:
    """Customers of both runs by (old stable segment, new stable segment), plus leavers and arrivals."""

    old_segments: tuple[int, ...]  # matrix rows: every segment id of the parent run
    new_segments: tuple[int, ...]  # matrix columns: every segment id of the new run
    counts: tuple[tuple[int, ...], ...]  # (len(old_segments), len(new_segments))
    in_both: int
    stayed: int  # in both runs and in the same stable segment
    only_old: int
    only_new: int
    only_old_by_segment: tuple[int, ...]  # aligned with old_segments: customers who left
    only_new_by_segment: tuple[int, ...]  # aligned with new_segments: customers who arrived
    share_changes: tuple[ShareChange, ...]  # every segment id of either run, ascending

    def count(self, old_segment: int, new_segment: int) -> int:
        return self.counts[self.old_segments.index(old_segment)][self.new_segments.index(new_segment)]

    def to_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "old_segments": list(self.old_segments),
            "new_segments": list(self.new_segments),
            "counts": [list(row) for row in self.counts],
            "only_old_by_segment": list(self.only_old_by_segment),
            "only_new_by_segment": list(self.only_new_by_segment),
            "share_changes": [asdict(s) for s in self.share_changes],
        }


def _checked(members: pd.Series, name: str) -> pd.Series:
    if members.empty:
        raise ValueError(f"{name} run: no customers")
    if members.index.has_duplicates:
        raise ValueError(f"{name} run: customer ids must be unique")
    if members.isna().any():
        raise ValueError(f"{name} run: every customer needs a segment")
    return members.astype(np.int64)


def migration_matrix(old: pd.Series, new: pd.Series) -> Migration:
    """Count customers by (parent segment, new segment), and the change in each segment's share.

    Parameters
    ----------
    old : Series of shape (n_parent,)
        Indexed by customer id; values: the parent run's stable segment ids.
    new : Series of shape (n_new,)
        Indexed by customer id (same dtype as ``old``); values: the new run's stable segment ids.

    Returns
    -------
    Migration
        ``counts`` sums to ``in_both``; ``in_both + only_old`` = n_parent; ``in_both + only_new`` = n_new.
    """
    old, new = _checked(old, "parent"), _checked(new, "new")
    old_ids = tuple(int(s) for s in sorted(old.unique()))
    new_ids = tuple(int(s) for s in sorted(new.unique()))
    shared = old.index.intersection(new.index)
    table = pd.crosstab(old.loc[shared], new.loc[shared]).reindex(index=old_ids, columns=new_ids, fill_value=0)
    left = old.drop(shared).value_counts().reindex(old_ids, fill_value=0)
    arrived = new.drop(shared).value_counts().reindex(new_ids, fill_value=0)
    old_counts, new_counts = old.value_counts(), new.value_counts()
    changes = []
    for segment in sorted(set(old_ids) | set(new_ids)):
        before, after = int(old_counts.get(segment, 0)), int(new_counts.get(segment, 0))
        old_share, new_share = before / len(old), after / len(new)
        changes.append(ShareChange(segment, before, after, old_share, new_share, new_share - old_share))
    return Migration(
        old_segments=old_ids,
        new_segments=new_ids,
        counts=tuple(tuple(int(v) for v in row) for row in table.to_numpy()),
        in_both=len(shared),
        stayed=int((old.loc[shared] == new.loc[shared]).sum()),
        only_old=len(old) - len(shared),
        only_new=len(new) - len(shared),
        only_old_by_segment=tuple(int(v) for v in left.to_numpy()),
        only_new_by_segment=tuple(int(v) for v in arrived.to_numpy()),
        share_changes=tuple(changes),
    )
