"""Checks made before a run starts, so a fault that would surface after minutes of training is
reported in the first second instead — as one line naming the path and the cause.

* every folder the run writes into that already exists (the root, ``.runs``, ``models/`` with its
  lock file, ``data/processed``, ``reports/``) must be a writable folder;
* a root that does not exist yet must be creatable (probed with a temporary folder, removed at once):
  ``--output-root /proc/x`` fails here;
* the file system must have room for the run (``MIN_FREE_BYTES`` by default: a canonical run writes
  about 2 MB; the margin covers tables of a few hundred thousand rows).

Checks can race with the world (a disk fills up mid-run), so ``publish`` still removes a half-written
run and ``artifacts.writing_errors`` reports the failure the same way; this module only makes the
common cases fast.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .config import ArtifactPaths
from .errors import ConfigError
from .publish import runs_dir

MIB = 1024 * 1024
MIN_FREE_BYTES = 32 * MIB
#: Options whose value names a file or folder: an empty value would silently mean "the default"
#: (``Path("")`` is the current folder, ``--data ''`` the Mall data).
PATH_OPTIONS = ("--data", "--output-root")


def _cause(folder: Path) -> str:
    try:
        read_only = bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        read_only = False
    return "read-only file system" if read_only else "permission denied"


def _writable_folder(folder: Path, where: str) -> None:
    if not folder.is_dir():
        raise ConfigError(f"{where}: {folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ConfigError(f"{where}: {folder} is not writable ({_cause(folder)})")


def _nearest_existing(path: Path) -> Path | None:
    return next((p for p in (path, *path.parents) if p.exists()), None)


def check_output_root(paths: ArtifactPaths, *, expected_bytes: int | None = None) -> None:
    """Raise :class:`ConfigError` (one line: the path and the cause) when the run could not be written.

    ``expected_bytes`` is the room the run needs (``MIN_FREE_BYTES`` when not given).
    """
    root = paths.root
    needed = MIN_FREE_BYTES if expected_bytes is None else expected_bytes
    option = f"--output-root {root}"
    if root.exists() and not root.is_dir():
        raise ConfigError(f"{option} is not a folder")
    existing = _nearest_existing(root)
    if existing is None:  # pragma: no cover - "/" always exists
        raise ConfigError(f"{option} has no existing parent folder")
    folders = [existing, runs_dir(root), paths.models_dir, paths.processed_dir, paths.reports_dir, paths.figures_dir]
    for folder in folders:
        if folder.exists() or folder == existing:
            _writable_folder(folder, option)
    if paths.lock.exists() and not os.access(paths.lock, os.W_OK):
        raise ConfigError(f"{option}: the lock file {paths.lock} is not writable ({_cause(paths.lock.parent)})")
    usage = shutil.disk_usage(existing)
    if usage.total == 0:
        raise ConfigError(f"{option}: {existing} is on a virtual file system that cannot hold files")
    if existing != root:
        _probe_create(existing, option)
    if usage.free < needed:
        raise ConfigError(
            f"{option}: only {usage.free / MIB:.1f} MB free on the file system of {existing}; a run needs "
            f"about {needed / MIB:.0f} MB (no space left on device)"
        )


def _probe_create(existing: Path, option: str) -> None:
    """Create (and remove) a temporary folder where the root will be created."""
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".segmentation-probe-", dir=existing))
    except OSError as exc:
        raise ConfigError(f"{option} cannot be created in {existing}: {exc.strerror or exc}") from None


def reject_empty_paths(argv: Sequence[str]) -> None:
    """``--data ''`` or ``--output-root=`` is a mistake (an unset variable in a script), not "the default"."""
    for position, arg in enumerate(argv):
        for option in PATH_OPTIONS:
            if arg == option and position + 1 < len(argv):
                value = argv[position + 1]
            elif arg.startswith(option + "="):
                value = arg.split("=", 1)[1]
            else:
                continue
            if not value.strip():
                raise ConfigError(f"{option} is empty: give a path (or leave the option out for the default)")
