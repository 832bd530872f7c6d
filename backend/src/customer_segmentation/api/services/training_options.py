"""The options of ``POST /runs`` as the pipeline's :class:`RunConfig`, checked against the upload's
columns before anything is trained — a misnamed column is a 422 at once, not a failed run later."""

from __future__ import annotations

from pathlib import Path

from ...errors import SegmentationError
from ...modeling.select_k import SweepSettings
from ...run_result import RunConfig
from ..schemas.training import InputKind, TrainingOptions
from .errors import InvalidInput
from .uploads import own_words


def run_config(options: TrainingOptions, data: Path) -> RunConfig:
    """The CLI's configuration for ``options`` on the file at ``data``."""
    return RunConfig(
        data=data,
        features=tuple(options.features),
        sweep=SweepSettings(
            k_min=options.k_min, k_max=options.k_max, pinned_k=options.k, random_state=options.random_state
        ),
        clip_outliers=options.clip_outliers,
        bootstrap_resamples=options.bootstrap_resamples,
        categorical=tuple(options.categorical),
        describe=tuple(options.describe),
        id_column=options.id_column,
        transforms=tuple(options.transforms.items()),
        strict=options.strict,
        k_rule=options.k_rule,
    )


def check_options(options: TrainingOptions, kind: InputKind, path: Path, filename: str) -> None:
    """422 naming the problem when the options do not fit the uploaded table."""
    try:
        if kind == "transactions":
            _check_transactions(options)
        else:
            from ...pipeline import input_schema

            input_schema(path, run_config(options, path))
    except SegmentationError as exc:
        raise InvalidInput(own_words(exc, path, filename), field="options") from None


def _check_transactions(options: TrainingOptions) -> None:
    from ...transactions_run import rfm_schema

    extra = [name for name in ("categorical", "describe", "id_column") if getattr(options, name)]
    if extra:
        raise InvalidInput(
            f"options.{extra[0]}: an order-line export is segmented on its derived numeric columns (recency_days, "
            "frequency, monetary, tenure_days, avg_order_value); it has no categorical, describe or id options",
            field=f"options.{extra[0]}",
        )
    rfm_schema(options.features, dict(options.transforms))
