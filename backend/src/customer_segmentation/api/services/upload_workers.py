"""Upload work (parsing, validating and scoring a CSV, building its answer) in a worker process.

Why a process: pandas' CSV parser and the per-cell validation of an upload hold the interpreter
lock for up to a second at a time; in a thread of the server process they stall every other
request — ``/health`` waited 0.2–0.7 s while a 10 MB CSV of invalid rows was scored (issue 14). A
worker process has its own interpreter lock, so the event loop only waits for bytes on a pipe.

One pool per server process, shared by every app it builds (tests build many) and started lazily
with ``spawn`` (forking a process that runs threads is unsafe). Jobs are top-level functions that
take plain arguments — the upload's bytes, a :class:`~.scoring_model.ScoringModel`, the limits,
the request's :class:`~.limits.Deadline` — and return the finished answer as bytes, so nothing
large is pickled back. Service errors (413, 422, 408) come back as themselves. A worker that dies
(out of memory, killed) breaks the pool: the requests it was running get a 503, later ones a fresh pool.
``SEGMENTATION_UPLOAD_WORKERS=0`` runs the same jobs in the server's threads instead.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import ParamSpec, TypeVar

from fastapi.concurrency import run_in_threadpool

from .errors import ServiceError, TimeBudgetExceeded
from .limits import Deadline

log = logging.getLogger("customer_segmentation.api")

P = ParamSpec("P")
T = TypeVar("T")

#: Beyond the request's own budget, how long the server waits for a worker before answering 408:
#: the worker checks the budget itself between stages, so this only covers one uninterruptible stage.
GRACE_S = 5.0


class WorkerUnavailable(ServiceError):
    """The worker process died while handling the request (503); the next request gets a new one."""

    status_code = 503


_pools: dict[int, ProcessPoolExecutor] = {}
_lock = threading.Lock()


def _pool(processes: int) -> ProcessPoolExecutor:
    with _lock:
        pool = _pools.get(processes)
        if pool is None:
            pool = ProcessPoolExecutor(
                processes, mp_context=multiprocessing.get_context("spawn"), initializer=_leave_interrupts_to_the_server
            )
            _pools[processes] = pool
        return pool


def _leave_interrupts_to_the_server() -> None:
    """Ctrl-C reaches the whole process group: a worker ignores it and stops when the server's pool
    shuts down at exit (instead of dying mid-job with a KeyboardInterrupt traceback on the console)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _discard(processes: int, broken: ProcessPoolExecutor) -> None:
    with _lock:
        if _pools.get(processes) is broken:
            del _pools[processes]
    broken.shutdown(wait=False, cancel_futures=True)


def worker_pids(processes: int) -> list[int]:
    """Process ids of the pool's live workers (for diagnostics; empty before the first job)."""
    with _lock:
        pool = _pools.get(processes)
    workers = getattr(pool, "_processes", None) or {}  # the executor keeps no public list
    return sorted(pid for pid, process in dict(workers).items() if process.is_alive())


def _ready() -> bool:
    return True


def warm(processes: int) -> None:
    """Start the worker processes now (in the background), not on the first upload."""
    if processes > 0:
        _pool(processes).submit(_ready)


async def run_job(processes: int, deadline: Deadline, job: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``job(*args, **kwargs)`` in a worker process (in a thread when ``processes`` is 0).

    The job is expected to check ``deadline`` between its stages; the wait here is bounded too, by
    what is left of the budget plus :data:`GRACE_S`.
    """
    if processes <= 0:
        return await run_in_threadpool(job, *args, **kwargs)
    deadline.check("waiting for an upload worker")
    pool = _pool(processes)
    try:
        future: Future[T] = pool.submit(job, *args, **kwargs)
    except BrokenProcessPool:  # a worker died earlier: nothing of this request has run, so start afresh
        _discard(processes, pool)
        pool = _pool(processes)
        future = pool.submit(job, *args, **kwargs)
    timeout = max(deadline.budget_s - deadline.elapsed(), 0.0) + GRACE_S
    try:
        return await asyncio.wait_for(asyncio.wrap_future(future), timeout)
    except TimeoutError:
        future.cancel()  # if it has not started; a running job stops at its next deadline check
        raise TimeBudgetExceeded(
            f"the request exceeded its time budget of {deadline.budget_s:g} s while waiting for an upload worker "
            "(setting SEGMENTATION_REQUEST_TIME_BUDGET_S); send less data per request"
        ) from None
    except BrokenProcessPool:
        log.error("an upload worker process died; starting a new pool for the next request")
        _discard(processes, pool)
        raise WorkerUnavailable("the upload worker stopped unexpectedly; send the request again") from None
