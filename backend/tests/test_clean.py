"""Every cleaning rule fires, is counted, and leaves a table the model can use."""

import pandas as pd
import pytest

from customer_segmentation.data.clean import CleaningOptions, clean_customers
from customer_segmentation.errors import DataError
from customer_segmentation.schema import DEFAULT_FEATURES

OPTIONS = CleaningOptions(DEFAULT_FEATURES)


def frame(rows: list[list[str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["customer_id", "gender", "age", "annual_income", "spending_score"], dtype=str)


DIRTY = frame(
    [
        ["1", "Male", "19", "15", "46"],
        ["2", " female ", "21", "NA", "81"],  # respelled gender; missing marker in income → imputed
        ["3", "F", "?", "16", "6"],  # respelled; missing age → imputed
        ["4", "Female", "23", "16", "84"],
        ["4", "Female", "23", "16", "84"],  # exact duplicate row
        ["5", "Female", "31", "17", "47"],
        ["5", "Male", "64", "19", "10"],  # duplicate customer id (not an exact duplicate)
        ["6", "unknown", "35", "-5", "6"],  # unknown gender → mode; negative income → missing → median
        ["7", "Male", "abc", "20", "150"],  # text age; spending out of range → 2 of 3 missing → dropped
        ["8", "Male", "200", "21", "13"],  # impossible age → missing → median
        ["9", "null", "22", "18", "76"],  # missing gender → mode
        ["", "Male", "30", "19", "50"],  # no id → dropped
        ["", "", "", "", ""],  # blank row → dropped
        ["10", "m", "40", "n/a", "nan"],  # 2 missing of 3 features → dropped
    ]
)


def test_each_rule_is_counted() -> None:
    clean, report = clean_customers(DIRTY, OPTIONS)
    assert report.rows_in == 14
    assert report.count("blank_row") == 1
    assert report.count("gender_respelled") == 3  # " female ", "F", "m"
    assert report.count("gender_unknown") == 1
    assert report.count("not_a_number", "age") == 1
    assert report.count("out_of_range", "annual_income") == 1
    assert report.count("out_of_range", "spending_score") == 1
    assert report.count("out_of_range", "age") == 1
    assert report.count("missing_id") == 1
    assert report.count("duplicate_row") == 1
    assert report.count("duplicate_id") == 1
    assert report.count("too_sparse") == 2
    assert report.count("imputed_median", "annual_income") == 2
    assert report.count("imputed_median", "age") == 2
    assert report.count("imputed_mode", "gender") == 2
    assert report.rows_out == len(clean) == 8
    assert clean["customer_id"].tolist() == [1, 2, 3, 4, 5, 6, 8, 9]
    assert clean.isna().sum().sum() == 0
    assert set(clean["gender"]) <= {"Female", "Male"}


def test_imputed_values_are_medians_of_the_valid_values() -> None:
    clean, _ = clean_customers(DIRTY, OPTIONS)
    valid_incomes = [15, 16, 16, 17, 21, 18]  # rows kept that had a valid income
    assert clean.loc[clean.customer_id == 2, "annual_income"].item() == pd.Series(valid_incomes).median()


def test_clean_input_is_left_alone() -> None:
    data = frame([["1", "Male", "19", "15", "46"], ["2", "Female", "40", "70", "60"]])
    clean, report = clean_customers(data, OPTIONS)
    assert report.actions == []
    assert clean["age"].dtype == "int64"
    assert clean["age"].tolist() == [19, 40]


def test_outliers_are_kept_by_default_and_clipped_on_request() -> None:
    rows = [[str(i), "Male", "30", str(40 + i % 5), "50"] for i in range(1, 40)]
    rows.append(["40", "Male", "30", "900", "50"])
    data = frame(rows)
    kept, report = clean_customers(data, OPTIONS)
    income = next(o for o in report.outliers if o.column == "annual_income")
    assert income.count == 1 and not income.clipped
    assert kept["annual_income"].max() == 900
    clipped, report = clean_customers(data, CleaningOptions(DEFAULT_FEATURES, clip_outliers=True))
    assert report.count("clipped_outlier", "annual_income") == 1
    assert clipped["annual_income"].max() == pytest.approx(income.high_fence)


def test_missing_required_column_is_named() -> None:
    data = frame([["1", "Male", "19", "15", "46"]]).drop(columns=["spending_score"])
    with pytest.raises(DataError, match="required column 'spending_score' is missing"):
        clean_customers(data, OPTIONS)


def test_nothing_usable_left() -> None:
    with pytest.raises(DataError, match="no usable rows"):
        clean_customers(frame([["1", "x", "a", "b", "c"], ["", "", "", "", ""]]), OPTIONS)


def test_missing_id_column_generates_ids() -> None:
    data = frame([["1", "Male", "19", "15", "46"], ["2", "Female", "20", "16", "40"]]).drop(columns=["customer_id"])
    clean, report = clean_customers(data, OPTIONS)
    assert clean["customer_id"].tolist() == [1, 2]
    assert report.count("generated_id") == 2


def test_an_empty_column_that_is_not_a_feature_is_dropped_and_reported() -> None:
    """Exports often fill gender with "Unknown"; that must not stop a model that does not use it."""
    data = frame([[str(i), "Unknown", str(20 + i), str(30 + i), str(40 + i)] for i in range(1, 9)])
    clean, report = clean_customers(data, OPTIONS)
    assert "gender" not in clean.columns
    assert report.count("empty_column_dropped", "gender") == 8
    with pytest.raises(DataError, match="column 'gender' has no usable values"):
        clean_customers(data, CleaningOptions(("gender", *DEFAULT_FEATURES)))
