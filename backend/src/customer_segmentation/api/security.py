"""Security headers on every response: the API's JSON, its errors, /docs and the static dashboard.

* ``X-Content-Type-Options: nosniff`` — a CSV or JSON answer is never run as a script;
* ``X-Frame-Options: DENY`` and CSP ``frame-ancestors 'none'`` — no page of ours can be framed
  (clickjacking);
* ``Referrer-Policy: no-referrer`` — URLs (with their query strings) are not leaked to other sites;
* ``Content-Security-Policy`` — for data responses ``default-src 'none'`` (nothing in them may
  load anything); for HTML pages (the dashboard, /docs) the page's own policy, built from the page:
  scripts only from this origin plus the page's inline scripts by SHA-256 hash (the Next.js static
  export and Swagger UI each inline a few bootstrap scripts), never ``'unsafe-inline'`` or
  ``'unsafe-eval'`` for scripts. Styles may be inline (Plotly and Swagger UI set style attributes),
  images may be ``data:``/``blob:`` (chart exports, icons). Everything else: this origin only — the
  dashboard loads nothing from outside the server.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache
from pathlib import Path

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
DATA_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
_PAGE_POLICY = (
    "default-src 'self'; script-src 'self'{hashes}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)


def script_hashes(html: bytes) -> list[str]:
    """CSP source expressions (``'sha256-…'``) of the page's inline scripts, in order, without repeats."""
    seen: dict[str, None] = {}
    for body in _INLINE_SCRIPT.findall(html):
        digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
        seen[f"'sha256-{digest}'"] = None
    return list(seen)


def page_policy(html: bytes) -> str:
    """The Content-Security-Policy for one HTML page: its inline scripts allowed by hash, nothing else."""
    hashes = "".join(f" {h}" for h in script_hashes(html))
    return _PAGE_POLICY.format(hashes=hashes)


@lru_cache(maxsize=64)
def _file_policy(path: str, mtime_ns: int, size: int) -> str:
    return page_policy(Path(path).read_bytes())


def file_policy(path: Path) -> str:
    """:func:`page_policy` of an HTML file, cached until the file changes (a rebuilt dashboard)."""
    stat = path.stat()
    return _file_policy(str(path), stat.st_mtime_ns, stat.st_size)


class SecurityHeadersMiddleware:
    """Add :data:`HEADERS` to every HTTP response, and :data:`DATA_POLICY` unless the response set
    its own Content-Security-Policy (HTML pages do)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
                # A 304's headers UPDATE the cached response's: a data policy there would replace the
                # cached page's own policy and block its scripts on reload. A 304 carries no body anyway.
                if message.get("status") != 304:
                    headers.setdefault("Content-Security-Policy", DATA_POLICY)
            await send(message)

        await self.app(scope, receive, send_with_headers)
