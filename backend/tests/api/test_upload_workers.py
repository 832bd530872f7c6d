"""Uploads are parsed and scored in a worker process (issue 14): the server's interpreter lock is
never held by pandas' parser, a dead worker costs one request a clear 503, and the request's time
budget follows the job into the worker."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import pickle
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from customer_segmentation.api.services import upload_workers
from customer_segmentation.api.services.errors import TimeBudgetExceeded
from customer_segmentation.api.services.limits import Deadline
from customer_segmentation.api.settings import ApiSettings

from .conftest import serve

BODY = b"CustomerID,Gender,Age,Annual Income (k$),Spending Score (1-100)\n1,Male,27,42,63\n2,Female,38,71,24\n"


def post_csv(client, body: bytes = BODY):  # type: ignore[no-untyped-def]
    return client.post("/predict/csv", files={"file": ("customers.csv", body, "text/csv")})


def _slow_then_check(deadline: Deadline, seconds: float) -> str:
    time.sleep(seconds)
    deadline.check("sleeping in the worker")
    return "finished"


def test_a_job_runs_in_another_process() -> None:
    pid = asyncio.run(upload_workers.run_job(1, Deadline(time.perf_counter(), 30.0), os.getpid))
    assert pid != os.getpid()


def test_the_deadline_keeps_its_spent_time_in_the_worker() -> None:
    """A budget mostly spent before the job is sent runs out in the worker: a 408 naming the stage."""
    spent = Deadline(time.perf_counter() - 0.9, 1.0)  # 0.9 s of a 1 s budget already gone
    assert pickle.loads(pickle.dumps(spent)).elapsed() >= 0.9
    with pytest.raises(TimeBudgetExceeded, match="sleeping in the worker"):
        asyncio.run(upload_workers.run_job(1, spent, _slow_then_check, spent, 0.3))


def _workers() -> list[int]:
    return upload_workers.worker_pids(1)


def _kill(pids: list[int]) -> None:
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    gone_by = time.monotonic() + 10
    while set(pids) & set(_workers()) and time.monotonic() < gone_by:
        time.sleep(0.05)


async def _kill_while_running() -> str:
    """Start a long job, kill the worker under it, and return what the caller gets."""
    deadline = Deadline(time.perf_counter(), 30.0)
    task = asyncio.create_task(upload_workers.run_job(1, deadline, _slow_then_check, deadline, 20.0))
    await asyncio.sleep(0.5)
    await asyncio.to_thread(_kill, _workers())
    try:
        return await task
    except upload_workers.WorkerUnavailable as exc:
        return f"{exc.status_code}: {exc}"


def test_a_worker_that_dies_mid_job_is_a_503_and_the_next_request_gets_a_new_one(api_settings: ApiSettings) -> None:
    asyncio.run(upload_workers.run_job(1, Deadline(time.perf_counter(), 30.0), os.getpid))  # started
    assert asyncio.run(_kill_while_running()) == "503: the upload worker stopped unexpectedly; send the request again"
    with serve(api_settings) as client:
        answer = post_csv(client)
        assert answer.status_code == 200, answer.text
        assert answer.headers["x-rows-scored"] == "2"


def test_the_csv_route_scores_in_the_worker_and_survives_its_death(api_settings: ApiSettings) -> None:
    with serve(api_settings) as client:
        assert post_csv(client).status_code == 200
        workers = _workers()
        assert workers, "the CSV was not scored in a worker process"
        _kill(workers)
        time.sleep(0.5)  # the pool notices its dead worker
        answer = post_csv(client)  # nothing of it had run: sent to a new worker
        assert answer.status_code == 200, answer.text
        assert set(_workers()).isdisjoint(workers)


def test_without_worker_processes_uploads_are_scored_in_threads(
    trained_root: Path, make_settings: Callable[..., ApiSettings]
) -> None:
    before = {p.pid for p in multiprocessing.active_children()}
    with serve(make_settings(trained_root, upload_workers=0)) as client:
        answer = post_csv(client)
    assert answer.status_code == 200, answer.text
    assert {p.pid for p in multiprocessing.active_children()} <= before  # no new process was started


def test_ctrl_c_is_left_to_the_server() -> None:
    """Ctrl-C reaches every process of the terminal's group: the worker must not die mid-job with a
    traceback; it stops when the server's pool shuts down."""
    handler = asyncio.run(
        upload_workers.run_job(1, Deadline(time.perf_counter(), 30.0), signal.getsignal, signal.SIGINT)
    )
    assert handler == signal.SIG_IGN
