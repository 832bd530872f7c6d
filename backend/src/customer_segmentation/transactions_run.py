"""Transactions in, segments out: an order-line export becomes one row per customer (recency, frequency,
monetary, tenure, average order value — :mod:`customer_segmentation.transactions`) and is then
segmented like any customer table, through the RFM feature schema.

The RFM schema is a schema of derived features: by default recency_days, frequency and monetary are
clustered, with log1p on frequency and monetary (both are heavily skewed: a few customers buy very
often or spend very much) — recorded in the card like any transform; tenure_days and avg_order_value
are described. Any of the five can be chosen with ``--features``. Every excluded order line is counted
by reason in the data-quality report, before the customer-level cleaning counts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from .config import ArtifactPaths, Settings, get_settings
from .data.clean import QualityAction
from .errors import ConfigError
from .feature_schema import FeatureSchema, FeatureSpec, Transform
from .progress import SilentProgress
from .run_result import RunConfig, RunResult
from .schema import CUSTOMER_ID
from .transactions import DerivedCustomers, TransactionOptions, check_transactions, derive_customers

RECENCY = "recency_days"
FREQUENCY = "frequency"
MONETARY = "monetary"
TENURE = "tenure_days"
AVG_ORDER_VALUE = "avg_order_value"
RFM_DEFAULT_FEATURES: tuple[str, ...] = (RECENCY, FREQUENCY, MONETARY)

#: The derived columns: label, unit, default transform when clustered.
RFM_COLUMNS: dict[str, FeatureSpec] = {
    RECENCY: FeatureSpec(name=RECENCY, label="Recency", unit="days"),
    FREQUENCY: FeatureSpec(name=FREQUENCY, label="Frequency", unit="orders", transform=Transform.LOG1P),
    MONETARY: FeatureSpec(name=MONETARY, label="Monetary", transform=Transform.LOG1P),
    TENURE: FeatureSpec(name=TENURE, label="Tenure", unit="days"),
    AVG_ORDER_VALUE: FeatureSpec(name=AVG_ORDER_VALUE, label="Average order value", transform=Transform.LOG1P),
}


def rfm_schema(features: Sequence[str] | None = None, transforms: dict[str, str] | None = None) -> FeatureSchema:
    """The RFM schema clustering ``features`` (derived names; default recency, frequency, monetary)."""
    chosen = tuple(features) if features else RFM_DEFAULT_FEATURES
    unknown = [f for f in chosen if f not in RFM_COLUMNS]
    if unknown:
        raise ConfigError(
            f"unknown feature {unknown[0]!r} for a transactions run; choose from {', '.join(RFM_COLUMNS)}"
        )
    overrides = {name: Transform(value) for name, value in (transforms or {}).items()}
    bad = sorted(set(overrides) - set(chosen))
    if bad:
        raise ConfigError(f"--transform {bad[0]!r} is not one of the features ({', '.join(chosen)})")
    specs = [
        RFM_COLUMNS[f].model_copy(update={"transform": overrides[f]}) if f in overrides else RFM_COLUMNS[f]
        for f in chosen
    ]
    describe = [RFM_COLUMNS[c].model_copy(update={"transform": Transform.NONE}) for c in RFM_COLUMNS if c not in chosen]
    return FeatureSchema(kind="rfm", id_column=CUSTOMER_ID, features=tuple(specs), describe=tuple(describe))


def source_sha256(path: Path) -> str:
    """SHA-256 of a file, or of a folder's files (names, sizes and contents, in name order)."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        digest.update(str(file.relative_to(path) if path.is_dir() else file.name).encode())
        with open(file, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def _quality_prefix(derived: DerivedCustomers) -> list[QualityAction]:
    return [QualityAction(step, column, count, detail) for step, column, count, detail in derived.to_quality_actions()]


def train_transactions(
    derived: DerivedCustomers,
    config: RunConfig,
    progress: SilentProgress | None = None,
    *,
    source_name: str = "<transactions>",
    input_sha256: str = "",
) -> RunResult:
    """Segment the derived customers (no file touched); exclusions join the data-quality report."""
    from .pipeline import train

    schema = rfm_schema(config.features, dict(config.transforms))
    result = train(
        derived.customers, config, progress, source_name=source_name, input_sha256=input_sha256, schema=schema
    )
    quality = result.quality
    quality.actions[:0] = _quality_prefix(derived)
    quality.notes[:0] = [
        f"{derived.lines_in:,} order lines read, {derived.lines_valid:,} valid; customers derived from them: "
        f"{len(derived.customers):,}",
        f"as-of date {derived.as_of.isoformat()} (recency = days from the last valid purchase to it); "
        f"dates read as {derived.date_format}; returns {derived.returns}",
        "columns: " + ", ".join(f"{role} = {header!r}" for role, header in derived.columns.items()),
    ]
    result.extra_tables["rfm"] = derived.customers
    return result


def run_transactions(
    config: RunConfig,
    options: TransactionOptions,
    settings: Settings | None = None,
    progress: SilentProgress | None = None,
    paths: ArtifactPaths | None = None,
) -> RunResult:
    """The whole transactions run: check the export (cheaply, before anything expensive), aggregate it
    out of core, segment the customers and write every artifact plus ``rfm.csv`` (Parquet when large)."""
    from .artifacts import write_artifacts

    settings = settings or get_settings()
    progress = progress or SilentProgress()
    paths = paths or settings.paths
    if config.data is None:
        raise ConfigError("--transactions needs the order-line file or folder")
    source = Path(config.data)
    rfm_schema(config.features, dict(config.transforms))  # refuse bad feature names before reading anything
    with progress.stage("Checking the order lines (columns, date format)"):
        check_transactions(source, options)
    with progress.stage("Aggregating order lines per customer (DuckDB)"):
        derived = derive_customers(source, options)
        digest = source_sha256(source)
    result = train_transactions(derived, config, progress, source_name=source.name, input_sha256=digest)
    write_artifacts(result, paths, progress, settings=settings)
    return result


def run_transactions_spark(
    config: RunConfig,
    options: TransactionOptions,
    settings: Settings | None = None,
    progress: SilentProgress | None = None,
    paths: ArtifactPaths | None = None,
    *,
    master: str = "local[*]",
    conf: dict[str, str] | None = None,
    data_uri: str | None = None,
) -> RunResult:
    """``--engine spark --transactions``: the order lines are aggregated on Spark (the same definitions
    and exclusion counts as DuckDB's, ``engines/spark/transactions.py``); the per-customer table — one
    row per customer, orders of magnitude smaller than the lines — is then segmented on the driver
    exactly as the default engine does, so both engines give the same features and the same k."""
    from .artifacts import write_artifacts
    from .engines.spark.session import check_master, spark_session
    from .engines.spark.transactions import derive_customers_spark

    settings = settings or get_settings()
    progress = progress or SilentProgress()
    paths = paths or settings.paths
    if config.data is None:
        raise ConfigError("--transactions needs the order-line file, folder or URI")
    rfm_schema(config.features, dict(config.transforms))
    check_master(master)
    source = data_uri or str(config.data)
    with progress.stage("Aggregating order lines per customer (Spark)"), spark_session(master, conf) as spark:
        derived = derive_customers_spark(spark, source, options)
        version = spark.version
    local = Path(source)
    digest = source_sha256(local) if local.exists() else ""
    result = train_transactions(derived, config, progress, source_name=local.name, input_sha256=digest)
    spark_info = {"master": master, "version": version, "stage": "order-line aggregation (clustering on the driver)"}
    write_artifacts(result, paths, progress, settings=settings, engine="spark+scikit-learn", spark=spark_info)
    return result
