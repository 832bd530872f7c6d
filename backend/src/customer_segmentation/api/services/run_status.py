"""``GET /runs/{run_id}``: the status of a training job, or of a published model version.

A job answers from memory (its stages, its error, or its card and comparison once done). A model
version answers from the served model when it is the one served, else from the store of runs
(``customer_segmentation.store``), which lists every published version; unknown ids are a 404.
"""

from __future__ import annotations

from typing import Any

from ...modeling.card import ModelCard
from ...store import RunDetail
from ..schemas.training import RunStatus
from .errors import NotFound
from .model_store import ModelBundle
from .run_compare import segment_briefs
from .training_job import Job


def cluster_summary(card: ModelCard) -> dict[str, Any]:
    """What ``GET /clusters`` answers for ``card``: k, its evidence and every segment."""
    return {
        "model_version": card.model_version,
        "lineage_id": card.lineage.lineage_id if card.lineage else None,
        "k": card.k,
        "features": card.features,
        "rows_used": card.data.rows_used,
        "k_selection": card.k_selection,
        "silhouette": card.silhouette.model_dump(),
        "stability": card.stability,
        "segments": [s.model_dump(mode="json") for s in card.segments],
    }


def job_status(job: Job) -> RunStatus:
    with job.lock:
        card = job.card if job.state in ("done", "published") else None
        return RunStatus.model_validate(
            {
                "run_id": job.run_id,
                "kind": "job",
                "state": job.state,
                "filename": job.filename,
                "input_kind": job.input_kind,
                "started_at": job.started_at,
                "finished_at": job.finished_at,
                "progress": job.progress(),
                "stages": [
                    {
                        "name": s.name,
                        "state": "running" if s.seconds is None else "done",
                        "seconds": None if s.seconds is None else round(s.seconds, 3),
                        "steps_done": s.steps_done,
                        "steps_total": s.steps_total,
                        "detail": s.detail,
                    }
                    for s in job.stages
                ],
                "error": job.error,
                "model_version": card.model_version if card else None,
                "k": card.k if card else None,
                "segments": segment_briefs(card) if card else [],
                "result": cluster_summary(card) if card else None,
                "k_certainty": card.k_certainty if card else None,
                "comparison": job.comparison if job.state == "done" else None,
            }
        )


def version_status(
    version: str, served: ModelBundle | None, served_summary: dict[str, Any] | None, stored: RunDetail | None
) -> RunStatus:
    """A published model version: the served one in full (``served_summary``: what GET /clusters
    answers), a stored one by its record; else 404."""
    if served is not None and served.model_version == version:
        card = served.card
        return RunStatus.model_validate(
            {
                "run_id": version,
                "kind": "version",
                "state": "published",
                "started_at": card.created_at,
                "finished_at": card.created_at,
                "progress": 1.0,
                "model_version": version,
                "k": card.k,
                "segments": segment_briefs(card),
                "result": served_summary,
                "k_certainty": card.k_certainty,
            }
        )
    if stored is not None:
        created = stored.run.created_at.isoformat().replace("+00:00", "Z")
        return RunStatus.model_validate(
            {
                "run_id": version,
                "kind": "version",
                "state": "published",
                "started_at": created,
                "finished_at": created,
                "progress": 1.0,
                "model_version": version,
                "k": stored.run.k,
                "segments": [
                    {"id": s.segment_id, "name": s.name, "size": s.size, "share": s.share} for s in stored.segments
                ],
            }
        )
    raise NotFound(f"no training run or published model version {version!r}")
