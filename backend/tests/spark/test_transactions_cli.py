"""``--engine spark --transactions`` gives the same per-customer features and the same k as the default
engine (issue 12's acceptance)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_cli import cli
from test_transactions_run import export

from customer_segmentation.modeling.card import ModelCard

pytestmark = pytest.mark.spark


def test_spark_transactions_match_the_default_engine(tmp_path: Path) -> None:
    orders = tmp_path / "orders.csv"
    export(rows=1500, seed=5).to_csv(orders, index=False)
    runs = {}
    for engine in ("sklearn", "spark"):
        root = tmp_path / engine
        done = cli(
            "--transactions",
            str(orders),
            "--engine",
            engine,
            "--spark-master",
            "local[1]",
            "--output-root",
            str(root),
            "-q",
        )
        assert done.returncode == 0, done.stderr[-2000:]
        card = ModelCard.model_validate_json((root / "models" / "model_card.json").read_text())
        table = pd.read_csv(root / "data" / "processed" / "rfm.csv").set_index("customer_id").sort_index()
        runs[engine] = (card, table)
    (card_a, rfm_a), (card_b, rfm_b) = runs["sklearn"], runs["spark"]
    assert card_a.k == card_b.k
    assert card_b.engine == "spark+scikit-learn"
    assert list(rfm_a.index) == list(rfm_b.index)
    for column in ("recency_days", "frequency", "monetary", "tenure_days", "avg_order_value"):
        np.testing.assert_allclose(rfm_a[column], rfm_b[column], rtol=1e-9)
