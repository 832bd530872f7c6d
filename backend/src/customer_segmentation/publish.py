"""Publish a run's artifacts so that readers switch from the old run to the new one all at once.

Renaming files one by one is atomic per file, not per run: a pipeline killed between the model and
its card would leave a new model beside an old card. So every run is written to its own folder
``<root>/.runs/<run-id>/``; one symlink, ``.runs/current``, names the published run and is swapped
with a single atomic ``rename``. The familiar paths (``models/clustering_model.pkl``,
``reports/summary.txt``, …) are relative symlinks through ``current``. Killed before the swap, the
previous run stays published untouched; after it, the new run is complete. The last ``keep`` runs
are kept; older ones, and staging folders of killed runs, are removed by the next run.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path

from .errors import SegmentationError

RUNS_DIR = ".runs"
CURRENT = "current"
STAGING_PREFIX = ".staging-"

#: A file's content: bytes, or a function that writes the file at the given path (large outputs).
Content = bytes | Callable[[Path], None]


def runs_dir(root: Path) -> Path:
    return root / RUNS_DIR


class RunLinkError(SegmentationError):
    """``.runs/current`` leads outside the artifacts root: someone else's folder is never served."""


def current_run(root: Path) -> Path | None:
    """The published run's folder, or None when nothing was published with this scheme yet.

    The link must name a folder directly inside ``<root>/.runs`` (after resolving every link on the
    way); anything else — ``/etc``, ``../../elsewhere``, a run folder that is itself a link out — raises
    :class:`RunLinkError` rather than being read.
    """
    link = runs_dir(root) / CURRENT
    if not link.is_symlink():
        return None
    target = link.resolve()
    runs = runs_dir(root).resolve()
    if target.parent != runs:
        raise RunLinkError(f"{link} points outside {runs} (to {target}); refusing it: publish a new run")
    return target if target.is_dir() else None


def _current_run_or_none(root: Path) -> Path | None:
    """As :func:`current_run`, but a link out of the root is simply about to be replaced."""
    try:
        return current_run(root)
    except RunLinkError:
        return None


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _new_run_id(runs: Path) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    run_id, n = stamp, 1
    while (runs / run_id).exists():
        n += 1
        run_id = f"{stamp}-{n}"
    return run_id


def _stage(staging: Path, files: Mapping[str, Content]) -> None:
    for relative, content in files.items():
        target = staging / relative
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                content(target)
            with open(target, "rb") as handle:
                os.fsync(handle.fileno())
            os.chmod(target, 0o644)
        except OSError as exc:
            if exc.filename is None:  # a failed write() names no file: say which one it was
                raise OSError(exc.errno, exc.strerror, str(target)) from exc
            raise
    for folder in sorted({(staging / r).parent for r in files} | {staging}):
        _fsync_dir(folder)


def _swap_symlink(link: Path, target: str) -> None:
    """Point ``link`` at ``target`` atomically (a new link renamed over the old one)."""
    temporary = link.with_name(f".{link.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    os.symlink(target, temporary)
    os.replace(temporary, link)


def _link_published(root: Path, relatives: list[str], previous: set[str]) -> None:
    for relative in relatives:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        target = os.path.relpath(runs_dir(root) / CURRENT / relative, path.parent)
        if not (path.is_symlink() and os.readlink(path) == target):
            _swap_symlink(path, target)
    for relative in previous - set(relatives):  # outputs the new run no longer produces
        path = root / relative
        if path.is_symlink() and not path.exists():
            path.unlink()


def _published_files(run: Path | None) -> set[str]:
    if run is None:
        return set()
    return {str(p.relative_to(run)) for p in run.rglob("*") if p.is_file()}


def _prune(runs: Path, keep: int) -> None:
    current = (runs / CURRENT).resolve() if (runs / CURRENT).is_symlink() else None
    finished = sorted(
        p for p in runs.iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith(STAGING_PREFIX)
    )
    for old in finished[: max(len(finished) - keep, 0)]:
        if old != current:
            shutil.rmtree(old, ignore_errors=True)
    for stale in runs.glob(f"{STAGING_PREFIX}*"):
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)


def publish(root: Path, files: Mapping[str, Content], *, keep: int = 3) -> Path:
    """Write ``files`` (paths relative to ``root``) as a new run and publish it atomically."""
    runs = runs_dir(root)
    runs.mkdir(parents=True, exist_ok=True)
    previous = _published_files(_current_run_or_none(root))
    _prune(runs, keep)
    run_id = _new_run_id(runs)
    staging = runs / f"{STAGING_PREFIX}{run_id}"
    final = runs / run_id
    try:
        _stage(staging, files)
        os.replace(staging, final)
        _fsync_dir(runs)
        _swap_symlink(runs / CURRENT, run_id)  # the commit point
    except BaseException:
        # A full disk, a read-only folder or Ctrl-C before the commit point: the previous run stays
        # published, and the half-written one is removed now rather than by the next run's prune.
        if _current_run_or_none(root) != final.resolve():
            shutil.rmtree(staging, ignore_errors=True)
            shutil.rmtree(final, ignore_errors=True)
        raise
    _fsync_dir(runs)
    _link_published(root, sorted(files), previous)
    return final
