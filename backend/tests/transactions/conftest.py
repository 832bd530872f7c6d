"""Synthetic order-line exports of the public Online Retail shape, written once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from customer_segmentation.transactions.synth import write_transactions

LINES = 6_000
SEED = 11


@pytest.fixture(scope="session")
def export_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("transactions")


@pytest.fixture(scope="session")
def retail_csv(export_dir: Path) -> Path:
    """Cancellations, zero prices, guest lines, duplicates, a few bad dates; "M/D/YYYY H:MM" dates."""
    return write_transactions(export_dir / "online_retail.csv", LINES, seed=SEED)


@pytest.fixture(scope="session")
def retail_parquet(export_dir: Path) -> Path:
    """The same lines as ``retail_csv``, as Parquet with real timestamps and float customer ids."""
    return write_transactions(export_dir / "online_retail.parquet", LINES, seed=SEED)
