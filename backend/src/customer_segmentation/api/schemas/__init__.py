"""Request and response models, named by role (``CustomerIn``, ``Prediction``, ``ClusterProfile``).

JSON field names are snake_case, the canonical column names of :mod:`customer_segmentation.schema`.
Every model carries an example so ``/docs`` doubles as a reference and the generated TypeScript
client has realistic fixtures.
"""

from .clusters import ClusterProfile, ClusterSummary, KScore, KSelection, SilhouetteSummary, Stability
from .common import ErrorResponse, FieldError
from .customers import CustomerIn, CustomerList, CustomerPoint, CustomerSegment
from .model import FeatureInfo, FigureInfo, FigureList, Health, ModelCard, ModelSchema, ReloadResult
from .predictions import BatchIn, BatchPrediction, CsvRowResult, CsvScoringReport, Prediction, RowError

__all__ = [
    "BatchIn",
    "BatchPrediction",
    "ClusterProfile",
    "ClusterSummary",
    "CsvRowResult",
    "CsvScoringReport",
    "CustomerIn",
    "CustomerList",
    "CustomerPoint",
    "CustomerSegment",
    "ErrorResponse",
    "FeatureInfo",
    "FieldError",
    "FigureInfo",
    "FigureList",
    "Health",
    "KScore",
    "KSelection",
    "ModelCard",
    "ModelSchema",
    "Prediction",
    "ReloadResult",
    "RowError",
    "SilhouetteSummary",
    "Stability",
]
