"""Where a training started from the API writes, and how its run reaches the served folder.

Each training job gets a private folder ``<artifacts_root>/.training/<job-id>/`` (its upload and a
complete artifacts tree of its own), never the served one. The job holds an exclusive ``flock`` on
the folder's lock file for as long as it lives; the kernel drops it when the process dies. So at
startup every job folder whose lock can be taken belongs to a server that was killed — half-written
— and is removed (:func:`clean_stale`), while a folder of another live server process sharing the
root is left alone. ``.training/.active.lock`` is held while a job trains: one training at a time,
across every server process on the root.

Publishing copies the staged run through :func:`publish.publish` — the CLI's one atomic symlink swap —
under the CLI's run lock, so the served folder switches from the old run to the new one at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import shutil
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import IO

from ...artifacts import ArtifactError, run_lock, writing_errors
from ...config import ArtifactPaths
from ...publish import Content, RunLinkError, current_run, publish

TRAINING_DIR = ".training"
LOCK_NAME = ".lock"
ACTIVE_LOCK = ".active.lock"
ARTIFACTS = "artifacts"


def training_root(artifacts_root: Path) -> Path:
    return artifacts_root / TRAINING_DIR


def _try_lock(path: Path) -> IO[str] | None:
    """An open handle holding an exclusive lock on ``path``, or None when someone else holds it."""
    handle = open(path, "a+")  # noqa: SIM115 - the handle is the lock: it stays open while held
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


class StagingFolder:
    """A job's private folder, locked while the job lives; :meth:`remove` deletes it."""

    def __init__(self, artifacts_root: Path, job_id: str) -> None:
        self.path = training_root(artifacts_root) / job_id
        self.path.mkdir(parents=True)
        handle = _try_lock(self.path / LOCK_NAME)
        if handle is None:  # pragma: no cover - a fresh random folder name
            raise ArtifactError(f"staging folder {self.path} is in use")
        self._handle: IO[str] | None = handle

    @property
    def artifacts(self) -> Path:
        return self.path / ARTIFACTS

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        if self._handle is not None:
            self._handle.close()
            self._handle = None


class TrainingSlot:
    """``.training/.active.lock``: held by the one job that trains now."""

    def __init__(self, artifacts_root: Path) -> None:
        self.path = training_root(artifacts_root) / ACTIVE_LOCK
        self._handle: IO[str] | None = None

    def acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._handle = _try_lock(self.path)
        return self._handle is not None

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def clean_stale(artifacts_root: Path) -> list[str]:
    """Remove the job folders no live server holds (what a killed server left); their names."""
    removed: list[str] = []
    folder = training_root(artifacts_root)
    with contextlib.suppress(OSError):
        for job in sorted(folder.iterdir()):
            if not job.is_dir() or job.is_symlink():
                continue
            handle = None
            if (job / LOCK_NAME).exists():
                handle = _try_lock(job / LOCK_NAME)
                if handle is None:
                    continue  # a live job of another server process
            shutil.rmtree(job, ignore_errors=True)
            if handle is not None:
                handle.close()
            removed.append(job.name)
    return removed


def staged_run(stage_root: Path) -> Path:
    """The run folder the job's own publish made under its staging root."""
    try:
        run = current_run(stage_root)
    except RunLinkError as exc:  # pragma: no cover - the job wrote this folder itself
        raise ArtifactError(str(exc)) from None
    if run is None:
        raise ArtifactError("the training run left no artifacts to publish")
    return run


def _copy(source: Path, target: Path) -> None:
    shutil.copyfile(source, target)


def publish_staged(stage_root: Path, artifacts_root: Path) -> Path:
    """Publish the staged run into ``artifacts_root`` with the CLI's atomic swap; the new run folder.

    Raises :class:`ArtifactError` (one line) when the folder is locked by a CLI run or cannot be written.
    """
    run = staged_run(stage_root)
    copy: Callable[[Path, Path], None] = _copy
    files: dict[str, Content] = {
        str(path.relative_to(run)): partial(copy, path) for path in sorted(run.rglob("*")) if path.is_file()
    }
    paths = ArtifactPaths(artifacts_root)
    with writing_errors(paths), run_lock(paths):
        return publish(artifacts_root, files)
