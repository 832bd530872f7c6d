"""``/docs`` (Swagger UI) served from files installed with the API — no CDN, so it works offline.

FastAPI's default page loads Swagger UI's JavaScript and CSS from a CDN and its favicon from
fastapi.tiangolo.com: on a machine without internet /docs was blank. The same files ship in the
``fastapi-offline`` package (pinned in requirements.txt); they are mounted at ``/docs/assets`` and
the page is FastAPI's own ``get_swagger_ui_html`` pointed at them, with a Content-Security-Policy
that allows exactly its inline bootstrap script. ReDoc (``/redoc``) is switched off: its bundle
fetches a logo from a CDN, and one reference UI is enough.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse

from .security import page_policy

DOCS_URL = "/docs"
ASSETS_URL = "/docs/assets"


def swagger_ui_dir() -> Path:
    """Folder of the installed Swagger UI files (swagger-ui-bundle.js, swagger-ui.css, favicon.png)."""
    return Path(str(files("fastapi_offline") / "static"))


def install_docs(app: FastAPI) -> None:
    """Serve Swagger UI at /docs from :func:`swagger_ui_dir` (the app is built with docs_url=None)."""
    app.mount(ASSETS_URL, StaticFiles(directory=swagger_ui_dir()), name="docs-assets")
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get(DOCS_URL, include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        page = get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} — reference",
            swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
        )
        page.headers["Content-Security-Policy"] = page_policy(bytes(page.body))
        return page
