"""The store of runs (``customer_segmentation.store``) as the API uses it: opened on first use, never
required to serve a model.

The pipeline publishes a run, then records it (see ``lifecycle.recording``); a run killed between the
two is published but not recorded. :meth:`RunStore.sync` records the served run from the artifacts the
API has already loaded (its card and clustered customers) before any endpoint that relies on the
store, so ``/runs``, histories and renames always include the model being served.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ...lifecycle.parent import PublishedRun
from ...lifecycle.recording import reconcile
from ...lifecycle.stage import shown, store_url
from ...store import SegmentLabel, Store, StoreError
from ..settings import ApiSettings
from .errors import ServiceError
from .model_store import SEGMENT, ModelBundle

log = logging.getLogger("customer_segmentation.api")


class StoreUnavailable(ServiceError):
    """The store of runs cannot be opened or read (503); the model is still served."""

    status_code = 503


class RunStore:
    """One :class:`Store` per app, opened lazily (a failed open is retried on the next request)."""

    def __init__(self, settings: ApiSettings) -> None:
        self.url = store_url(settings, settings.artifacts_root)
        self.artifacts_root = settings.artifacts_root
        self._store: Store | None = None
        self._lock = threading.Lock()
        self._synced: set[str] = set()

    def get(self) -> Store:
        """The open store; StoreUnavailable (503) with one line when it cannot be opened."""
        with self._lock:
            if self._store is None:
                if self.url.startswith("sqlite:///") and not Path(self.artifacts_root).is_dir():
                    # Never create the artifacts folder (and a database in it) just to answer a request.
                    raise StoreUnavailable(
                        f"the artifacts folder {self.artifacts_root} does not exist: nothing is recorded"
                    )
                with self.errors("opening"):
                    self._store = Store(self.url)
            return self._store

    @contextmanager
    def errors(self, doing: str) -> Iterator[None]:
        from sqlalchemy.exc import SQLAlchemyError

        try:
            yield
        except (SQLAlchemyError, OSError) as exc:
            text = str(getattr(exc, "orig", None) or exc).strip()
            cause = text.splitlines()[0] if text else type(exc).__name__
            raise StoreUnavailable(
                f"the store of runs ({shown(self.url)}) is unavailable: {doing} failed: {cause}"
            ) from None

    def sync(self, bundle: ModelBundle) -> Store:
        """The store, with the served run recorded in it (once per model version)."""
        store = self.get()
        if bundle.model_version in self._synced or bundle.customers is None:
            return store
        frame = bundle.customers.frame
        published = PublishedRun(bundle.card, frame[[bundle.card.data.id_column, SEGMENT]].reset_index(drop=True))
        with self.errors("recording the served run"):
            try:
                if reconcile(store, published):
                    log.info(
                        "recorded the served run %s in the store (it was published, not recorded)", bundle.model_version
                    )
            except StoreError as exc:  # the artifacts disagree with the store: serve anyway, say why
                log.warning("the served run %s cannot be recorded in the store: %s", bundle.model_version, exc)
        self._synced.add(bundle.model_version)
        return store

    def labels(self, lineage_id: str | None) -> dict[int, SegmentLabel] | None:
        """The user labels of a lineage; None (logged) when the store is unavailable — names then fall
        back to the card's, so the read-only endpoints keep working without a database."""
        if lineage_id is None:
            return None
        try:
            store = self.get()
            with self.errors("reading segment labels"):
                return store.segment_labels(lineage_id)
        except StoreUnavailable as exc:
            log.warning("%s", exc)
            return None

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None


def labelled_segments(bundle: ModelBundle, labels: dict[int, SegmentLabel] | None) -> list[dict[str, Any]]:
    """The card's segments with the lineage's current user labels merged in (``labels`` None: the store
    is unavailable, keep the labels the card was trained with)."""
    merged = []
    for segment in bundle.card.segments:
        data = segment.model_dump(mode="json")
        legacy = segment.generated_name is None  # a card from before lineages: its name is the generated one
        data["generated_name"] = segment.name if legacy else segment.generated_name
        data["generated_action"] = segment.action if legacy else segment.generated_action
        if labels is not None:
            label = labels.get(segment.id)
            data["user_name"] = label.user_name if label is not None else None
            data["user_action"] = label.user_action if label is not None else None
        data["name"] = data["user_name"] or data["generated_name"]
        data["action"] = data["user_action"] or data["generated_action"]
        merged.append(data)
    return merged


def id_list(ids: list[int]) -> str:
    """``0..5`` for contiguous ids, else ``0, 1, 2, 4`` (stable ids have gaps after retraining)."""
    if ids and ids == list(range(ids[0], ids[0] + len(ids))) and len(ids) > 2:
        return f"{ids[0]}..{ids[-1]}"
    return ", ".join(map(str, ids))
