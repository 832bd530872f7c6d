"""CLI faults that used to end in "unexpected …" (exit 1): each is now exit 2 and one line naming the
path or option and the cause, and a failed run leaves the previous one published and no staging folder.

Read-only folders and a full disk are made for real: ``chmod`` for an ordinary user; as root (CI),
who ignores permissions, a read-only bind mount and a tiny tmpfs.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from customer_segmentation import preflight
from customer_segmentation.cli import main
from customer_segmentation.config import ArtifactPaths
from customer_segmentation.errors import ConfigError
from customer_segmentation.publish import STAGING_PREFIX, current_run, runs_dir

QUICK = ["-q", "--bootstrap", "2"]


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().err.strip()


def assert_one_line(message: str, *fragments: str) -> None:
    assert message.startswith("error: ") and "\n" not in message, message
    assert "unexpected" not in message and "Traceback" not in message
    for fragment in fragments:
        assert fragment in message, message


@pytest.fixture
def earlier_run(tmp_path: Path, previous_run: Path) -> Path:
    """A private copy of a complete earlier run (the session's one is shared read-only)."""
    root = tmp_path / "out"
    shutil.copytree(previous_run, root, symlinks=True)
    return root


def _mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True)


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """Make ``folder`` read-only for this process, for real."""
    if os.geteuid() != 0:
        mode = folder.stat().st_mode
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(mode)
        return
    try:
        _mount("--bind", str(folder), str(folder))
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("running as root without permission to mount: cannot make a folder read-only")
    try:
        _mount("-o", "remount,ro,bind", str(folder))
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=False, capture_output=True)


@contextlib.contextmanager
def tiny_disk(folder: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted on ``folder`` (root only): a real ENOSPC."""
    folder.mkdir(parents=True)
    try:
        _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder))
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("needs root with permission to mount a tmpfs for a real full disk")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False, capture_output=True)


def no_staging(root: Path) -> bool:
    return not list(runs_dir(root).glob(f"{STAGING_PREFIX}*"))


# -- options ------------------------------------------------------------------------------------
def test_k_above_the_distinct_customers_is_a_clean_exit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = ["CustomerID,Gender,Age,Annual Income (k$),Spending Score (1-100)"]
    combos = [(20, 15, 80), (50, 80, 20), (35, 50, 50)]
    rows += [f"{i + 1},Male,{','.join(map(str, combos[i % 3]))}" for i in range(12)]
    data = tmp_path / "few.csv"
    data.write_text("\n".join(rows) + "\n")
    code, message = run_cli(capsys, "--data", str(data), "--k", "5", "--output-root", str(tmp_path / "out"), *QUICK)
    assert code == 2
    assert_one_line(message, "--k 5", "3 distinct customers")
    assert not (tmp_path / "out" / "models").exists()


def test_the_largest_random_state_works(tmp_path: Path, mall_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "out"
    code, message = run_cli(
        capsys, "--data", str(mall_csv), "--random-state", str(2**32 - 1), "--output-root", str(root), *QUICK
    )
    assert code == 0, message
    card = json.loads(ArtifactPaths(root).model_card.read_text())
    assert card["random_state"] == 2**32 - 1


@pytest.mark.parametrize("args", [["--data", ""], ["--data="], ["--data", "  "], ["--output-root", ""]])
def test_an_empty_path_option_is_refused(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # an empty --output-root used to mean "here"
    extra = [] if "--output-root" in args[0] else ["--output-root", str(tmp_path / "out")]
    code, message = run_cli(capsys, *args, *extra, *QUICK)
    assert code == 2
    assert_one_line(message, args[0].split("=")[0], "empty")
    assert list(tmp_path.iterdir()) == []


# -- where the run is written -------------------------------------------------------------------
def test_output_root_in_proc_is_refused_up_front(mall_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, message = run_cli(capsys, "--data", str(mall_csv), "--output-root", "/proc/x", *QUICK)
    assert code == 2
    assert_one_line(message, "/proc/x")


@pytest.mark.parametrize("folder", [".runs", "models"])
def test_a_read_only_folder_is_refused_up_front_and_the_run_kept(
    folder: str,
    earlier_run: Path,
    mall_csv: Path,
    capsys: pytest.CaptureFixture[str],
    snapshot: Callable[[Path], dict[str, str]],
) -> None:
    before = snapshot(earlier_run)
    with read_only(earlier_run / folder):
        code, message = run_cli(capsys, "--data", str(mall_csv), "--output-root", str(earlier_run), *QUICK)
    assert code == 2
    assert_one_line(message, str(earlier_run / folder), "not writable")
    assert snapshot(earlier_run) == before


def test_a_read_only_lock_file_is_refused_up_front(
    earlier_run: Path, mall_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lock = ArtifactPaths(earlier_run).lock
    if os.geteuid() == 0:
        pytest.skip("root may write any file; the read-only models/ case covers the lock as root")
    lock.chmod(0o444)
    try:
        code, message = run_cli(capsys, "--data", str(mall_csv), "--output-root", str(earlier_run), *QUICK)
    finally:
        lock.chmod(0o644)
    assert code == 2
    assert_one_line(message, str(lock))


def test_too_little_free_space_is_refused_up_front(earlier_run: Path) -> None:
    with pytest.raises(ConfigError, match="no space left on device") as caught:
        preflight.check_output_root(ArtifactPaths(earlier_run), expected_bytes=1 << 60)
    assert str(earlier_run) in str(caught.value)


def test_a_disk_that_fills_mid_run_is_a_clean_exit_without_staging(
    tmp_path: Path, mall_csv: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A real ENOSPC: a 256 KB disk, the up-front estimate switched off (a run writes ~450 KB)."""
    monkeypatch.setattr(preflight, "MIN_FREE_BYTES", 0)
    with tiny_disk(tmp_path / "disk", "256k") as disk:
        root = disk / "out"
        code, message = run_cli(capsys, "--data", str(mall_csv), "--output-root", str(root), *QUICK)
        assert code == 2
        assert_one_line(message, str(root), "No space left on device")
        assert no_staging(root) and current_run(root) is None


def test_a_write_failure_while_publishing_removes_the_staging_folder(
    earlier_run: Path, mall_csv: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same fault injected without privileges: the 5th fsync of the new run fails with ENOSPC."""
    published = current_run(earlier_run)
    runs_before = sorted(p.name for p in runs_dir(earlier_run).iterdir())
    real_fsync = os.fsync
    calls = {"n": 0}

    def failing_fsync(fd: int) -> None:
        calls["n"] += 1
        if calls["n"] == 5:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", failing_fsync)
    code, message = run_cli(capsys, "--data", str(mall_csv), "--output-root", str(earlier_run), *QUICK)
    assert code == 2
    assert_one_line(message, str(earlier_run / ".runs" / STAGING_PREFIX), "No space left on device")
    assert no_staging(earlier_run)
    assert current_run(earlier_run) == published
    assert sorted(p.name for p in runs_dir(earlier_run).iterdir()) == runs_before  # nothing half-written left
