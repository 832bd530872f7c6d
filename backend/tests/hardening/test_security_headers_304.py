"""A 304 Not Modified must not carry the data Content-Security-Policy: its headers replace the cached
page's, so the dashboard's scripts would be blocked on every reload (found by the browser timing test)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from customer_segmentation.api.security import DATA_POLICY, SecurityHeadersMiddleware


def _app() -> Starlette:
    async def page(request):  # type: ignore[no-untyped-def]
        if request.headers.get("if-none-match") == '"v1"':
            return Response(status_code=304, headers={"ETag": '"v1"'})
        return Response("<html></html>", media_type="text/html", headers={"ETag": '"v1"'})

    async def data(request):  # type: ignore[no-untyped-def]
        return Response("{}", media_type="application/json")

    app = Starlette(routes=[Route("/", page), Route("/data", data)])
    app.add_middleware(SecurityHeadersMiddleware)
    return app


def test_not_modified_keeps_the_cached_pages_policy() -> None:
    client = TestClient(_app())
    revalidated = client.get("/", headers={"If-None-Match": '"v1"'})
    assert revalidated.status_code == 304
    assert "content-security-policy" not in revalidated.headers
    assert revalidated.headers["x-content-type-options"] == "nosniff"
    assert client.get("/data").headers["content-security-policy"] == DATA_POLICY
