"""The bad-input corpus (tests/corpus/) through POST /predict/csv: each file ends in a clear 4xx
naming the problem or in a scored file with the bad rows reported — never a 500 or a traceback."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from customer_segmentation.api.settings import ApiSettings

from .conftest import CORPUS, serve

#: file → (status, rows scored / rows total, or a regex the one-line error must contain)
EXPECTED: dict[str, tuple[int, tuple[int, int] | str]] = {
    "empty.csv": (422, "is empty"),
    "header_only.csv": (422, "no data rows"),
    "binary_garbage.csv": (422, "not a CSV text file"),
    "wrong_delimiter_colon.csv": (422, "has no 'age' column"),
    "semicolon_delimiter.csv": (200, (5, 5)),
    "utf8_bom.csv": (200, (5, 5)),
    "latin1.csv": (200, (3, 3)),
    "quoted_newlines.csv": (200, (3, 3)),
    "duplicated_header_row.csv": (200, (5, 6)),
    # the API's own check, or the loader's once it detects pandas' "Age.1" renaming itself
    "duplicated_column.csv": (422, "repeats the column 'Age'|duplicate column 'age'"),
    "enormous_numbers.csv": (200, (1, 5)),
    "negative_and_nan.csv": (200, (1, 7)),
    "text_column.csv": (200, (0, 3)),
    "very_wide.csv": (413, r"header has 1,505 columns; the limit is 1,000 \(setting SEGMENTATION_MAX_UPLOAD_COLUMNS\)"),
    "no_header.csv": (422, "has no 'age' column"),
    "crlf_line_endings.csv": (200, (5, 5)),
    "mixed_valid_and_invalid.csv": (200, (4, 8)),
    "trailing_delimiter.csv": (200, (5, 5)),
    "extra_fields.csv": (422, "more fields than its header"),
}


def test_every_corpus_file_has_an_expectation_and_a_readme_line() -> None:
    files = {p.name for p in CORPUS.glob("*.csv")}
    assert files == set(EXPECTED)
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in readme for name in files)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file_through_predict_csv(client: TestClient, name: str) -> None:
    status, expected = EXPECTED[name]
    answer = client.post(
        "/predict/csv", params={"format": "json"}, files={"file": (name, (CORPUS / name).read_bytes(), "text/csv")}
    )
    assert answer.status_code == status, answer.text
    body = answer.json()
    if isinstance(expected, str):
        assert re.search(expected, body["detail"]), body["detail"]
        assert "\n" not in body["detail"] and "Traceback" not in body["detail"]
        return
    assert (body["rows_scored"], body["rows_total"]) == expected
    failed_rows = {e["row"] for e in body["errors"]}
    assert len(failed_rows) == body["rows_failed"] == expected[1] - expected[0]
    assert all(e["reason"] and e["column"] for e in body["errors"])


def test_corpus_csv_download_keeps_the_files_columns(client: TestClient) -> None:
    """Extra columns (names in Latin-1, notes with newlines) come back untouched (1,500 wide: see
    tests/hardening/test_request_costs.py, under a raised SEGMENTATION_MAX_UPLOAD_COLUMNS)."""
    import io

    import pandas as pd

    for name, column in (("latin1.csv", "Name"), ("quoted_newlines.csv", "Notes")):
        answer = client.post("/predict/csv", files={"file": (name, (CORPUS / name).read_bytes(), "text/csv")})
        scored = pd.read_csv(io.BytesIO(answer.content), dtype=str)
        assert column in scored.columns, name
    names = pd.read_csv(
        io.BytesIO(client.post("/predict/csv", files={"file": ("l.csv", (CORPUS / "latin1.csv").read_bytes())}).content)
    )["Name"]
    assert names.tolist()[0] == "José Müller"  # decoded from Latin-1, returned as UTF-8


def test_file_over_the_size_limit_is_413(trained_root: Path, make_settings: Callable[..., ApiSettings]) -> None:
    """Generated here, never committed: one byte over the configured upload limit."""
    limit = 4_096
    header = b"CustomerID,Gender,Age,Annual Income (k$),Spending Score (1-100)\n"
    body = header + b"1,Male,27,42,63\n" * ((limit - len(header)) // 16 + 1)
    body = body[: limit + 1]
    assert len(body) == limit + 1
    with serve(make_settings(trained_root, max_upload_bytes=limit)) as client:
        answer = client.post("/predict/csv", files={"file": ("big.csv", body, "text/csv")})
        assert answer.status_code == 413
        assert f"{limit:,}" in answer.json()["detail"] and "SEGMENTATION_MAX_UPLOAD_BYTES" in answer.json()["detail"]
        assert client.post("/predict/csv", files={"file": ("ok.csv", body[:limit])}).status_code in (200, 422)
