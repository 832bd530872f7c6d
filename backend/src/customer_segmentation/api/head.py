"""HEAD wherever GET works (RFC 9110: a server that supports GET should support HEAD).

FastAPI registers a GET route for GET only, so ``HEAD /health`` — what load balancers and uptime
checks send — was a 405. This middleware runs a HEAD request as the GET it mirrors and sends the
same status and headers (Content-Length included) without the body. A path with no GET (``HEAD
/predict``) still gets the 405 that GET would get.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGetMiddleware:
    """Serve HEAD as GET minus the body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        finished = False

        async def send_without_body(message: Message) -> None:
            nonlocal finished
            if message["type"] != "http.response.body":
                await send(message)
                return
            if finished:
                return
            if not message.get("more_body", False):
                finished = True
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        await self.app({**scope, "method": "GET"}, receive, send_without_body)
