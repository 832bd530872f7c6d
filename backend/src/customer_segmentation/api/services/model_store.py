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
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ...artifacts import ArtifactError, read_card
from ...config import ArtifactPaths
from ...data.fetch import sha256_file
from ...modeling.card import utc_now
from ...modeling.serving import ServingModel
from ...schema import CUSTOMER_ID, GENDER, NUMERIC_COLUMNS
from ..settings import ApiSettings, VersionPolicy

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

    card: dict[str, Any]
    serving: ServingModel
    segment_names: np.ndarray  # (k,) object array, index = segment id
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

    @property
    def segments(self) -> list[dict[str, Any]]:
        segments: list[dict[str, Any]] = self.card["segments"]
        return segments


# -- verification ---------------------------------------------------------------------------------
def _verify_model_file(card: dict[str, Any], paths: ArtifactPaths) -> None:
    expected = card.get("model_sha256")
    if not isinstance(expected, str) or not expected:
        raise ArtifactError(f"model card {paths.model_card} records no model_sha256; refusing it")
    if not paths.model.is_file():
        raise ArtifactError(f"no model file at {paths.model} (the card describes one); {TRAIN_HINT}")
    if sha256_file(paths.model) != expected:
        raise ArtifactError(
            f"{paths.model} does not match the SHA-256 in {paths.model_card} (the card describes a "
            f"different model); refusing to serve it — {TRAIN_HINT} again"
        )


def _check_sklearn_version(card: dict[str, Any], policy: VersionPolicy) -> list[str]:
    """Compare the card's scikit-learn version with ours; warn or refuse per settings."""
    trained = (card.get("library_versions") or {}).get("scikit-learn")
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


def serving_from_card(card: dict[str, Any]) -> ServingModel:
    """The card's serving spec as a :class:`ServingModel`, with its shapes checked.

    Whether gender is a model column is read from the centroid width rather than trusted from the
    spec's ``gender_in_model`` flag, which the pipeline sets from its *input* columns.
    """
    spec = card.get("serving")
    if not isinstance(spec, dict):
        raise ArtifactError("the model card has no 'serving' section; retrain with this version")
    try:
        model = ServingModel.from_dict(spec)
    except (KeyError, TypeError, ValueError) as exc:
        raise ArtifactError(f"the model card's serving spec is invalid ({exc})") from None
    n_numeric = len(model.numeric_features)
    if model.centers.ndim != 2 or model.centers.shape[1] not in (n_numeric, n_numeric + 1):
        raise ArtifactError("the model card's centroids do not match its feature list")
    gender = model.centers.shape[1] == n_numeric + 1
    if model.gender_in_model != gender:
        model = dataclasses.replace(model, gender_in_model=gender)
    arrays_ok = (
        model.mean.shape == (n_numeric,)
        and model.scale.shape == (n_numeric,)
        and model.ood_threshold.shape == (model.k,)
        and model.k >= 1
        and bool(np.all(np.isfinite(model.centers)))
        and bool(np.all(np.isfinite(model.mean)))
        and bool(np.all(np.isfinite(model.scale) & (model.scale > 0)))
    )
    if not arrays_ok:
        raise ArtifactError("the model card's serving spec has inconsistent or non-finite arrays")
    return model


def _segment_names(card: dict[str, Any], k: int) -> np.ndarray:
    segments = card.get("segments")
    if not isinstance(segments, list) or len(segments) != k:
        raise ArtifactError(f"the model card lists {len(segments or [])} segments for k={k}")
    if [s.get("id") for s in segments] != list(range(k)):
        raise ArtifactError("the model card's segment ids are not 0..k-1 in order")
    return np.array([str(s.get("name", f"Segment {s['id']}")) for s in segments], dtype=object)


# -- training customers ---------------------------------------------------------------------------
def _read_clustered(paths: ArtifactPaths) -> pd.DataFrame:
    if paths.clustered_csv.is_file():
        return pd.read_csv(
            paths.clustered_csv,
            dtype={CUSTOMER_ID: str, GENDER: str, SEGMENT_NAME: str},
            keep_default_na=False,
        )
    if paths.clustered_parquet.is_file():
        return pd.read_parquet(paths.clustered_parquet)
    raise FileNotFoundError(paths.clustered_csv)


def load_customers(paths: ArtifactPaths, k: int, names: np.ndarray) -> CustomerTable:
    """The clustered training data, checked against the card it is served with."""
    try:
        frame = _read_clustered(paths)
    except FileNotFoundError:
        raise ArtifactError(f"no clustered data at {paths.clustered_csv}; {TRAIN_HINT}") from None
    except Exception as exc:  # pandas/pyarrow raise many types for a damaged file
        raise ArtifactError(f"clustered data is unreadable ({type(exc).__name__}: {exc})") from None
    needed = [CUSTOMER_ID, SEGMENT]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ArtifactError(f"clustered data has no {missing[0]!r} column")
    frame = frame.assign(**{CUSTOMER_ID: frame[CUSTOMER_ID].astype(str).str.strip()})
    segments = pd.to_numeric(frame[SEGMENT], errors="coerce")
    if segments.isna().any() or not segments.between(0, k - 1).all():
        raise ArtifactError(f"clustered data has segment ids outside 0..{k - 1}: it is from another model")
    frame[SEGMENT] = segments.astype("int64")
    frame[SEGMENT_NAME] = names[frame[SEGMENT].to_numpy()]  # names from the card we serve
    for column in NUMERIC_COLUMNS:
        if column in frame.columns:
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
    frame = frame.set_index(CUSTOMER_ID, drop=False)
    if not frame.index.is_unique:
        raise ArtifactError("clustered data repeats a customer id")
    return CustomerTable(frame)


# -- building a bundle ----------------------------------------------------------------------------
def snapshot_paths(root: Path) -> ArtifactPaths:
    """Paths inside the published run, resolved once, so card, model, customers and reports all come
    from the same run even if a new one is published while we read (see ``publish``)."""
    try:
        from ...publish import current_run
    except ImportError:  # pragma: no cover - layouts without run folders
        return ArtifactPaths(root)
    run = current_run(root)
    return ArtifactPaths(run) if run is not None else ArtifactPaths(root)


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
    if not isinstance(card, dict):
        raise ArtifactError(f"model card {paths.model_card} is not a JSON object")
    _verify_model_file(card, paths)
    warnings = _check_sklearn_version(card, settings.sklearn_version_policy)
    serving = serving_from_card(card)
    names = _segment_names(card, serving.k)
    customers: CustomerTable | None = None
    customers_problem: str | None = None
    try:
        customers = load_customers(paths, serving.k, names)
        rows_used = (card.get("data") or {}).get("rows_used")
        if rows_used is not None and rows_used != len(customers):
            warnings.append(
                f"clustered data has {len(customers)} rows, the card says {rows_used}: lookups may be stale"
            )
    except ArtifactError as exc:
        customers_problem = str(exc)
        warnings.append(f"customer lookup unavailable: {exc}")
    created_at = str(card.get("created_at", ""))
    return ModelBundle(
        reports=_read_reports(paths),
        card=card,
        serving=serving,
        segment_names=names,
        model_version=str(card.get("model_version") or card["model_sha256"][:8]),
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


class ModelStore:
    """The model currently served; replaced as a whole, never mutated."""

    def __init__(self, settings: ApiSettings) -> None:
        self.settings = settings
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
                self._bundle = load_bundle(self.settings)
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
                bundle = load_bundle(self.settings)
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
