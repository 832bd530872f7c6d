"""Load the trained model for serving — from the card's pickle-free spec — and swap it atomically.

Why the card and not the pickle: unpickling executes code, and the serving spec (scaler numbers and
centroids, proven equal to ``pipeline.predict`` by a test) is all that scoring needs. The pickle is
still checked: its SHA-256 must equal the card's ``model_sha256``, so the card we serve from is
known to describe the model file on disk; otherwise the model is refused.

A refusal is logged, shown in ``/health`` and turns the model endpoints into 503s; the app itself
keeps running. :class:`ModelStore` holds the current :class:`ModelBundle` behind one reference:
requests take the reference once, so a reload that swaps it never changes a request in flight.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ...artifacts import ArtifactError, read_card
from ...config import ArtifactPaths
from ...data.fetch import sha256_file
from ...feature_schema import FeatureSchema
from ...modeling.card import CardError, ModelCard, utc_now
from ...modeling.serving import ServingModel
from ...schema import GENDER
from ..settings import ApiSettings, VersionPolicy
from .feature_input import InputSpec
from .scoring_model import ScoringModel

log = logging.getLogger("customer_segmentation.api")

TRAIN_HINT = "run `python backend/src/main.py` to train a model"
_ASCII_INTEGER = re.compile(r"[+-]?[0-9]+")
SEGMENT = "segment"
SEGMENT_NAME = "segment_name"


@dataclass(frozen=True)
class CustomerTable:
    """The training customers and their segments, indexed by customer id (as text)."""

    frame: pd.DataFrame

    def find(self, customer_id: str) -> pd.Series | None:
        """Row of ``customer_id``; ``"007"`` also finds the integer id ``7``."""
        key = customer_id.strip()
        candidates = [key]
        if _ASCII_INTEGER.fullmatch(key):  # "007" → "7"; str.isdigit() would accept "²" or "١"
            candidates.append(str(int(key)))
        for candidate in candidates:
            if candidate in self.frame.index:
                return self.frame.loc[candidate]
        return None

    def __len__(self) -> int:
        return len(self.frame)


@dataclass(frozen=True)
class ModelBundle:
    """Everything the endpoints serve from one trained model, immutable once built."""

    card: ModelCard
    serving: ServingModel
    inputs: InputSpec
    #: Index = stable segment id (None where the model has no such id); the user's names where set.
    segment_names: np.ndarray
    model_version: str
    created_at: str
    paths: ArtifactPaths
    loaded_at: str
    customers: CustomerTable | None = None
    customers_problem: str | None = None
    warnings: tuple[str, ...] = ()
    #: summary.txt and the figures, read at load time: a later run may prune this run's folder.
    reports: dict[str, bytes] = field(default_factory=dict)

    @property
    def k(self) -> int:
        return self.serving.k

    @cached_property
    def scoring(self) -> ScoringModel:
        """The part of the bundle that scoring uses (what a worker process is sent)."""
        return ScoringModel(self.schema, self.serving, self.inputs, self.segment_names, self.model_version)

    @property
    def schema(self) -> FeatureSchema:
        return self.card.feature_schema

    @property
    def segments(self) -> list[dict[str, Any]]:
        return [s.model_dump(mode="json") for s in self.card.segments]

    @property
    def segment_ids(self) -> list[int]:
        return [s.id for s in self.card.segments]

    @property
    def lineage_id(self) -> str | None:
        """The lineage whose stable ids and user labels this model uses (see ``lifecycle.parent``)."""
        from ...lifecycle.parent import lineage_id_for

        if self.card.lineage is not None:
            return self.card.lineage.lineage_id
        from ...feature_schema import schema_hash

        return lineage_id_for(self.card.created_at, schema_hash(self.card.feature_schema))


# -- verification ---------------------------------------------------------------------------------
def _verify_model_file(card: ModelCard, paths: ArtifactPaths) -> None:
    expected = card.model_sha256
    if not expected:
        raise ArtifactError(f"model card {paths.model_card} records no model_sha256; refusing it")
    if not paths.model.is_file():
        raise ArtifactError(f"no model file at {paths.model} (the card describes one); {TRAIN_HINT}")
    if sha256_file(paths.model) != expected:
        raise ArtifactError(
            f"{paths.model} does not match the SHA-256 in {paths.model_card} (the card describes a "
            f"different model); refusing to serve it — {TRAIN_HINT} again"
        )


def _check_sklearn_version(card: ModelCard, policy: VersionPolicy) -> list[str]:
    """Compare the card's scikit-learn version with ours; warn or refuse per settings."""
    trained = card.library_versions.get("scikit-learn")
    installed = metadata.version("scikit-learn")
    if trained == installed:
        return []
    if trained is None:
        message = "the model card does not record its scikit-learn version"
    else:
        message = f"model trained with scikit-learn {trained}, this server has {installed}"
    if policy is VersionPolicy.REFUSE:
        raise ArtifactError(
            f"{message}; refusing it (SEGMENTATION_SKLEARN_VERSION_POLICY=refuse) — retrain with "
            "`python backend/src/main.py`"
        )
    return [f"{message}; serving from the version-independent spec — retrain to be sure"]


#: Smallest accepted scaler scale: sklearn sets a constant column's scale to 1, so a scale this small
#: can only come from an edited card (and would turn distances into inf/NaN).
MIN_SCALE = 1e-9


def serving_from_card(card: ModelCard) -> ServingModel:
    """The card's serving spec as a :class:`ServingModel`, validated before it is accepted: finite
    numbers, positive scales, and shapes that agree with each other and with the feature schema."""
    try:
        model = ServingModel.from_dict(card.serving.model_dump())
    except (KeyError, TypeError, ValueError) as exc:
        raise ArtifactError(f"the model card's serving spec is invalid ({exc})") from None
    schema_numeric = tuple(s.name for s in card.feature_schema.numeric_features)
    schema_categorical = tuple(s.name for s in card.feature_schema.categorical_features)
    if model.numeric_features != schema_numeric or tuple(c.name for c in model.categorical) != schema_categorical:
        raise ArtifactError("the model card's serving spec does not match its feature schema")
    n_numeric = len(model.numeric_features)
    if model.centers.ndim != 2 or model.centers.shape[1] != model.width:
        raise ArtifactError("the model card's centroids do not match its feature list")
    gender = any(c.name == GENDER for c in model.categorical)
    if model.gender_in_model != gender:
        model = dataclasses.replace(model, gender_in_model=gender)
    arrays_ok = (
        model.mean.shape == (n_numeric,)
        and model.scale.shape == (n_numeric,)
        and model.ood_threshold.shape == (model.k,)
        and model.k >= 2
        and all(len(c.levels) >= 1 for c in model.categorical)
        and bool(np.all(np.isfinite(model.centers)))
        and bool(np.all(np.isfinite(model.mean)))
        and bool(np.all(np.isfinite(model.scale) & (model.scale >= MIN_SCALE)))
        and bool(np.all(np.isfinite(model.ood_threshold) & (model.ood_threshold >= 0)))
    )
    if not arrays_ok:
        raise ArtifactError(
            "the model card's serving spec has inconsistent, non-finite or degenerate numbers (scales must be "
            f"at least {MIN_SCALE:g})"
        )
    return model


def _segment_names(card: ModelCard, serving: ServingModel) -> np.ndarray:
    """Names indexed by stable segment id (ids may have gaps after retraining: those slots are None)."""
    segments = card.segments
    if len(segments) != serving.k:
        raise ArtifactError(f"the model card lists {len(segments)} segments for k={serving.k}")
    ids = [s.id for s in segments]
    if ids != serving.ids.tolist() or len(set(ids)) != len(ids) or min(ids) < 0 or ids != sorted(ids):
        raise ArtifactError("the model card's segment ids are not unique, ascending and those of its serving spec")
    names = np.full(max(ids) + 1, None, dtype=object)
    names[ids] = [s.name for s in segments]
    return names


# -- training customers ---------------------------------------------------------------------------
def _read_clustered(paths: ArtifactPaths, id_column: str) -> pd.DataFrame:
    if paths.clustered_csv.is_file():
        return pd.read_csv(
            paths.clustered_csv,
            dtype={id_column: str, GENDER: str, SEGMENT_NAME: str},
            keep_default_na=False,
        )
    if paths.clustered_parquet.is_file():
        return pd.read_parquet(paths.clustered_parquet)
    raise FileNotFoundError(paths.clustered_csv)


def load_customers(paths: ArtifactPaths, k: int, names: np.ndarray, card: ModelCard) -> CustomerTable:
    """The clustered training data, checked against the card it is served with."""
    id_column = card.data.id_column
    try:
        frame = _read_clustered(paths, id_column)
    except FileNotFoundError:
        raise ArtifactError(f"no clustered data at {paths.clustered_csv}; {TRAIN_HINT}") from None
    except Exception as exc:  # pandas/pyarrow raise many types for a damaged file
        raise ArtifactError(f"clustered data is unreadable ({type(exc).__name__}: {exc})") from None
    needed = [id_column, SEGMENT]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ArtifactError(f"clustered data has no {missing[0]!r} column")
    frame = frame.assign(**{id_column: frame[id_column].astype(str).str.strip()})
    segments = pd.to_numeric(frame[SEGMENT], errors="coerce")
    known = [i for i, name in enumerate(names) if name is not None]
    if segments.isna().any() or not segments.isin(known).all():
        raise ArtifactError(f"clustered data has segment ids other than the model's {known}: it is from another model")
    frame[SEGMENT] = segments.astype("int64")
    frame[SEGMENT_NAME] = names[frame[SEGMENT].to_numpy()]  # names from the card we serve
    for spec in card.feature_schema.columns:
        if spec.name in frame.columns and spec.is_numeric:
            frame[spec.name] = pd.to_numeric(frame[spec.name], errors="coerce")
    frame = frame.set_index(id_column, drop=False)
    if not frame.index.is_unique:
        raise ArtifactError("clustered data repeats a customer id")
    return CustomerTable(frame)


def _with_pca(customers: CustomerTable, serving: ServingModel, card: ModelCard) -> CustomerTable:
    """Add the plots' principal-component coordinates (the same PCA the report's figures use)."""
    from ...reporting.axes import PCA_COLUMNS, pca_coordinates
    from .feature_input import InputSpec, validate_columns

    frame = customers.frame
    spec = InputSpec.build(card.feature_schema, serving)
    numeric, levels, bad, _ = validate_columns(spec, frame.astype({c.name: str for c in serving.categorical}))
    if bad.any():
        return customers  # a damaged table: the scatter falls back to the features
    coordinates, _ = pca_coordinates(serving.transform_columns(numeric, levels), card.random_state)
    extra = {PCA_COLUMNS[j]: coordinates[:, j] for j in range(coordinates.shape[1])}
    return CustomerTable(frame.assign(**extra))


# -- building a bundle ----------------------------------------------------------------------------
def snapshot_paths(root: Path) -> ArtifactPaths:
    """Paths inside the published run, resolved once, so card, model, customers and reports all come
    from the same run even if a new one is published while we read (see ``publish``).

    A ``.runs/current`` link, or a served file, that leads outside the artifacts root is refused
    (:class:`ArtifactError`): the API serves what the pipeline published, never another folder.
    """
    from ...publish import RunLinkError, current_run

    try:
        run = current_run(root)
    except RunLinkError as exc:
        raise ArtifactError(str(exc)) from None
    paths = ArtifactPaths(run) if run is not None else ArtifactPaths(root)
    _check_contained(paths)
    return paths


def _check_contained(paths: ArtifactPaths) -> None:
    """Every file the bundle reads must resolve inside ``paths.root`` (no link out of the run)."""
    from ...reporting import figures

    home = paths.root.resolve()
    served = [paths.model_card, paths.model, paths.clustered_csv, paths.clustered_parquet, paths.summary]
    served += [paths.figures_dir / name for name in figures.ALL_FIGURES]
    for path in served:
        if (path.is_symlink() or path.exists()) and not path.resolve().is_relative_to(home):
            raise ArtifactError(f"{path} leads outside the artifacts folder {home}; refusing to serve it")


SUMMARY = "summary.txt"


def _read_reports(paths: ArtifactPaths) -> dict[str, bytes]:
    """The run's summary and whitelisted figures (a few hundred KB), keyed by file name."""
    from ...reporting import figures

    wanted = {SUMMARY: paths.summary}
    wanted.update({name: paths.figures_dir / name for name in figures.ALL_FIGURES})
    return {name: path.read_bytes() for name, path in wanted.items() if path.is_file()}


def load_bundle(settings: ApiSettings) -> ModelBundle:
    """Read and verify the card, build the serving model and load the customers.

    Any defect of the artifacts — including a card whose fields have the wrong shape — becomes an
    :class:`ArtifactError`, so the app starts anyway and answers 503 with the reason.
    """
    try:
        return _load_bundle(settings)
    except ArtifactError:
        raise
    except Exception as exc:
        raise ArtifactError(f"the trained model cannot be served ({type(exc).__name__}: {exc}); {TRAIN_HINT}") from None


def _load_bundle(settings: ApiSettings) -> ModelBundle:
    """Read and verify the card, build the serving model and load the customers.

    Raises :class:`ArtifactError` (a one-line reason) when the model cannot be served.
    """
    paths = snapshot_paths(settings.artifacts_root)
    card = read_card(paths)
    try:
        card.verify(settings.model_key)
    except CardError as exc:
        raise ArtifactError(str(exc)) from None
    _verify_model_file(card, paths)
    warnings = _check_sklearn_version(card, settings.sklearn_version_policy)
    serving = serving_from_card(card)
    names = _segment_names(card, serving)
    customers: CustomerTable | None = None
    customers_problem: str | None = None
    try:
        customers = load_customers(paths, serving.k, names, card)
        rows_used = card.data.rows_used
        if rows_used != len(customers):
            warnings.append(
                f"clustered data has {len(customers)} rows, the card says {rows_used}: lookups may be stale"
            )
        if card.plot_axes.get("source") == "pca":
            customers = _with_pca(customers, serving, card)
    except ArtifactError as exc:
        customers_problem = str(exc)
        warnings.append(f"customer lookup unavailable: {exc}")
    created_at = card.created_at
    return ModelBundle(
        reports=_read_reports(paths),
        card=card,
        serving=serving,
        inputs=InputSpec.build(card.feature_schema, serving),
        segment_names=names,
        model_version=card.model_version,
        created_at=created_at,
        paths=paths,
        loaded_at=utc_now(),
        customers=customers,
        customers_problem=customers_problem,
        warnings=tuple(warnings),
    )


@dataclass
class ReloadOutcome:
    previous_version: str | None
    bundle: ModelBundle


#: The current user labels of a bundle's lineage (stable id → (name, action)); None when unknown.
LabelsFor = Callable[[ModelBundle], Mapping[int, Any] | None]


def labelled_names(card: ModelCard, labels: Mapping[int, Any]) -> np.ndarray:
    """Names by stable id: the user's name (``labels[id].user_name``) where set, else the generated one."""
    names = np.full(max(s.id for s in card.segments) + 1, None, dtype=object)
    for segment in card.segments:
        generated = segment.name if segment.generated_name is None else segment.generated_name
        label = labels.get(segment.id)
        names[segment.id] = (label.user_name if label is not None else None) or generated
    return names


class ModelStore:
    """The model currently served; replaced as a whole, never mutated."""

    def __init__(self, settings: ApiSettings, labels_for: LabelsFor | None = None) -> None:
        self.settings = settings
        self.labels_for = labels_for
        self._bundle: ModelBundle | None = None
        self._lock = threading.Lock()  # one reload at a time; readers never take it
        self.problem: str | None = "not loaded yet"
        self.last_reload_error: str | None = None
        self.reloads: int = 0

    @property
    def bundle(self) -> ModelBundle | None:
        return self._bundle

    def load(self) -> ModelBundle | None:
        """Startup load: a refusal is recorded (and logged), never raised."""
        with self._lock:
            try:
                self._bundle = self._labelled(load_bundle(self.settings))
            except ArtifactError as exc:
                self._bundle = None
                self.problem = str(exc)
                log.error("model not served: %s", exc)
                return None
            self.problem = None
            for warning in self._bundle.warnings:
                log.warning("model %s: %s", self._bundle.model_version, warning)
            log.info("serving model %s (k=%d)", self._bundle.model_version, self._bundle.k)
            return self._bundle

    def reload(self) -> ReloadOutcome:
        """Build the new bundle completely, then swap the reference in one assignment.

        A refused model leaves the current one in place (and raises :class:`ArtifactError`).
        """
        with self._lock:
            previous = self._bundle
            try:
                bundle = self._labelled(load_bundle(self.settings))
            except ArtifactError as exc:
                self.last_reload_error = str(exc)
                if previous is None:
                    self.problem = str(exc)
                log.error("model reload refused: %s", exc)
                raise
            self._bundle = bundle
            self.problem = None
            self.last_reload_error = None
            self.reloads += 1
            log.info(
                "model reloaded: %s -> %s",
                previous.model_version if previous else "none",
                bundle.model_version,
            )
            return ReloadOutcome(previous.model_version if previous else None, bundle)

    def _labelled(self, bundle: ModelBundle) -> ModelBundle:
        """The bundle with its lineage's user names (when the store of runs can say)."""
        labels = self.labels_for(bundle) if self.labels_for is not None else None
        return bundle if labels is None else with_labels(bundle, labels)

    def apply_labels(self, model_version: str, labels: Mapping[int, Any]) -> None:
        """After a rename: serve the new names (only if ``model_version`` is still the one served)."""
        with self._lock:
            bundle = self._bundle
            if bundle is not None and bundle.model_version == model_version:
                self._bundle = with_labels(bundle, labels)


def with_labels(bundle: ModelBundle, labels: Mapping[int, Any]) -> ModelBundle:
    """A copy of ``bundle`` whose segment names (predictions, customers) are the user's where set."""
    return dataclasses.replace(bundle, segment_names=labelled_names(bundle.card, labels))
