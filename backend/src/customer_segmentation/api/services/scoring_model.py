"""What scoring needs from a served model, and nothing else: small enough to send to a worker process.

A :class:`~.model_store.ModelBundle` also holds the training customers, the report files and the
card; an upload scored in a worker process (``upload_workers``) gets this instead, a few kilobytes
of arrays and the feature schema, pickled per request.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...feature_schema import FeatureSchema
from ...modeling.serving import ServingModel
from .feature_input import InputSpec


@dataclass(frozen=True)
class ScoringModel:
    """The served model's schema, accepted inputs, serving twin and segment names."""

    schema: FeatureSchema
    serving: ServingModel
    inputs: InputSpec
    #: Index = stable segment id (None where the model has no such id); the user's names where set.
    segment_names: np.ndarray
    model_version: str
