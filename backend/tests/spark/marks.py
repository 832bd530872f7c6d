"""Marks shared by the Spark test modules."""

from __future__ import annotations

import pytest

#: pyspark 4.3 warns about pandas 3 on every Arrow transfer; the tests check the data that crosses.
SPARK = [
    pytest.mark.spark,
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]
