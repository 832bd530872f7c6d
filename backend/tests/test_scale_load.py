"""The fast (pyarrow, typed) reader means exactly what the text reader means.

Every table is read by both engines and cleaned; the cleaned frames and the QualityReports must be
identical, and each case also checks WHICH path the fast engine took, so the fast path is really
exercised (not silently replaced by the text one).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from customer_segmentation.data.clean import CleaningOptions, clean_customers
from customer_segmentation.data.load import read_table
from customer_segmentation.schema import DEFAULT_FEATURES, SELECTABLE_FEATURES
from customer_segmentation.synth import generate, write_table

HEADER = "CustomerID,Gender,Age,Annual Income (k$),Spending Score (1-100),Notes\n"

# Dirty, but every numeric cell is a number or an exact missing marker: the typed path holds.
TYPED_DIRTY = HEADER + "".join(
    [
        "1,Male,19,15,46,a\n",
        "2,female,21,NA,81,\n",  # respelled gender; NA marker
        "3,F,,16,6,b\n",  # empty age
        "4,Female,23,16,84,\n",
        "4,Female,23,16,84,\n",  # exact duplicate
        "5,Female,31,17,47,\n",
        "5,Male,64,19,10,\n",  # duplicate id
        "6,unknown,35,-5,6,\n",  # unknown gender; negative income
        "7,Male,N/A,20,150,\n",  # marker + out of range → too sparse
        "8,Male,200,21,13,\n",  # impossible age
        "9,null,22,18,76,\n",  # gender marker
        ",Male,30,19,50,\n",  # no id
        ",,,,,\n",  # blank row
        "10,m,40,null,NULL,\n",
        "11,Male,1e1,2.5e1,50,\n",  # exponent notation
        "12,MALE,45,1000001,50,\n",  # income over the valid range
    ]
)

# Text in numeric columns, padded values, markers with spaces: some columns stay text.
TEXT_DIRTY = (
    TYPED_DIRTY.replace("35,-5,6", "abc, -5 ,6").replace("45,1000001", " 45 ,?").replace("31,17,47", "31,17, n/a ")
)

# Spellings the two parsers could read differently: the fast engine must defer to the text one.
NAN_INF = TYPED_DIRTY.replace("23,16,84", "nan,inf,84").replace("19,15,46", "19,-inf,46")
QUOTED = TYPED_DIRTY.replace("1,Male,19", '1, "Male",19')
DUPLICATE_HEADER = TYPED_DIRTY.replace(",Notes\n", ",Age\n", 1)
TEXT_IDS = TYPED_DIRTY.replace("\n6,", "\nC-6,").replace("\n8,", "\n8.0,")
SEMICOLON = TYPED_DIRTY.replace(",", ";")


def _both(path: Path, features: tuple[str, ...] = DEFAULT_FEATURES) -> str:
    """Clean the file via both engines, assert identical results, return the fast engine's path."""
    options = CleaningOptions(features)
    text = read_table(path, engine="text")
    fast = read_table(path, engine="fast")
    clean_text, report_text = clean_customers(text.frame, options)
    clean_fast, report_fast = clean_customers(fast.frame, options)
    pd.testing.assert_frame_equal(clean_fast, clean_text)
    assert report_fast.to_dict() == report_text.to_dict()
    assert fast.ignored_columns == text.ignored_columns
    assert fast.delimiter == text.delimiter
    return fast.engine


@pytest.mark.parametrize(
    ("content", "engine"),
    [
        (TYPED_DIRTY, "pyarrow"),
        (TEXT_DIRTY, "pyarrow+text"),
        (TEXT_IDS, "pyarrow+text"),
        (SEMICOLON, "pyarrow"),
        (NAN_INF, "text"),
        (QUOTED, "text"),
        (DUPLICATE_HEADER, "text"),
    ],
    ids=["typed", "text-columns", "text-ids", "semicolon", "nan-inf", "quoted", "duplicate-header"],
)
def test_fast_and_text_engines_clean_identically(tmp_path: Path, content: str, engine: str) -> None:
    path = tmp_path / "dirty.csv"
    path.write_text(content, encoding="utf-8")
    if engine == "text" and content is DUPLICATE_HEADER:
        return  # both engines refuse it: checked in the next test
    assert _both(path) == engine


def test_a_file_both_engines_refuse_gets_the_same_error(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text(DUPLICATE_HEADER, encoding="utf-8")
    messages = []
    for engine in ("text", "fast"):
        try:
            clean_customers(read_table(path, engine=engine).frame, CleaningOptions(DEFAULT_FEATURES))
            messages.append("accepted")
        except Exception as exc:  # compare whatever happens
            messages.append(f"{type(exc).__name__}: {exc}")
    assert messages[0] == messages[1]
    assert "duplicate column 'age'" in messages[0]


def test_the_report_counts_are_real(tmp_path: Path) -> None:
    """Guard against both engines agreeing on nothing: the typed file has every kind of action."""
    path = tmp_path / "typed.csv"
    path.write_text(TYPED_DIRTY, encoding="utf-8")
    _, report = clean_customers(read_table(path, engine="fast").frame, CleaningOptions(DEFAULT_FEATURES))
    for step in (
        "blank_row",
        "missing_marker",
        "gender_respelled",
        "gender_unknown",
        "out_of_range",
        "missing_id",
        "duplicate_row",
        "duplicate_id",
        "too_sparse",
        "imputed_median",
        "imputed_mode",
    ):
        assert report.count(step) > 0, step


def test_gender_as_a_feature_and_latin1(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes(TYPED_DIRTY.replace("a\n", "Zoë\n").encode("latin-1"))
    assert _both(path, SELECTABLE_FEATURES) == "text"  # not UTF-8: the text engine reads it


@pytest.mark.parametrize("dirt", [0.0, 0.02])
def test_synthetic_tables_take_the_typed_path(tmp_path: Path, dirt: float) -> None:
    path = write_table(tmp_path / "synth.csv", 5_000, seed=3, dirt=dirt)
    assert _both(path, SELECTABLE_FEATURES) == "pyarrow"


def test_parquet_typed_and_text_engines_agree(tmp_path: Path) -> None:
    frame = generate(3_000, seed=5, dirt=0.05)
    frame.loc[::97, "age"] = pd.NA
    frame["annual_income"] = frame["annual_income"].astype("float64")
    frame.loc[5, "annual_income"] = np.inf
    path = tmp_path / "t.parquet"
    frame.rename(columns={"customer_id": "CustomerID", "gender": "Genre"}).to_parquet(path)
    assert _both(path) == "parquet"
