"""Request limits: body size (413) and read time (408) while the body streams in, and a processing
time budget (408) that starts once the body has arrived.

The body limit is a small ASGI middleware rather than Starlette's built-in one so that the 413 is
the API's JSON error naming the limit and the setting that controls it. The two clocks are separate
(issue 14): a client gets ``SEGMENTATION_BODY_READ_TIMEOUT_S`` to send its body — a slow 300-byte
upload is not the server's work — and the server gets ``SEGMENTATION_REQUEST_TIME_BUDGET_S`` for
parsing, validating, scoring and building the answer, counted from the body's last byte. The budget
is cooperative: slow operations call :meth:`Deadline.check` between stages, because a thread
running numpy cannot be interrupted safely.

The constants below bound the work one request can cause before any limit is checked (see
``json_body`` for how a batch is counted before it is parsed).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import anyio
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import PayloadTooLarge, TimeBudgetExceeded

STARTED_KEY = "request_started"
BODY_RECEIVED_KEY = "body_received"
#: Errors listed in a 422 answer (and in a CSV report's ``errors``); the rest are counted, not listed.
MAX_REPORTED_ERRORS = 100
#: Largest JSON body of one customer (``POST /predict``), and of one customer inside a batch.
MAX_CUSTOMER_BYTES = 64 * 1024


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when the streamed body passes the limit.

    An HTTPException, so FastAPI's body parsing re-raises it as is (any other error there becomes a
    generic 400) and the app's handler renders it as the JSON 413.
    """

    def __init__(self, limit: int, setting: str) -> None:
        super().__init__(status_code=413, detail=too_large_message(limit, setting))


class BodyTooSlow(HTTPException):
    """Raised from ``receive`` when the client takes longer than the read timeout to send its body."""

    def __init__(self, timeout_s: float) -> None:
        super().__init__(status_code=408, detail=too_slow_message(timeout_s))


def too_large_message(limit: int, why: str) -> str:
    """``why`` says where the limit comes from, e.g. ``setting SEGMENTATION_MAX_BODY_BYTES``."""
    return f"request body exceeds the limit of {limit:,} bytes ({why})"


def too_slow_message(timeout_s: float) -> str:
    return (
        f"the request body did not arrive within {timeout_s:g} s (setting SEGMENTATION_BODY_READ_TIMEOUT_S); "
        "send it faster or in smaller parts"
    )


class LimitsMiddleware:
    """Stamp each request's arrival, cap its body size (per path, from ``limit_for``) and the time the
    client takes to send it (``read_timeout_s``), and stamp when the body has fully arrived."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], tuple[int, str]], read_timeout_s: float = 60.0) -> None:
        self.app = app
        self.limit_for = limit_for
        self.read_timeout_s = read_timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        arrived = time.perf_counter()
        state = scope.setdefault("state", {})
        state[STARTED_KEY] = arrived
        limit, setting = self.limit_for(scope.get("path", ""))
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _send_413(send, limit, setting)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            remaining = self.read_timeout_s - (time.perf_counter() - arrived)
            if BODY_RECEIVED_KEY in state:  # the body is complete: only a disconnect can follow
                return await receive()
            try:
                with anyio.fail_after(max(remaining, 0.0)):
                    message = await receive()
            except TimeoutError:
                raise BodyTooSlow(self.read_timeout_s) from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit, setting)
                if not message.get("more_body", False):
                    state[BODY_RECEIVED_KEY] = time.perf_counter()  # the processing budget starts here
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except (BodyTooLarge, BodyTooSlow) as exc:
            if started:  # pragma: no cover - the app answered before reading all of the body
                raise
            await _send_error(send, exc.status_code, str(exc.detail))
        except ExceptionGroup as group:  # raised through a task group
            matched, rest = group.split((BodyTooLarge, BodyTooSlow))
            if matched is None or rest is not None or started:
                raise
            first = matched.exceptions[0]
            assert isinstance(first, HTTPException)
            await _send_error(send, first.status_code, str(first.detail))


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _send_413(send: Send, limit: int, setting: str) -> None:
    await _send_error(send, 413, too_large_message(limit, setting))


async def _send_error(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail, "errors": []}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


#: The delimiters the loader detects; the widest reading of the header line is the one counted.
UPLOAD_DELIMITERS = (b",", b";", b"\t", b"|")


def check_upload_shape(data: bytes, max_rows: int, max_columns: int) -> None:
    """Refuse an upload with too many columns or rows before it is parsed (413, naming the setting).

    Counted on the raw bytes in milliseconds: columns on the header line (under whichever delimiter
    splits it most), rows as lines after the header (a quoted value spanning lines counts each line).
    The exact row count is checked again after parsing.
    """
    header = data.split(b"\n", 1)[0]
    columns = max(header.count(d) for d in UPLOAD_DELIMITERS) + 1
    if columns > max_columns:
        raise PayloadTooLarge(
            f"the uploaded file's header has {columns:,} columns; the limit is {max_columns:,} "
            "(setting SEGMENTATION_MAX_UPLOAD_COLUMNS)",
            field="file",
        )
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1) - 1
    if lines > max_rows:
        raise PayloadTooLarge(
            f"the uploaded file has {lines:,} data rows (lines after the header, counted before parsing); the "
            f"limit is {max_rows:,} (setting SEGMENTATION_MAX_UPLOAD_ROWS)",
            field="file",
        )


class Deadline:
    """The time left for one request's processing, measured from when its body had fully arrived
    (stamped by the middleware; for a request without a body, from when the deadline is made)."""

    def __init__(self, started: float, budget_s: float) -> None:
        self.started = started
        self.budget_s = budget_s

    @classmethod
    def for_request(cls, scope: Scope, budget_s: float) -> Deadline:
        """The processing deadline of the request behind ``scope``: call it after reading the body."""
        started = scope.get("state", {}).get(BODY_RECEIVED_KEY)
        return cls(time.perf_counter() if started is None else started, budget_s)

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def __getstate__(self) -> dict[str, float]:
        """Pickled for an upload worker process (``upload_workers``): ``perf_counter`` has no common
        origin across processes, so the clock travels as the time already spent."""
        return {"budget_s": self.budget_s, "elapsed": self.elapsed()}

    def __setstate__(self, state: dict[str, float]) -> None:
        self.budget_s = state["budget_s"]
        self.started = time.perf_counter() - state["elapsed"]

    def check(self, stage: str) -> None:
        """Abandon the request (408) when it has run past its budget."""
        if self.elapsed() > self.budget_s:
            raise TimeBudgetExceeded(
                f"the request exceeded its time budget of {self.budget_s:g} s while {stage} "
                "(setting SEGMENTATION_REQUEST_TIME_BUDGET_S); send less data per request"
            )
