"""A run is recorded wholly or not at all: on an exception mid-write, and when the process is killed."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from customer_segmentation.store import Store, UnknownRunError

from .factories import cycling_memberships, make_run, make_segments

KILL_ROWS = 300_000
KILL_CHUNK = 10_000


def _stderr(child: subprocess.Popen[str]) -> str:
    child.kill()
    return child.stderr.read() if child.stderr else ""


class InjectedFailure(RuntimeError):
    pass


def _snapshot(store: Store) -> tuple[object, ...]:
    """Everything a reader can see, to compare before and after a failed write."""
    runs = store.runs()
    return (
        runs,
        [store.run(r.model_version) for r in runs],
        [store.memberships(r.model_version).to_dict("list") for r in runs],
        store.segment_labels("v1"),
        store.retired_segments("v1"),
        store.max_segment_id("v1"),
    )


def test_a_failure_mid_write_leaves_the_store_unchanged(store_url: str) -> None:
    # Chunks large enough that PostgreSQL's COPY really sends rows to the server before the failure.
    store = Store(store_url, chunk_rows=2_000)
    first = store.record_run(make_run("v1"), make_segments([0, 1, 2]), cycling_memberships(30, [0, 1, 2]))
    store.rename_segment("v1", 1, name="Kept")
    before = _snapshot(store)
    chunks_written: list[int] = []

    def fail_after_three_chunks(written: int, _total: int) -> None:
        chunks_written.append(written)
        if len(chunks_written) == 3:
            raise InjectedFailure("disk full")

    with pytest.raises(InjectedFailure):
        store.record_run(
            make_run("v2", day=1, k=4, parent=first.run),
            make_segments([0, 1, 2, 3]),
            cycling_memberships(10_000, [0, 1, 2, 3]),
            retired=[],
            progress=fail_after_three_chunks,
        )

    assert chunks_written == [2_000, 4_000, 6_000]  # rows really were written inside the transaction
    assert _snapshot(store) == before
    assert store.run("v2") is None
    with pytest.raises(UnknownRunError):
        store.memberships("v2")
    assert store.customer_history("C5000") == []
    # The store is still writable: the same run records cleanly afterwards.
    store.record_run(
        make_run("v2", day=1, k=4, parent=first.run),
        make_segments([0, 1, 2, 3]),
        cycling_memberships(10_000, [0, 1, 2, 3]),
    )
    assert len(store.memberships("v2")) == 10_000
    store.close()


@pytest.mark.timeout(300)
def test_a_process_killed_mid_write_leaves_the_run_wholly_absent(store_url: str) -> None:
    with Store(store_url) as store:
        store.record_run(make_run("v1"), make_segments([0, 1, 2]), cycling_memberships(30, [0, 1, 2]))
        before = _snapshot(store)

    child = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("kill_child.py")), store_url, str(KILL_ROWS), str(KILL_CHUNK)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = child.stdout.readline() if child.stdout else ""
        assert line.startswith("MIDWAY"), (
            f"child did not reach the middle: {line!r} {child.stderr.read() if child.stderr else ''}"
        )
        assert int(line.split()[1]) >= KILL_ROWS // 2
        with Store(store_url) as reader:  # while the write is open, readers see only committed runs
            assert reader.run("big") is None
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=60) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()

    with Store(store_url) as store:
        assert _snapshot(store) == before
        assert store.run("big") is None
        assert store.customer_history(f"C{KILL_ROWS - 1}") == []
        # Nothing is left locked or half-written: the same run records wholly now.
        store.record_run(
            make_run("big", day=1, parent=store.latest_run()),
            make_segments([0, 1, 2]),
            cycling_memberships(KILL_ROWS, [0, 1, 2]),
        )
        assert len(store.memberships("big")) == KILL_ROWS
        assert [r.model_version for r in store.runs()] == ["big", "v1"]
