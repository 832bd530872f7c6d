"""GET /reports/summary (text) and the report figures (PNG), from the served model's run."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Response
from fastapi.responses import FileResponse, PlainTextResponse

from ...reporting import figures
from ..dependencies import BundleDep
from ..schemas import FigureInfo, FigureList
from ..services.errors import NotFound
from ..services.model_store import SUMMARY
from ..services.redact import public_report
from .responses import errors, json_errors

router = APIRouter(prefix="/reports", tags=["reports"])

#: The whitelist: only these files are ever served from the figures folder.
FIGURE_TITLES: dict[str, str] = {
    figures.FIGURE_2D: "Income vs spending by segment",
    figures.FIGURE_3D: "Age, income and spending by segment",
    figures.FIGURE_SILHOUETTE_BY_K: "Mean silhouette per k",
    figures.FIGURE_SILHOUETTE_SAMPLES: "Per-customer silhouette for the chosen k",
    figures.FIGURE_ELBOW: "Elbow chart (inertia per k)",
    figures.FIGURE_MIGRATION: "Where the previous model's customers are now (migration heatmap)",
}
#: Figures only some runs produce (the migration heatmap needs a previous model): listed only when present.
OPTIONAL_FIGURES = frozenset({figures.FIGURE_MIGRATION})
FigureName = StrEnum("FigureName", {f"F{i}": name for i, name in enumerate(FIGURE_TITLES)})  # type: ignore[misc]


@router.get(
    "/summary",
    response_class=PlainTextResponse,
    summary="The text report of the training run",
    responses={
        200: {
            "description": "reports/summary.txt",
            "content": {"text/plain": {"schema": {"type": "string"}, "example": "CUSTOMER SEGMENTATION REPORT\n…"}},
        },
        **json_errors(404, 503),
    },
)
def get_summary_report(bundle: BundleDep) -> PlainTextResponse:
    """Data quality, the k-selection table, stability and one profile per segment (its reproduce line
    shows the data file relative to the project, or by its name)."""
    text = bundle.reports.get(SUMMARY)
    if text is None:
        raise NotFound("no summary report in the served run: retrain with `python backend/src/main.py`")
    return PlainTextResponse(public_report(text.decode("utf-8")))


@router.get(
    "/figures",
    response_model=FigureList,
    summary="The report figures that can be fetched",
    responses=errors(503),
)
def list_figures(bundle: BundleDep) -> FigureList:
    """Names, titles and URLs of the whitelisted figures, and whether each exists."""
    return FigureList(
        figures=[
            FigureInfo(name=name, title=title, url=f"/reports/figures/{quote(name)}", available=name in bundle.reports)
            for name, title in FIGURE_TITLES.items()
            if name in bundle.reports or name not in OPTIONAL_FIGURES
        ]
    )


@router.get(
    "/figures/{name}",
    response_class=FileResponse,
    summary="One report figure (PNG)",
    responses={
        200: {
            "description": "The figure.",
            "content": {"image/png": {"schema": {"type": "string", "format": "binary"}}},
        },
        **json_errors(404, 422, 503),
    },
)
def get_figure(
    bundle: BundleDep,
    name: Annotated[FigureName, Path(description="A name from GET /reports/figures.")],
) -> Response:
    """Only whitelisted names are accepted (anything else is a 422), so no path can escape the folder."""
    png = bundle.reports.get(name.value)
    if png is None:
        raise NotFound(f"figure {name.value!r} was not produced by this run")
    return Response(png, media_type="image/png")
