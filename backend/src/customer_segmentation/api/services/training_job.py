"""One training job started from the API: its record (state, stages, result) and the progress sink
that fills it from the CLI's stage progress (``progress.SilentProgress``).

The sink also stops a discarded job: every stage start and k-sweep step checks the job's cancel
flag and raises :class:`Cancelled`, the cooperative way to stop a thread running numpy.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...modeling.card import ModelCard, utc_now
from ...progress import Advance, SilentProgress
from ..schemas.training import InputKind, RunState
from .staging import StagingFolder

COMPARE_STAGE = "Comparing with the served model"
#: The pipeline's stages in order (``pipeline.run`` / ``run_transactions`` + ``write_artifacts``);
#: a test checks a real run reports exactly these, so the progress share stays honest.
CUSTOMER_STAGES = (
    "Loading data",
    "Cleaning and validating",
    "Scaling features",
    "Choosing k by silhouette",
    "Measuring how certain k is",
    "Fitting K-Means",
    "Measuring silhouette per segment and bootstrap stability",
    "Profiling segments",
    "Serialising the model",
    "Matching segments to the previous model",
    "Encoding processed data",
    "Rendering figures and report",
    "Writing artifacts",
    COMPARE_STAGE,
)
TRANSACTION_STAGES = (
    "Checking the order lines",
    "Aggregating order lines per customer",
    *CUSTOMER_STAGES[1:],
)


class Cancelled(Exception):
    """Raised inside the training thread when its job was discarded."""


@dataclass
class StageRecord:
    name: str
    started: float
    seconds: float | None = None
    steps_done: int | None = None
    steps_total: int | None = None
    detail: str | None = None


@dataclass
class Job:
    """One training job; every field is read and written under ``lock``."""

    run_id: str
    filename: str
    input_kind: InputKind
    upload: Path
    folder: StagingFolder
    started_at: str = field(default_factory=utc_now)
    state: RunState = "running"
    stages: list[StageRecord] = field(default_factory=list)
    error: str | None = None
    finished_at: str | None = None
    card: ModelCard | None = None
    comparison: dict[str, Any] | None = None
    cancel: threading.Event = field(default_factory=threading.Event)
    stopped: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def expected_stages(self) -> int:
        return len(TRANSACTION_STAGES if self.input_kind == "transactions" else CUSTOMER_STAGES)

    def progress(self) -> float:
        if self.state in ("done", "published"):
            return 1.0
        finished = sum(1 for s in self.stages if s.seconds is not None)
        return min(finished / self.expected_stages, 1.0)

    def finish(self, state: RunState) -> None:
        with self.lock:
            self.state, self.finished_at = state, utc_now()


class JobProgress(SilentProgress):
    """The CLI's progress, recorded for ``GET /runs/{id}``; raises :class:`Cancelled` once discarded."""

    def __init__(self, job: Job) -> None:
        super().__init__()
        self.job = job

    def _check(self) -> None:
        if self.job.cancel.is_set():
            raise Cancelled

    def _started(self, name: str) -> None:
        self._check()
        with self.job.lock:
            self.job.stages.append(StageRecord(name, time.perf_counter()))

    def _finished(self, name: str, seconds: float) -> None:
        with self.job.lock:
            for stage in reversed(self.job.stages):
                if stage.name == name and stage.seconds is None:
                    stage.seconds = seconds
                    break

    @contextlib.contextmanager
    def steps(self, total: int, description: str) -> Iterator[Advance]:
        stage = self.job.stages[-1] if self.job.stages else None

        def advance(detail: str) -> None:
            self._check()
            if stage is not None:
                with self.job.lock:
                    stage.steps_done = (stage.steps_done or 0) + 1
                    stage.detail = detail

        if stage is not None:
            with self.job.lock:
                stage.steps_done, stage.steps_total = 0, total
        yield advance
