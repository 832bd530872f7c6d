"""Build the typed :class:`~customer_segmentation.modeling.card.ModelCard` of a run — the one place a
card is assembled, for both engines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .artifact_layout import processed_files
from .config import ArtifactPaths
from .modeling.card import DataInfo, ModelCard, SegmentInfo, ServingSpec, SilhouetteInfo
from .modeling.segment_stability import describe_ari
from .run_result import RunResult


def run_outputs(rows: int, extra: tuple[str, ...] = ()) -> dict[str, str]:
    """Where a run's processed tables are, relative to the artifact root (format by size)."""
    files = processed_files(ArtifactPaths(Path(".")), rows, extra)
    return {name: path.as_posix() for name, path in files.items()}


def cluster_order(result: RunResult) -> str:
    from .modeling.train import ORDER_KEYS

    numeric = [s.name for s in result.schema.numeric_features]
    keys = [k for k in ORDER_KEYS if k in numeric] or numeric
    return "segment ids sorted by centroid " + ", then ".join(keys)


def stability_verdict(result: RunResult) -> str:
    """Words for the chosen k's bootstrap ARI that the numbers support (worst refit included)."""
    s = result.stability
    return describe_ari(s.mean_ari, s.min_ari, s.resamples)


def segment_infos(result: RunResult) -> list[SegmentInfo]:
    """The profiles as the card lists them: with the data-derived name and action beside the user's
    (``name``/``action`` are what is shown: the user's when set)."""
    lineage = result.lineage
    infos = []
    for profile in result.profiles:
        data = profile.to_dict()
        if lineage is not None:
            label = lineage.labels.get(profile.id)
            data["generated_name"] = lineage.generated_names.get(profile.id, profile.name)
            data["generated_action"] = lineage.generated_actions.get(profile.id, profile.action)
            data["user_name"] = label.name if label is not None else None
            data["user_action"] = label.action if label is not None else None
        infos.append(SegmentInfo.model_validate(data))
    return infos


def build_card(
    result: RunResult, *, engine: str = "scikit-learn", key: str | None = None, spark: dict[str, Any] | None = None
) -> ModelCard:
    """The sealed card of ``result`` (content hash, model version derived from it, signed with ``key``)."""
    sel = result.selection
    schema = result.schema
    card = ModelCard(
        created_at=result.created_at,
        engine=engine,
        model_file="clustering_model.pkl",
        model_sha256=result.model_sha256,
        k=sel.chosen_k,
        features=list(result.features),
        feature_schema=schema,
        plot_axes=result.axes.to_dict(),
        warnings=list(result.warnings),
        k_selection=sel.to_dict(),
        silhouette=SilhouetteInfo(
            overall=result.silhouette_detail.overall,
            per_segment=[None if v != v else v for v in result.silhouette_detail.per_cluster],
            rows=result.silhouette_detail.rows,
        ),
        stability={**result.stability.to_dict(), "verdict": stability_verdict(result)},
        k_certainty=result.k_certainty.to_dict() if result.k_certainty else None,
        stability_by_k=result.stability_by_k.to_dict() if result.stability_by_k else None,
        segment_stability=result.segment_stability.to_dict() if result.segment_stability else None,
        segments=segment_infos(result),
        data=DataInfo(
            source=result.source_name,
            sha256=result.input_sha256,
            rows_in=result.quality.rows_in,
            rows_used=result.quality.rows_out,
            id_column=schema.id_name,
            id_generated=schema.id_column is None,
        ),
        data_quality=result.quality.to_dict(),
        cluster_order=cluster_order(result),
        random_state=sel.random_state,
        settings={
            "clip_outliers": result.config.clip_outliers,
            "bootstrap_resamples": result.config.bootstrap_resamples,
            "sweep": result.config.sweep.__dict__,
            "strict": result.config.strict,
        },
        reproduce=result.command,
        library_versions=result.versions,
        serving=ServingSpec.model_validate(result.serving.to_dict()),
        spark=spark,
        lineage=result.lineage.info if result.lineage is not None else None,
        outputs=run_outputs(result.quality.rows_out, tuple(result.extra_tables)),  # rows used, not a driver sample
    ).sealed(key)
    result.model_version = card.model_version
    return card
