"""The Spark reader agrees with the default engine on rows with more fields than the header (issue 14):
a real extra value is refused (Spark used to drop it silently), a trailing delimiter's empty field is
accepted, and short rows are kept as the default engine keeps them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from customer_segmentation.data.load import read_table
from customer_segmentation.engines.spark.read import read_spark_table
from customer_segmentation.errors import DataError

from .marks import SPARK

pytestmark = SPARK
CORPUS = Path(__file__).resolve().parents[1] / "corpus"
HEADER = "CustomerID,Gender,Age,Annual Income (k$),Spending Score (1-100)\n"
MESSAGE = "more fields than its header"


def _default_engine_refuses(path: Path) -> bool:
    try:
        read_table(path)
    except DataError:
        return True
    return False


@pytest.mark.parametrize(
    "body",
    [
        "1,Male,19,15,46,extra\n2,Male,21,15,88,more\n",  # the corpus case: from the first row on
        "1,Male,19,15,46\n2,Male,21,15,88\n3,Female,20,16,13,x\n",  # one later row
        "1,Male,19,15,46\n2,Male,21,15,88,,x\n",  # the extra value after an empty extra field
    ],
    ids=["first-row", "later-row", "second-extra-field"],
)
def test_rows_with_extra_values_are_refused_like_the_default_engine(spark: Any, tmp_path: Path, body: str) -> None:
    path = tmp_path / "extra.csv"
    path.write_text(HEADER + body)
    assert _default_engine_refuses(path)
    with pytest.raises(DataError, match=MESSAGE) as caught:
        read_spark_table(spark, str(path))
    assert "\n" not in str(caught.value)


def test_the_corpus_file_is_refused(spark: Any) -> None:
    with pytest.raises(DataError, match=MESSAGE):
        read_spark_table(spark, str(CORPUS / "extra_fields.csv"))


@pytest.mark.parametrize("name", ["trailing_delimiter.csv", "semicolon_delimiter.csv", "utf8_bom.csv"])
def test_files_the_default_engine_accepts_keep_every_row(spark: Any, name: str) -> None:
    path = CORPUS / name
    expected = len(read_table(path).frame)
    table = read_spark_table(spark, str(path))
    assert table.frame.count() == expected


def test_short_rows_are_kept(spark: Any, tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text(HEADER + "1,Male,19,15,46\n2,Male,21\n")
    assert not _default_engine_refuses(path)
    rows = read_spark_table(spark, str(path)).frame.orderBy("_row").collect()
    assert len(rows) == 2 and rows[1]["spending_score"] is None
