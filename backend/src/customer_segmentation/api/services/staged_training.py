"""The CLI's run — load, train, write every artifact — into a job's staging folder, linked to the
served run as its parent.

It is ``pipeline.run`` (or ``transactions_run.run_transactions`` for order lines) with one difference
at the edge: ``write_artifacts`` writes under the staging root but takes its lineage from the served
artifacts root (``lineage_root``: stable segment ids, the lineage's user labels, the migration and
drift against the served model) and records nothing in the store (``record=False``) — the store
records the run from its artifacts once it is published (``lifecycle.recording.reconcile``). A
staged run that is discarded therefore leaves no trace anywhere.
"""

from __future__ import annotations

from pathlib import Path

from ...artifacts import write_artifacts
from ...config import ArtifactPaths, Settings
from ...errors import ConfigError
from ...progress import SilentProgress
from ...run_result import RunConfig, RunResult
from ..schemas.training import InputKind


def train_staged(
    config: RunConfig, kind: InputKind, stage_root: Path, settings: Settings, progress: SilentProgress
) -> RunResult:
    """Train ``config`` and publish the run under ``stage_root``; ``settings`` name the served root
    (``artifacts_root``) and its store."""
    result = _transactions(config, progress) if kind == "transactions" else _customers(config, settings, progress)
    write_artifacts(
        result,
        ArtifactPaths(stage_root),
        progress,
        settings=settings,
        lineage_root=settings.artifacts_root,
        record=False,
    )
    return result


def _customers(config: RunConfig, settings: Settings, progress: SilentProgress) -> RunResult:
    from ...pipeline import load_input, train

    with progress.stage("Loading data"):
        loaded, digest, schema = load_input(config, settings)
    result = train(
        loaded.frame, config, progress, source_name=Path(loaded.source).name, input_sha256=digest, schema=schema
    )
    result.loaded = loaded
    return result


def _transactions(config: RunConfig, progress: SilentProgress) -> RunResult:
    from ...transactions import TransactionOptions, check_transactions, derive_customers
    from ...transactions_run import rfm_schema, source_sha256, train_transactions

    if config.data is None:  # pragma: no cover - the API always passes the staged upload
        raise ConfigError("a transactions run needs the order-line file")
    source = Path(config.data)
    rfm_schema(config.features, dict(config.transforms))
    options = TransactionOptions()
    with progress.stage("Checking the order lines (columns, date format)"):
        check_transactions(source, options)
    with progress.stage("Aggregating order lines per customer (DuckDB)"):
        derived = derive_customers(source, options)
        digest = source_sha256(source)
    return train_transactions(derived, config, progress, source_name=source.name, input_sha256=digest)
