"""The served model's feature schema as the API shows it (``GET /model/schema``): built from the card's
schema and serving spec, plus the values seen in training, so forms and charts need nothing else."""

from __future__ import annotations

import pandas as pd

from ..schemas import FeatureInfo, ModelSchema
from ..schemas.model import PlotAxesInfo, SeenValues, ValueSpan
from .model_store import ModelBundle


def _seen(bundle: ModelBundle, name: str) -> SeenValues | None:
    if bundle.customers is None or name not in bundle.customers.frame.columns:
        return None
    values = pd.to_numeric(bundle.customers.frame[name], errors="coerce").dropna()
    if values.empty:
        return None
    return SeenValues(min=float(values.min()), max=float(values.max()), median=float(values.median()))


def model_schema(bundle: ModelBundle) -> ModelSchema:
    schema = bundle.schema
    levels = {c.name: c for c in bundle.serving.categorical}
    features = []
    for spec in schema.features:
        encoding = levels.get(spec.name)
        features.append(
            FeatureInfo(
                name=spec.name,
                kind="categorical" if spec.is_categorical else "numeric",
                label=spec.display,
                unit=spec.unit,
                transform="log1p" if spec.transform.value == "log1p" else "none",
                valid_range=ValueSpan(low=spec.valid_range.low, high=spec.valid_range.high)
                if spec.valid_range
                else None,
                seen=_seen(bundle, spec.name) if spec.is_numeric else None,
                levels=list(encoding.levels) if encoding is not None else None,
                other_level=bool(encoding is not None and encoding.has_other),
            )
        )
    axes = bundle.card.plot_axes
    three = axes.get("three")
    return ModelSchema(
        schema_kind=schema.kind,
        id_column=bundle.card.data.id_column,
        id_generated=bundle.card.data.id_generated,
        features=features,
        describe=[d.name for d in schema.describe],
        axes=PlotAxesInfo(
            x=str(axes.get("x")),
            y=str(axes.get("y")),
            z=three[0] if three else None,
            three=list(three) if three else None,
            source=axes.get("source", "features"),
            explained_variance=axes.get("explained_variance"),
        ),
    )
