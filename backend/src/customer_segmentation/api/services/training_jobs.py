"""Training jobs started from an upload: one at a time, in a background thread, into a staging folder.

Life of a job (``run_id`` ``job-<12 hex>``)::

    running ──> done ──> published        (POST /runs/{id}/publish: the CLI's atomic swap + reload)
       │          └────> discarded        (DELETE /runs/{id}: the staged run is removed)
       ├──> failed                        (one-line reason; nothing staged is kept)
       └──> discarded                     (DELETE while running: stops at the next stage)

The job runs the CLI's pipeline (``pipeline.run``, or ``transactions_run.run_transactions`` for
order lines) with a progress sink that records the CLI's stages; the artifacts go to the job's own
staging folder (``staging``), never to the served one. Why a thread and not a process: the served
model is in this process (the comparison reads it), training releases the GIL in its numeric work,
and a killed server takes its training with it — the staging folder it leaves is removed at the
next start. A discarded running job is stopped cooperatively, between stages and k-sweep steps.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ...artifacts import ArtifactError, read_card
from ...errors import SegmentationError
from ...modeling.card import ModelCard, utc_now
from ...run_result import RunConfig
from ..schemas.training import InputKind, PublishResult
from ..settings import ApiSettings
from .customer_query import warm as warm_customer_index
from .errors import ServiceError
from .model_store import ModelStore, load_bundle, snapshot_paths
from .redact import public_text
from .run_compare import compare_with_served, migration_report
from .staged_training import train_staged
from .staging import StagingFolder, TrainingSlot, clean_stale, publish_staged
from .training_job import COMPARE_STAGE, Cancelled, Job, JobProgress
from .uploads import own_words

log = logging.getLogger("customer_segmentation.api")

#: Job records kept in memory; beyond it the oldest finished job is dropped (and its folder removed).
MAX_JOBS = 10


class Conflict(ServiceError):
    """The request conflicts with a job's state (409): a second training, publishing a failed run …"""

    status_code = 409


def _new_run_id() -> str:
    return f"job-{secrets.token_hex(6)}"


class TrainingJobs:
    """The jobs of one app; at most one trains at a time (also across server processes)."""

    def __init__(self, settings: ApiSettings, store: ModelStore) -> None:
        self.settings = settings
        self.store = store
        self.root = settings.artifacts_root
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._publish_lock = threading.Lock()
        self._slot = TrainingSlot(self.root)
        self._running: Job | None = None

    # -- lifecycle of the app ------------------------------------------------------------------
    def clean_stale(self) -> None:
        """Startup: remove the staging folders a killed server left behind."""
        for name in clean_stale(self.root):
            log.warning("removed the staging folder of an interrupted training: %s", name)

    def shutdown(self, wait_s: float = 5.0) -> None:
        """Stop a running job and remove every staging folder this app made."""
        with self._lock:
            jobs = list(self._jobs.values())
        for job in jobs:
            job.cancel.set()
        for job in jobs:
            job.stopped.wait(wait_s if job.state == "running" else 0)
            job.folder.remove()

    # -- starting ------------------------------------------------------------------------------
    def check_idle(self) -> None:
        """409 at once while a job trains (before an upload is read and checked; ``start`` checks again)."""
        with self._lock:
            if self._running is not None:
                raise Conflict(self._busy_message(self._running))

    def start(self, filename: str, data: bytes, input_kind: InputKind, config_for: Callable[[Path], RunConfig]) -> Job:
        """Stage the upload and start training it; ``config_for(path)`` is the run's RunConfig.

        409 when a training is running (here or in another server process on the same folder).
        """
        with self._lock:
            if self._running is not None:
                raise Conflict(self._busy_message(self._running))
            if not self._slot.acquire():
                raise Conflict("another server process is training on this artifacts folder; try again when it ends")
            folder: StagingFolder | None = None
            try:
                folder = StagingFolder(self.root, _new_run_id())
                upload = folder.path / filename
                upload.write_bytes(data)
            except OSError as exc:  # a read-only or full artifacts folder
                if folder is not None:
                    folder.remove()
                self._slot.release()
                raise Conflict(f"cannot stage the upload under the artifacts folder: {exc.strerror or exc}") from None
            job = Job(folder.path.name, filename, input_kind, upload, folder)
            config = config_for(upload)
            self._running = job
            self._remember(job)
        thread = threading.Thread(target=self._train, args=(job, config), name=f"training-{job.run_id}", daemon=True)
        thread.start()
        return job

    @staticmethod
    def _busy_message(job: Job) -> str:
        if job.cancel.is_set():
            return f"run {job.run_id} was discarded and is still stopping; try again in a few seconds"
        return (
            f"a training is already running ({job.run_id}): wait for it, or discard it with DELETE /runs/{job.run_id}"
        )

    def _remember(self, job: Job) -> None:
        self._jobs[job.run_id] = job
        while len(self._jobs) > MAX_JOBS:
            oldest = next((j for j in self._jobs.values() if j is not self._running), None)
            if oldest is None:  # pragma: no cover - only one job runs
                break
            del self._jobs[oldest.run_id]
            oldest.folder.remove()

    # -- the training thread -------------------------------------------------------------------
    def _train(self, job: Job, config: RunConfig) -> None:
        try:
            self._train_job(job, config)
        finally:
            self._free_slot(job)  # already done when the job ended normally
            job.stopped.set()

    def _free_slot(self, job: Job) -> None:
        """Let the next training start (only while ``job`` is still the one holding the slot)."""
        with self._lock:
            if self._running is job:
                self._running = None
                self._slot.release()

    def _train_job(self, job: Job, config: RunConfig) -> None:
        """Run the job and record how it ended. The training slot is freed before the final state is
        visible: a client that sees done/failed/discarded can start the next training at once."""
        error: str | None = None
        try:
            card, comparison = self._run(job, config, JobProgress(job))
            with job.lock:  # discard() checks and sets under the same lock: no finished-but-discarded race
                if not job.cancel.is_set():
                    self._free_slot(job)
                    job.card, job.comparison = card, comparison
                    job.state, job.finished_at = "done", utc_now()
                    return
        except Cancelled:
            pass
        except SegmentationError as exc:
            error = self._reason(exc, job)
        except Exception as exc:  # a bug: logged with its traceback, reported in one line
            log.exception("training %s failed", job.run_id)
            error = f"training failed unexpectedly: {self._reason(exc, job)}"
        job.folder.remove()
        with job.lock:
            self._free_slot(job)
            failed = error is not None and not job.cancel.is_set()
            job.state, job.error = ("failed", error) if failed else ("discarded", None)
            job.finished_at = utc_now()

    def _reason(self, exc: BaseException, job: Job) -> str:
        text = own_words(exc, job.upload, job.filename)
        if not isinstance(exc, SegmentationError):
            text = f"{type(exc).__name__}: {text}"
        return public_text(text, [self.root])

    def _run(self, job: Job, config: RunConfig, progress: JobProgress) -> tuple[ModelCard, dict[str, Any]]:
        train_staged(config, job.input_kind, job.folder.artifacts, self.settings, progress)
        with progress.stage(COMPARE_STAGE):
            staged = snapshot_paths(job.folder.artifacts)
            card = read_card(staged)
            comparison = compare_with_served(self.store.bundle, card, migration_report(staged))
        return card, comparison

    # -- reading, publishing, discarding -------------------------------------------------------
    def get(self, run_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(run_id)

    def publish(self, job: Job) -> PublishResult:
        """Publish a done job into the served folder (atomic swap) and serve it."""
        with self._publish_lock:
            with job.lock:
                state = job.state
            if state != "done":
                raise Conflict(self._cannot(job, "publish"))
            staged = job.folder.artifacts
            try:
                candidate = load_bundle(self.settings.model_copy(update={"artifacts_root": staged}))
            except ArtifactError as exc:
                raise Conflict(
                    f"the trained model would be refused by this server: {own_words(exc, staged, job.filename)}"
                ) from None
            self._check_parent(candidate.card)
            try:
                publish_staged(staged, self.root)
                outcome = self.store.reload()
            except ArtifactError as exc:
                raise Conflict(f"publishing {job.run_id} failed: {public_text(str(exc), [self.root])}") from None
            job.folder.remove()
            job.finish("published")
        bundle = outcome.bundle
        warm_customer_index(bundle)
        return PublishResult(
            run_id=job.run_id,
            model_version=bundle.model_version,
            previous_version=outcome.previous_version,
            k=bundle.k,
            warnings=list(bundle.warnings),
        )

    def _check_parent(self, card: ModelCard) -> None:
        """409 when another model was published since the run was trained: its segment ids, labels and
        migration were matched to a model that is no longer the published one."""
        if card.lineage is None:
            return
        try:
            published: str | None = read_card(snapshot_paths(self.root)).model_version
        except ArtifactError:
            published = None
        if card.lineage.parent_version != published:
            raise Conflict(
                f"the run was compared with model {card.lineage.parent_version or '(none)'}, but "
                f"{published or 'no model'} is published now: train it again"
            )

    def discard(self, job: Job) -> None:
        """Discard a job: a running one stops at its next stage; a finished one's staged run is removed."""
        with self._publish_lock, job.lock:
            if job.state == "published":
                raise Conflict(self._cannot(job, "discard"))
            job.cancel.set()
            if job.state == "running":
                job.state = "discarded"  # shown at once; the thread stops at its next stage and cleans up
                return
            job.folder.remove()
            if job.state != "discarded":
                job.state, job.finished_at = "discarded", utc_now()

    @staticmethod
    def _cannot(job: Job, action: str) -> str:
        why = {
            "running": "it is still training: wait until GET /runs/{id} says done",
            "failed": f"it failed ({job.error})",
            "discarded": "it was discarded",
            "published": "it is already published",
        }[job.state].replace("{id}", job.run_id)
        return f"cannot {action} run {job.run_id}: {why}"
