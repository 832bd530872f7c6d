"""A run's settings (:class:`RunConfig`) and everything it computed, in memory (:class:`RunResult`).

Pure data: this module knows nothing of the disk layout, the report or the card, so the pipeline,
the artifact writer, the report and the card builder all import it and none imports another.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from .data.clean import QualityReport
from .data.fetch import sha256_bytes
from .data.load import LoadedTable
from .feature_schema import FeatureSchema
from .modeling.card import library_versions, utc_now
from .modeling.evidence import KEvidence, KRule
from .modeling.segment_stability import ClusterwiseJaccard, PerKStability
from .modeling.select_k import KSelection, SweepSettings
from .modeling.serving import ServingModel
from .modeling.stability import Stability
from .modeling.train import SilhouetteDetail
from .profiling import SegmentProfile
from .reporting.axes import PlotAxes
from .schema import DEFAULT_FEATURES
from .schema_builder import SchemaRequest

if TYPE_CHECKING:
    from .lifecycle.continuity import Continuity

SEGMENT = "segment"
SEGMENT_NAME = "segment_name"


def _display_path(path: Path) -> str:
    """The data path as shown in the reproduce line: relative to the working folder when inside it,
    else just the file name — never an absolute path of this machine."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return path.name if path.is_absolute() else str(path)


@dataclass(frozen=True)
class RunConfig:
    """Every setting of a run; recorded in the model card so the run can be reproduced.

    ``features`` None means "not declared": the schema file's features, or the Mall default.
    """

    data: Path | None = None
    features: tuple[str, ...] | None = DEFAULT_FEATURES
    sweep: SweepSettings = field(default_factory=SweepSettings)
    clip_outliers: bool = False
    bootstrap_resamples: int = 20
    categorical: tuple[str, ...] = ()
    describe: tuple[str, ...] = ()
    id_column: str | None = None
    transforms: tuple[tuple[str, str], ...] = ()
    schema_file: Path | None = None
    strict: bool = False
    k_rule: KRule = "max"
    #: A transactions run: ``data`` is an order-line export; these are its CLI options, as typed.
    transactions: bool = False
    transaction_args: tuple[str, ...] = ()

    def schema_request(self) -> SchemaRequest:
        return SchemaRequest(
            features=self.features,
            categorical=self.categorical,
            describe=self.describe,
            id_column=self.id_column,
            transforms=dict(self.transforms),
            schema_file=self.schema_file,
        )

    def command(self, features: tuple[str, ...] | None = None) -> str:
        """The CLI invocation that reproduces this run."""
        args = ["python", "backend/src/main.py"]
        if self.data is not None:
            args += ["--transactions" if self.transactions else "--data", _display_path(self.data)]
            args += list(self.transaction_args)
        if self.schema_file is not None:
            args += ["--schema", _display_path(self.schema_file)]
        chosen = features if features is not None else self.features
        if chosen is not None:
            args += ["--features", ",".join(chosen)]
        if self.categorical:
            args += ["--categorical", ",".join(self.categorical)]
        if self.describe:
            args += ["--describe", ",".join(self.describe)]
        if self.id_column:
            args += ["--id-column", self.id_column]
        for name, transform in self.transforms:
            args += ["--transform", f"{name}={transform}"]
        if self.sweep.pinned_k is not None:
            args += ["--k", str(self.sweep.pinned_k)]
        args += ["--k-min", str(self.sweep.k_min), "--k-max", str(self.sweep.k_max)]
        args += ["--random-state", str(self.sweep.random_state)]
        if self.sweep.n_init != SweepSettings.n_init:
            args += ["--n-init", str(self.sweep.n_init)]
        if self.bootstrap_resamples != RunConfig.bootstrap_resamples:
            args += ["--bootstrap", str(self.bootstrap_resamples)]
        if self.clip_outliers:
            args.append("--clip-outliers")
        if self.strict:
            args.append("--strict")
        if self.k_rule != "max":
            args += ["--k-rule", self.k_rule]
        return shlex.join(args)


@dataclass
class RunResult:
    """Everything a run computed, in memory."""

    config: RunConfig
    source_name: str
    input_sha256: str
    features: tuple[str, ...]
    clean: pd.DataFrame
    quality: QualityReport
    pipeline: Pipeline
    x: np.ndarray
    labels: np.ndarray
    selection: KSelection
    silhouette_detail: SilhouetteDetail
    stability: Stability
    profiles: list[SegmentProfile]
    serving: ServingModel
    schema: FeatureSchema
    axes: PlotAxes
    warnings: list[str] = field(default_factory=list)
    k_certainty: KEvidence | None = None
    stability_by_k: PerKStability | None = None
    segment_stability: ClusterwiseJaccard | None = None
    versions: dict[str, str] = field(default_factory=library_versions)
    model_bytes: bytes = b""
    created_at: str = field(default_factory=utc_now)
    loaded: LoadedTable | None = None
    #: Set when the card is built (it is derived from the card's content hash).
    model_version: str = ""
    #: Set by the lineage step before the artifacts are rendered (``lifecycle.continuity``): the parent,
    #: the matching, migration and drift. ``labels`` and the profiles' ids are then stable segment ids.
    lineage: Continuity | None = None
    #: More processed tables to publish by name (e.g. ``rfm``: the customers derived from order lines).
    extra_tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def model_sha256(self) -> str:
        return sha256_bytes(self.model_bytes)

    @property
    def command(self) -> str:
        features = self.features if self.schema.kind in ("mall", "rfm") else None
        return self.config.command(features)

    @property
    def id_column(self) -> str:
        return self.schema.id_name

    # -- tables --------------------------------------------------------------------------------
    def clustered_table(self, *, categorical_names: bool = False) -> pd.DataFrame:
        """The cleaned customers with their segment id and name appended.

        ``categorical_names`` stores the names as a categorical (codes + k strings): what a
        10 M-row table needs, instead of 10 M string references.
        """
        names = [p.name for p in self.profiles]
        # Profiles are in ascending id order; ids may have gaps after retraining (0, 1, 2, 4).
        codes = np.searchsorted(np.array([p.id for p in self.profiles], dtype="int64"), self.labels)
        segment_names: Any = (
            pd.Categorical.from_codes(codes, categories=names)
            if categorical_names
            else np.array(names, dtype=object)[codes]
        )
        return self.clean.assign(**{SEGMENT: self.labels, SEGMENT_NAME: segment_names})

    def preprocessed_table(self) -> pd.DataFrame:
        from .features import preprocessed_table

        return preprocessed_table(
            self.clean, self.pipeline.named_steps["preprocess"], self.id_column, mall=self.schema.kind == "mall"
        )
