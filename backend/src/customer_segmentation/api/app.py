"""The app factory: ``create_app()`` wires settings, the model store, routers, limits, CORS, error
handlers and (when built) the dashboard.

``uvicorn backend.src.main:app`` serves ``create_app()`` with settings from the environment; tests
call ``create_app(ApiSettings(...))`` with their own artifacts folder.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.responses import FileResponse, Response
from starlette.routing import Match, Mount, compile_path
from starlette.types import Scope

from .. import __version__
from . import handlers
from .docs import install_docs
from .head import HeadAsGetMiddleware
from .openapi_extra import register_schemas
from .routers import ROUTERS
from .schemas import BatchIn
from .schemas.training import TrainingOptions
from .security import SecurityHeadersMiddleware, file_policy
from .services import upload_workers
from .services.customer_query import warm as warm_customer_index
from .services.key_attempts import FailedKeyAttempts
from .services.limits import MAX_CUSTOMER_BYTES, LimitsMiddleware
from .services.model_store import ModelStore
from .services.run_store import RunStore
from .services.training_jobs import TrainingJobs
from .settings import ApiSettings, get_api_settings

CSV_PATH = "/predict/csv"
#: Multipart uploads: the upload size limit applies instead of the JSON body limit.
UPLOAD_PATHS = frozenset({CSV_PATH, "/predict/transactions", "/schema/infer", "/runs"})
SINGLE_PATH = "/predict"
#: Multipart framing around the file; the file itself is checked exactly against max_upload_bytes.
MULTIPART_SLACK = 64 * 1024

DESCRIPTION = """
Score customers into the segments found by the segmentation pipeline, and explain them.

* Train first: `python backend/src/main.py` (writes `models/`, `data/processed/`, `reports/`).
* Every error is JSON: `{"detail": "...", "errors": [{"field", "message", "type"}]}`.
* Limits (413) and the time budget (408) come from `SEGMENTATION_*` settings.
"""

TAGS = [
    {"name": "health", "description": "Is a model served?"},
    {"name": "clusters", "description": "The segments and why k was chosen."},
    {"name": "predict", "description": "Score new customers: one, a batch, or a CSV file."},
    {"name": "customers", "description": "Segments of the training customers."},
    {"name": "model", "description": "The model card, and hot reload (API key)."},
    {"name": "reports", "description": "The text report and the figures of the training run."},
    {"name": "runs", "description": "Training runs across retraining: history, migration and drift."},
    {"name": "training", "description": "Train from an upload: draft schema, progress, compare, publish (API key)."},
]


def settle_heap() -> None:
    """Move everything loaded at startup (libraries, the model) out of the garbage collector's sight.

    A full collection walks every tracked object: with the ~280,000 that pandas, scikit-learn and
    the app leave behind it took 0.3 s here, holding the GIL — a request that allocated a lot
    (10,000 invalid customers) triggered one and ``/health`` waited 0.5 s for it. Frozen objects are
    never scanned again (``gc.freeze``, the usual remedy for long-running servers); anything created
    later is collected as usual.
    """
    gc.collect()
    gc.freeze()


def operation_id(route: APIRoute) -> str:
    """Stable operation ids = endpoint function names (``predict_batch``), for the generated client."""
    return route.name


def create_app(settings: ApiSettings | None = None) -> FastAPI:
    """Build the API. The model is loaded in the lifespan, once; with none the app still starts."""
    settings = settings or get_api_settings()
    run_store = RunStore(settings)
    store = ModelStore(settings, labels_for=lambda bundle: run_store.labels(bundle.lineage_id))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.training.clean_stale()  # what a server killed mid-training left behind
        app.state.store.load()
        settle_heap()
        warm_customer_index(app.state.store.bundle)  # in the background: the customers table's sort orders
        upload_workers.warm(settings.upload_workers)  # started now, not on the first upload
        yield
        app.state.training.shutdown()
        app.state.run_store.close()

    app = FastAPI(
        title="Customer Segmentation API",
        version=__version__,
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        docs_url=None,  # served by install_docs from installed files, not from a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.store = store
    app.state.run_store = run_store
    app.state.training = TrainingJobs(settings, store)
    app.state.key_attempts = FailedKeyAttempts(settings.api_key_max_failures, settings.api_key_failure_window_s)
    handlers.install(app)
    for router in ROUTERS:
        app.include_router(router)
    install_docs(app)
    # /predict/batch reads its body itself (see services.batch_input); POST /runs takes its options as a
    # JSON form field (see routers.training)
    register_schemas(app, BatchIn, TrainingOptions)

    def body_limit(path: str) -> tuple[int, str]:
        if path in UPLOAD_PATHS:
            return settings.max_upload_bytes + MULTIPART_SLACK, "setting SEGMENTATION_MAX_UPLOAD_BYTES"
        if path == SINGLE_PATH and settings.max_body_bytes > MAX_CUSTOMER_BYTES:
            # One customer is a few hundred bytes; FastAPI parses this body on the event loop.
            return MAX_CUSTOMER_BYTES, "one customer; send many to /predict/batch"
        return settings.max_body_bytes, "setting SEGMENTATION_MAX_BODY_BYTES"

    app.add_middleware(LimitsMiddleware, limit_for=body_limit, read_timeout_s=settings.body_read_timeout_s)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "HEAD", "POST", "PATCH", "DELETE"],
        allow_headers=["Content-Type", "X-API-Key"],
        expose_headers=[
            "Content-Disposition",
            "X-Rows-Total",
            "X-Rows-Scored",
            "X-Rows-Failed",
            "X-Errors-Total",
            "X-Model-Version",
            "Retry-After",
        ],
    )
    # The dashboard's JavaScript is ~2.2 MB raw, ~0.7 MB gzipped; small JSON answers stay uncompressed.
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(HeadAsGetMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)  # outermost: every answer gets the headers, errors too
    _mount_dashboard(app, settings)
    return app


class DashboardFiles(StaticFiles):
    """The static export, minus API paths: a mount at / matches every path fully, so without this a
    wrong method on an API route (GET /predict) or a typo under an API prefix would get the
    dashboard's HTML 404 page instead of the API's JSON 405/404."""

    def __init__(self, *, directory: Path, api: FastAPI) -> None:
        super().__init__(directory=directory, html=True)
        self.api = api

    async def get_response(self, path: str, scope: Scope) -> Response:
        probe = {**scope, "type": "http"}
        if any(
            route.matches(probe)[0] is Match.PARTIAL  # the path is an API route, the method is not
            for route in self.api.router.routes
            if not isinstance(route, Mount)
        ):
            allowed = self._allowed_methods(f"/{path}")
            return handlers.error_json(405, f"method {scope['method']} is not allowed on /{path}", allowed)
        if path.split("/", 1)[0] in API_PREFIXES:
            return handlers.error_json(404, f"no API route /{path}")
        response = await super().get_response(path, scope)
        if isinstance(response, FileResponse) and (response.media_type or "").startswith("text/html"):
            # The page's own policy: its inline Next.js bootstrap scripts allowed by hash (see security.py).
            response.headers["Content-Security-Policy"] = file_policy(Path(response.path))
        return response

    def _allowed_methods(self, path: str) -> list[str]:
        """The methods the OpenAPI schema lists for ``path`` (for the Allow header)."""
        allowed = {
            method.upper()
            for template, operations in self.api.openapi().get("paths", {}).items()
            if compile_path(template)[0].fullmatch(path)
            for method in operations
        }
        return sorted(allowed)


API_PREFIXES = frozenset(
    {"health", "clusters", "predict", "customers", "model", "reports", "runs", "schema", "docs", "redoc"}
)


def _mount_dashboard(app: FastAPI, settings: ApiSettings) -> None:
    """Serve the Next.js static export at / — mounted last, so every API route still wins."""
    index = settings.frontend_dir / "index.html"
    app.state.dashboard = index.is_file()
    if app.state.dashboard:
        app.mount("/", DashboardFiles(directory=settings.frontend_dir, api=app), name="dashboard")
        return

    @app.get("/", include_in_schema=False)
    def root() -> dict[str, str]:
        return {
            "name": "Customer Segmentation API",
            "docs": "/docs",
            "health": "/health",
            "dashboard": "not built: run `make run` (or build frontend/) to serve it here",
        }
