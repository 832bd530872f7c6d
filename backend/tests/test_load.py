"""Reading tables of every common shape — and refusing unusable ones with a clear message."""

from pathlib import Path

import pandas as pd
import pytest

from customer_segmentation.data.load import read_table
from customer_segmentation.errors import DataError

KAGGLE = "CustomerID,Gender,Age,Annual Income (k$),Spending Score (1-100)\n1,Male,19,15,46\n2,Female,21,16,81\n"


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def test_kaggle_header_is_normalised(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "a.csv", KAGGLE))
    assert list(table.frame.columns) == ["customer_id", "gender", "age", "annual_income", "spending_score"]
    assert table.frame.loc[0, "age"] == "19"


def test_semicolon_delimiter_and_genre_header(tmp_path: Path) -> None:
    content = "CustomerID;Genre;Age;Annual Income (k$);Spending Score (1-100)\n1;Male;19;15;46\n"
    table = read_table(write(tmp_path, "b.csv", content))
    assert table.delimiter == ";"
    assert table.frame.loc[0, "gender"] == "Male"


def test_utf8_bom_and_latin1(tmp_path: Path) -> None:
    assert read_table(write(tmp_path, "bom.csv", "\ufeff" + KAGGLE)).frame.shape == (2, 5)
    latin = (
        KAGGLE.replace("CustomerID", "CustomerID,Nom")
        .replace("1,Male", "1,Zoë,Male")
        .replace("2,Female", "2,José,Female")
    ).encode("latin-1")
    table = read_table(write(tmp_path, "latin.csv", latin))
    assert table.encoding == "latin-1"
    assert table.ignored_columns == ["Nom"]


def test_unknown_columns_are_ignored_and_reported(tmp_path: Path) -> None:
    table = read_table(
        write(
            tmp_path,
            "c.csv",
            KAGGLE.replace("(1-100)", "(1-100),Notes").replace("39\n", "39,x\n").replace("81\n", "81,y\n"),
        )
    )
    assert table.ignored_columns == ["Notes"]
    assert "Notes" not in table.frame.columns


def test_parquet_input(tmp_path: Path) -> None:
    path = tmp_path / "d.parquet"
    pd.DataFrame(
        {
            "CustomerID": [1, 2],
            "Gender": ["Male", "Female"],
            "Age": [19, 20],
            "Annual Income (k$)": [15, 16],
            "Spending Score (1-100)": [39, 6],
        }
    ).to_parquet(path)
    assert list(read_table(path).frame.columns)[-1] == "spending_score"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "empty"),
        ("binary.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("dup.csv", "Age,age\n1,2\n", "duplicate column 'age'"),
        ("broken.parquet", b"not parquet at all", "not a readable Parquet file"),
    ],
)
def test_unusable_files_raise_one_line_errors(tmp_path: Path, name: str, content: bytes | str, message: str) -> None:
    with pytest.raises(DataError) as excinfo:
        read_table(write(tmp_path, name, content))
    assert message in str(excinfo.value)
    assert "\n" not in str(excinfo.value)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="not found"):
        read_table(tmp_path / "nope.csv")
    with pytest.raises(DataError, match="not a file"):
        read_table(tmp_path)
