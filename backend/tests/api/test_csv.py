"""POST /predict/csv: the file comes back with segment columns, bad rows are reported, limits hold."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from customer_segmentation.api.settings import ApiSettings
from customer_segmentation.pipeline import RunResult

from .conftest import serve

HEADER = "CustomerID,Gender,Age,Annual Income (k$),Spending Score (1-100)\n"


def upload(client: TestClient, body: bytes, name: str = "customers.csv", **params: str):
    return client.post("/predict/csv", params=params, files={"file": (name, body, "text/csv")})


def test_scored_file_keeps_every_column_and_row(client: TestClient, trained_result: RunResult) -> None:
    body = (HEADER + "1,Male,27,42,63\n2,Female,38,71,24\n3,Female,52,33,48\n").encode()
    answer = upload(client, body, name="my export.csv")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["content-disposition"] == 'attachment; filename="my_export_segmented.csv"'
    assert answer.headers["x-rows-total"] == "3" and answer.headers["x-rows-failed"] == "0"
    assert answer.headers["x-model-version"] == trained_result.model_version
    scored = pd.read_csv(io.BytesIO(answer.content), dtype=str, keep_default_na=False)
    assert list(scored.columns) == [
        *HEADER.strip().split(","),
        "segment",
        "segment_name",
        "out_of_distribution",
        "margin",
        "confidence",
        "error",
    ]
    assert scored["CustomerID"].tolist() == ["1", "2", "3"]
    names = [p.name for p in trained_result.profiles]
    assert all(names[int(s)] == n for s, n in zip(scored["segment"], scored["segment_name"], strict=True))
    assert (scored["error"] == "").all()


def test_bad_rows_are_reported_and_good_rows_scored(client: TestClient) -> None:
    body = (
        HEADER
        + "1,Male,27,42,63\n"  # row 1 fine
        + "2,Female,abc,71,24\n"  # row 2: age not a number
        + "3,Female,52,33,\n"  # row 3: spending missing
        + "4,Male,24,-5,101\n"  # row 4: income and spending out of range
        + "5,Female,45,58,12\n"  # row 5 fine
    ).encode()
    answer = upload(client, body)
    assert answer.status_code == 200
    assert (answer.headers["x-rows-scored"], answer.headers["x-rows-failed"]) == ("2", "3")
    scored = pd.read_csv(io.BytesIO(answer.content), dtype=str, keep_default_na=False)
    assert scored.loc[1, "error"] == "age 'abc' is not a number"
    assert scored.loc[2, "error"] == "spending_score is missing"
    assert scored.loc[3, "error"] == (
        "annual_income '-5' is outside the valid range 0–1,000,000; "
        "spending_score '101' is outside the valid range 1–100"
    )
    assert scored.loc[[1, 2, 3], "segment"].eq("").all() and scored.loc[[0, 4], "segment"].ne("").all()

    report = upload(client, body, format="json").json()
    assert (report["rows_total"], report["rows_scored"], report["rows_failed"]) == (5, 2, 3)
    assert [(e["row"], e["column"]) for e in report["errors"]] == [
        (2, "age"),
        (3, "spending_score"),
        (4, "annual_income"),
        (4, "spending_score"),
    ]
    assert report["errors"][0]["value"] == "abc"
    assert [r["segment"] is None for r in report["results"]] == [False, True, True, True, False]
    assert [r["customer_id"] for r in report["results"]] == ["1", "2", "3", "4", "5"]
    assert report["columns"]["Annual Income (k$)"] == "annual_income"


def test_json_report_matches_csv(client: TestClient) -> None:
    body = (HEADER + "1,Male,27,42,63\n2,Female,38,71,24\n").encode()
    csv = pd.read_csv(io.BytesIO(upload(client, body).content))
    report = upload(client, body, format="json").json()
    assert [r["segment"] for r in report["results"]] == csv["segment"].tolist()


def test_pipeline_header_variants_are_accepted(client: TestClient) -> None:
    body = b"customer_id;sex;AGE;income;score\n1;f;27;42;63\n"
    answer = upload(client, body, format="json")
    assert answer.status_code == 200, answer.text
    assert answer.json()["rows_scored"] == 1


def test_existing_segment_columns_are_replaced(client: TestClient) -> None:
    first = upload(client, (HEADER + "1,Male,27,42,63\n").encode())
    again = upload(client, first.content)
    assert again.status_code == 200
    assert list(pd.read_csv(io.BytesIO(again.content)).columns) == list(pd.read_csv(io.BytesIO(first.content)).columns)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "is empty"),
        (b"   \n\n", "is empty"),
        (HEADER.encode(), "no data rows"),
        (b"\x00\x01\x02binary", "binary"),
        (b"Gender,Age,Annual Income (k$)\nMale,30,50\n", "has no 'spending_score' column"),
        (b"Age,age,Annual Income (k$),Spending Score (1-100)\n1,2,3,4\n", "both mean the same thing"),
        (HEADER.encode() + b"1,Male,27,42,63,9,9\n2,Female,38,71,24\n", "more fields than"),
        (HEADER.encode() + b'1,Male,"27,42,63\n2,Female,38,71,24\n', "not a well-formed CSV"),
    ],
    ids=[
        "empty",
        "blank",
        "header-only",
        "binary",
        "missing-column",
        "duplicate-meaning",
        "extra-fields",
        "open-quote",
    ],
)
def test_unusable_files_are_422(client: TestClient, body: bytes, message: str) -> None:
    answer = upload(client, body, name="x.csv")
    assert answer.status_code == 422, answer.text
    assert message in answer.json()["detail"]
    assert "/tmp" not in answer.json()["detail"]  # the server's temp path never leaks
    assert answer.json()["errors"][0]["field"] == "file"


def test_not_multipart_is_415(client: TestClient) -> None:
    answer = client.post("/predict/csv", content=HEADER.encode(), headers={"Content-Type": "text/csv"})
    assert answer.status_code == 415
    assert "multipart/form-data" in answer.json()["detail"]


def test_missing_file_field_is_422(client: TestClient) -> None:
    answer = client.post("/predict/csv", files={"other": ("a.csv", b"x")})
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "file"


def test_bad_format_is_422(client: TestClient) -> None:
    answer = upload(client, (HEADER + "1,Male,27,42,63\n").encode(), format="xml")
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "format"


def test_upload_size_and_rows_limits_are_413(trained_root: Path, make_settings: Callable[..., ApiSettings]) -> None:
    rows = "".join(f"{i},Female,40,60,50\n" for i in range(1, 201))
    body = (HEADER + rows).encode()
    with serve(make_settings(trained_root, max_upload_bytes=len(body) - 1)) as client:
        answer = upload(client, body)
        assert answer.status_code == 413
        assert "SEGMENTATION_MAX_UPLOAD_BYTES" in answer.json()["detail"]
    with serve(make_settings(trained_root, max_upload_bytes=len(body))) as client:
        assert upload(client, body).status_code == 200
        far_over = upload(client, body * 40)  # rejected by the body limit before it is read
        assert far_over.status_code == 413 and "SEGMENTATION_MAX_UPLOAD_BYTES" in far_over.json()["detail"]
    with serve(make_settings(trained_root, max_upload_rows=199)) as client:
        answer = upload(client, body)
        assert answer.status_code == 413
        assert "200 data rows" in answer.json()["detail"] and "SEGMENTATION_MAX_UPLOAD_ROWS" in answer.json()["detail"]


def test_time_budget_is_a_408(trained_root: Path, make_settings: Callable[..., ApiSettings]) -> None:
    rows = "".join(f"{i},Female,40,60,50\n" for i in range(1, 2001))
    with serve(make_settings(trained_root, request_time_budget_s=1e-6)) as client:
        answer = upload(client, (HEADER + rows).encode())
        assert answer.status_code == 408
        assert "SEGMENTATION_REQUEST_TIME_BUDGET_S" in answer.json()["detail"]
        batch = client.post(
            "/predict/batch",
            json={"customers": [{"gender": "F", "age": 3, "annual_income": 3, "spending_score": 3}]},
        )
        assert batch.status_code == 408


def test_gender_model_reports_unknown_genders(
    trained_gender: tuple[Path, RunResult], make_settings: Callable[..., ApiSettings]
) -> None:
    body = (HEADER + "1,Male,27,42,63\n2,robot,38,71,24\n3,,52,33,48\n4, f ,24,96,88\n").encode()
    with serve(make_settings(trained_gender[0])) as client:
        report = upload(client, body, format="json").json()
    assert report["rows_scored"] == 2
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(2, "gender"), (3, "gender")]
    assert "'robot' is not a recognised spelling" in report["errors"][0]["reason"]
    assert report["errors"][1]["reason"] == "gender is missing"


def test_an_absurd_customer_gets_no_confidence_in_every_route(client: TestClient) -> None:
    """Issue 13: income 1,000,000 is out of distribution: /predict reports no confidence (null, with the
    reason) instead of a tiny margin, and /predict/csv and /predict/batch carry the same flag."""
    absurd = {"gender": "Female", "age": 40, "annual_income": 1_000_000, "spending_score": 50}
    single = client.post("/predict", json=absurd).json()
    assert single["out_of_distribution"] is True and single["confidence"] is None
    assert "out of distribution" in single["confidence_note"]
    batch = client.post("/predict/batch", json={"customers": [absurd]}).json()["predictions"][0]
    assert batch["out_of_distribution"] is True and batch["confidence"] is None
    report = upload(client, (HEADER + "1,Female,40,1000000,50\n").encode(), format="json").json()
    row = report["results"][0]
    assert row["out_of_distribution"] is True and row["confidence"] is None
    assert row["margin"] == pytest.approx(single["margin"], abs=1e-4)
    normal = client.post("/predict", json={**absurd, "annual_income": 60}).json()
    assert normal["out_of_distribution"] is False and normal["confidence"] == normal["margin"]
