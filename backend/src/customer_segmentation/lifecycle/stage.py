"""The lineage steps of publishing a run, as ``artifacts.write_artifacts`` calls them (under the run lock):

1. :func:`open_store` — before anything is published, so an unreachable database fails the run with
   one line and leaves every artifact as it was;
2. :func:`link_to_published` — record the published run if a killed run left it unrecorded, then
   match the new run to it (stable ids, user labels, migration, drift);
3. publish the artifacts (``publish.publish``);
4. :func:`record_result` — the run, its segments and memberships, in one transaction.

Why publish before recording is explained in ``recording``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from ..errors import SegmentationError
from ..modeling.card import ModelCard
from ..store import Store as _Store
from ..store import StoreError, database_url
from .continuity import Continuity, UserLabel, link_run
from .parent import ParentUnreadable, customer_ids, load_published
from .recording import reconcile, record_card

if TYPE_CHECKING:
    from ..config import Settings
    from ..run_result import RunResult


class StoreUnavailable(SegmentationError):
    """The store cannot be opened or written; nothing was published."""


class RecordingFailed(SegmentationError):
    """The run is published but could not be recorded in the store (the next run records it)."""


class _Where:
    """What ``store.database_url`` needs: the settings' URL and the artifacts root to put SQLite in."""

    def __init__(self, settings: Settings, root: Path) -> None:
        self.database_url = settings.database_url
        self.artifacts_root = root


def store_url(settings: Settings, root: Path) -> str:
    """``settings.database_url`` / ``SEGMENTATION_DATABASE_URL``, else ``<root>/segmentation.db``."""
    return database_url(_Where(settings, root))


def shown(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL has no password we could recognise
        return "<invalid database URL>"


@contextmanager
def store_errors(url: str, doing: str, error: type[SegmentationError] = StoreUnavailable) -> Iterator[None]:
    """Any database failure while ``doing`` becomes one line naming the store (never its password)."""
    try:
        yield
    except (SQLAlchemyError, StoreError, OSError) as exc:
        text = str(getattr(exc, "orig", None) or exc).strip()
        cause = text.splitlines()[0] if text else type(exc).__name__
        raise error(f"{doing} in the store {shown(url)} failed: {cause}") from None


def open_store(url: str) -> _Store:
    """The store at ``url``, migrated to the newest schema; StoreUnavailable with one line if it cannot be."""
    with store_errors(url, "opening"):
        return _Store(url)


def link_to_published(result: RunResult, root: Path, store: _Store, key: str | None) -> Continuity:
    """Reconcile the store with the published run, then link ``result`` to it (sets ``result.lineage``)."""
    problem: str | None = None
    try:
        published = load_published(root, key)
    except ParentUnreadable as exc:
        published, problem = None, str(exc)
    labels: dict[int, UserLabel] = {}
    store_max: int | None = None
    notes: list[str] = []
    if published is not None:
        with store_errors(store.url, "reading the lineage"):
            try:
                reconcile(store, published)
            except StoreError as exc:  # a store that disagrees with the artifacts: they win
                notes.append(f"the previous model could not be recorded in the store ({exc})")
            store_max = store.max_segment_id(published.lineage_id)
            labels = {
                segment_id: UserLabel(label.user_name, label.user_action)
                for segment_id, label in store.segment_labels(published.lineage_id).items()
            }
    continuity = link_run(result, published, parent_problem=problem, store_max_id=store_max, labels=labels)
    continuity.notes.extend(notes)
    result.lineage = continuity
    return continuity


def record_result(store: _Store, result: RunResult, card: ModelCard) -> None:
    """Record the just-published run (RecordingFailed: the run stays published, the next run records it)."""
    members = pd.Series(result.labels, index=customer_ids(result.clean[result.id_column]))
    doing = f"run {card.model_version} is published, but recording it (the next run will)"
    with store_errors(store.url, doing, RecordingFailed):
        try:
            record_card(store, card, members)
        except StoreError as exc:
            raise RecordingFailed(
                f"run {card.model_version} is published but could not be recorded in the store ({exc}); the next "
                "run or the API records it from the published artifacts"
            ) from None
