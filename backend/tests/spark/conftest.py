"""One local Spark session (``local[2]``) for every Spark test: the JVM starts once (~4 s).

No web UI, a scratch dir inside pytest's temp folder, a loopback-only driver: no network.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    pytest.importorskip("pyspark", reason="pip install -r backend/requirements-spark.txt")
    from customer_segmentation.engines.spark.session import build_session

    scratch = tmp_path_factory.mktemp("spark-local")
    session = build_session(
        "local[2]",
        {"spark.local.dir": str(scratch), "spark.sql.shuffle.partitions": "2", "spark.default.parallelism": "2"},
    )
    yield session
    session.stop()
