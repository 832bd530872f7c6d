"""Request limits: body size (413, enforced while the body streams in) and a time budget (408).

The body limit is a small ASGI middleware rather than Starlette's built-in one so that the 413 is
the API's JSON error naming the limit and the setting that controls it. The time budget is
cooperative: slow operations call :meth:`Deadline.check` between stages, because a thread running
numpy cannot be interrupted safely.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import TimeBudgetExceeded

STARTED_KEY = "request_started"


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when the streamed body passes the limit.

    An HTTPException, so FastAPI's body parsing re-raises it as is (any other error there becomes a
    generic 400) and the app's handler renders it as the JSON 413.
    """

    def __init__(self, limit: int, setting: str) -> None:
        super().__init__(status_code=413, detail=too_large_message(limit, setting))


def too_large_message(limit: int, setting: str) -> str:
    return f"request body exceeds the limit of {limit:,} bytes (setting {setting})"


class LimitsMiddleware:
    """Stamp each request's arrival time and cap its body size (per path, from ``limit_for``)."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], tuple[int, str]]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})[STARTED_KEY] = time.perf_counter()
        limit, setting = self.limit_for(scope.get("path", ""))
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _send_413(send, limit, setting)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit, setting)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if started:  # pragma: no cover - the app answered before reading all of the body
                raise
            await _send_413(send, limit, setting)
        except ExceptionGroup as group:  # raised through a task group
            matched, rest = group.split(BodyTooLarge)
            if matched is None or rest is not None or started:
                raise
            await _send_413(send, limit, setting)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _send_413(send: Send, limit: int, setting: str) -> None:
    body = json.dumps({"detail": too_large_message(limit, setting), "errors": []}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


class Deadline:
    """The time left for one request, measured from its arrival (stamped by the middleware)."""

    def __init__(self, started: float, budget_s: float) -> None:
        self.started = started
        self.budget_s = budget_s

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def check(self, stage: str) -> None:
        """Abandon the request (408) when it has run past its budget."""
        if self.elapsed() > self.budget_s:
            raise TimeBudgetExceeded(
                f"the request exceeded its time budget of {self.budget_s:g} s while {stage} "
                "(setting SEGMENTATION_REQUEST_TIME_BUDGET_S); send less data per request"
            )
