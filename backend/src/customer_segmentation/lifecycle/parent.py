"""The published run a new run is compared with: its model card and its clustered customers.

Both are read from the one published run folder (``.runs/current``, resolved once), so the card and
the table always belong together even if another run is published meanwhile. The published
artifacts are the source of truth for the lineage: they carry everything the store records (see
``recording``), so a store that missed a run can be brought up to date from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import ArtifactPaths
from ..feature_schema import schema_hash
from ..modeling.card import CardError, ModelCard, read_card_text
from ..modeling.serving import ServingModel
from ..publish import RunLinkError, current_run

SEGMENT = "segment"


class ParentUnreadable(Exception):
    """The published run exists but cannot be used as a parent; ``str()`` says why (one line)."""


def lineage_id_for(created_at: str, schema: str) -> str:
    """The id of a lineage started by a run created at ``created_at`` (ISO, UTC) with ``schema``.

    Derived from the run's own content, never from its model version: the model version is a hash
    of the card, and the card holds the lineage id.
    """
    stamp = created_at[:19].replace("-", "").replace(":", "")
    return f"{stamp}-{schema[:8]}"


@dataclass(frozen=True)
class PublishedRun:
    """The currently published run: its verified card and its customers with their stable segment ids."""

    card: ModelCard
    frame: pd.DataFrame  # clustered data: the id column as text, features in original units, segment

    @property
    def version(self) -> str:
        return self.card.model_version

    @property
    def schema_hash(self) -> str:
        return self.card.lineage.schema_hash if self.card.lineage else schema_hash(self.card.feature_schema)

    @property
    def lineage_id(self) -> str:
        """The card's lineage; a card written before lineages existed starts its own."""
        if self.card.lineage is not None:
            return self.card.lineage.lineage_id
        return lineage_id_for(self.card.created_at, self.schema_hash)

    @property
    def has_customer_ids(self) -> bool:
        """False when customers were numbered by row (row_id): they cannot be followed between runs."""
        return not self.card.data.id_generated

    @cached_property
    def serving(self) -> ServingModel:
        return ServingModel.from_dict(self.card.serving.model_dump())

    @property
    def segment_ids(self) -> list[int]:
        """Stable ids of the centroid rows, in serving order."""
        return [int(i) for i in self.serving.ids]

    @property
    def max_id_used(self) -> int:
        known = self.card.lineage.max_id_used if self.card.lineage else -1
        return max([known, *self.segment_ids])

    @cached_property
    def members(self) -> pd.Series:
        """Stable segment id per customer id (text). Built once: matching, migration and the checks
        before them all ask whether its index repeats an id, which pandas caches per Index object."""
        id_column = self.card.data.id_column
        return pd.Series(
            self.frame[SEGMENT].to_numpy(dtype="int64"), index=pd.Index(self.frame[id_column], name=id_column)
        )


def customer_ids(values: pd.Series) -> pd.Index:
    """Customer ids as the store and the API compare them: text, surrounding blanks removed."""
    return pd.Index(values.astype(str).str.strip())


def load_published(root: Path, key: str | None = None) -> PublishedRun | None:
    """The run published under ``root``; None when nothing is published yet.

    Raises :class:`ParentUnreadable` when a run is published but its card cannot be trusted (edited,
    another format, wrong signature) or its clustered data is missing or from another model.
    """
    try:
        folder = current_run(root)
    except RunLinkError as exc:
        raise ParentUnreadable(str(exc)) from None
    paths = ArtifactPaths(folder if folder is not None else root)
    if not paths.model_card.is_file():
        return None
    try:
        card = read_card_text(paths.model_card.read_bytes())
        card.verify(key)
    except (CardError, OSError) as exc:
        raise ParentUnreadable(f"the published model card cannot be used ({exc})") from None
    return PublishedRun(card, _clustered(paths, card))


def _clustered(paths: ArtifactPaths, card: ModelCard) -> pd.DataFrame:
    id_column = card.data.id_column
    relative = card.outputs.get("clustered_data", "data/processed/clustered_data.csv")
    path = paths.root / relative
    try:
        if path.suffix == ".parquet":
            frame = pd.read_parquet(path)
        else:
            frame = pd.read_csv(path, dtype={id_column: str}, low_memory=False)
    except (OSError, ValueError) as exc:
        raise ParentUnreadable(f"the published clustered data {relative} cannot be read ({exc})") from None
    if id_column not in frame.columns or SEGMENT not in frame.columns:
        raise ParentUnreadable(f"the published clustered data {relative} has no {id_column!r} or segment column")
    segments = pd.to_numeric(frame[SEGMENT], errors="coerce")
    known = set(ServingModel.from_dict(card.serving.model_dump()).ids.tolist())
    if segments.isna().any() or not segments.isin(known).all():
        raise ParentUnreadable(f"the published clustered data {relative} is not from the published model")
    frame[SEGMENT] = segments.to_numpy(dtype=np.int64)
    frame[id_column] = customer_ids(frame[id_column])
    return frame
