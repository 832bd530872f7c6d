"""Spark cleaning applies the default engine's rules: same QualityReport (steps, columns, counts,
details), same cleaned rows in the same order, same errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from customer_segmentation.data.clean import CleaningOptions, clean_customers
from customer_segmentation.data.load import read_table
from customer_segmentation.errors import DataError
from customer_segmentation.schema import DEFAULT_FEATURES, SELECTABLE_FEATURES

from .conftest_helpers import assert_same_rows
from .dirty import write_dirty_csv
from .marks import SPARK

pytestmark = SPARK


def both(spark: Any, path: Path, options: CleaningOptions) -> tuple[Any, Any, pd.DataFrame, pd.DataFrame]:
    from customer_segmentation.engines.spark.clean import clean_spark
    from customer_segmentation.engines.spark.read import ROW, read_spark_table
    from customer_segmentation.engines.spark.train import tidy_pandas

    expected, expected_report = clean_customers(read_table(path).frame, options)
    cleaned = clean_spark(read_spark_table(spark, str(path)).frame, options)
    actual = tidy_pandas(cleaned.frame.orderBy(ROW).drop(ROW).toPandas(), options.resolved_schema())
    return expected_report, cleaned.report, expected, actual


@pytest.fixture(scope="module")
def dirty_csv(tmp_path_factory: pytest.TempPathFactory, mall_csv: Path) -> Path:
    return write_dirty_csv(mall_csv, tmp_path_factory.mktemp("dirty") / "dirty.csv")


@pytest.mark.parametrize("clip", [False, True], ids=["keep-outliers", "clip-outliers"])
def test_dirty_copy_gives_the_same_quality_report_and_rows(spark: Any, dirty_csv: Path, clip: bool) -> None:
    options = CleaningOptions(DEFAULT_FEATURES, clip_outliers=clip)
    expected_report, report, expected, actual = both(spark, dirty_csv, options)
    # The dirty copy exercises every rule (so equality below is not vacuous).
    steps = {a.step for a in expected_report.actions}
    assert {
        "blank_row",
        "missing_marker",
        "gender_respelled",
        "gender_unknown",
        "not_a_number",
        "not_finite",
        "out_of_range",
        "missing_id",
        "duplicate_row",
        "duplicate_id",
        "too_sparse",
        "imputed_median",
        "imputed_mode",
    } <= steps
    assert report.to_dict() == expected_report.to_dict()
    assert_same_rows(expected, actual)


def test_canonical_data_is_untouched_by_both(spark: Any, mall_csv: Path) -> None:
    expected_report, report, expected, actual = both(spark, mall_csv, CleaningOptions(tuple(SELECTABLE_FEATURES)))
    assert report.to_dict() == expected_report.to_dict()
    assert report.rows_out == 200
    assert_same_rows(expected, actual)


def test_no_id_and_no_gender_column(spark: Any, tmp_path: Path, mall_csv: Path) -> None:
    frame = pd.read_csv(mall_csv, dtype=str).drop(columns=["CustomerID", "Gender"])
    frame = pd.concat([frame, frame.iloc[[5, 6]]], ignore_index=True)  # duplicates without ids
    path = tmp_path / "no_id.csv"
    frame.to_csv(path, index=False, sep=";")
    expected_report, report, expected, actual = both(spark, path, CleaningOptions(DEFAULT_FEATURES))
    assert expected_report.count("generated_id") == 202
    assert report.to_dict() == expected_report.to_dict()
    assert_same_rows(expected, actual)


def test_empty_optional_gender_column_is_dropped_by_both(spark: Any, tmp_path: Path, mall_csv: Path) -> None:
    frame = pd.read_csv(mall_csv, dtype=str).assign(Gender="Unknown")
    path = tmp_path / "unknown_gender.csv"
    frame.to_csv(path, index=False)
    expected_report, report, expected, actual = both(spark, path, CleaningOptions(DEFAULT_FEATURES))
    assert expected_report.count("empty_column_dropped", "gender") == 200
    assert report.to_dict() == expected_report.to_dict()
    assert_same_rows(expected, actual)


def test_typed_parquet_input(spark: Any, tmp_path: Path, mall_csv: Path) -> None:
    frame = pd.read_csv(mall_csv)
    frame.loc[3, "Age"] = np.nan
    frame.loc[4, "Gender"] = "f"
    path = tmp_path / "customers.parquet"
    frame.to_parquet(path)
    expected_report, report, expected, actual = both(spark, path, CleaningOptions(DEFAULT_FEATURES))
    assert report.to_dict() == expected_report.to_dict()
    assert_same_rows(expected, actual)


def test_missing_required_column_is_the_same_error(spark: Any, tmp_path: Path, mall_csv: Path) -> None:
    from customer_segmentation.engines.spark.clean import clean_spark
    from customer_segmentation.engines.spark.read import read_spark_table

    path = tmp_path / "no_age.csv"
    pd.read_csv(mall_csv, dtype=str).drop(columns=["Age"]).to_csv(path, index=False)
    options = CleaningOptions(DEFAULT_FEATURES)
    with pytest.raises(DataError) as expected:
        clean_customers(read_table(path).frame, options)
    with pytest.raises(DataError) as actual:
        clean_spark(read_spark_table(spark, str(path)).frame, options)
    assert str(actual.value) == str(expected.value)
    assert "'age'" in str(actual.value)


def test_missing_file_is_a_one_line_data_error(spark: Any, tmp_path: Path) -> None:
    from customer_segmentation.engines.spark.read import read_spark_table

    with pytest.raises(DataError, match="input file not found"):
        read_spark_table(spark, str(tmp_path / "nope.csv"))
