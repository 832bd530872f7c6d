"""POST /schema/infer: the CLI's --infer-schema classification as JSON, for a customer table or an
order-line export, within the upload limits of /predict/csv."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from customer_segmentation.api.settings import ApiSettings
from customer_segmentation.data.load import read_all_columns
from customer_segmentation.schema_inference import guess_column
from customer_segmentation.synth_tables import write_marketing_csv
from customer_segmentation.transactions.synth import write_transactions

from .conftest import serve


def infer(client: TestClient, path: Path, **params: str) -> dict:
    answer = client.post("/schema/infer", files={"file": (path.name, path.read_bytes(), "text/csv")}, params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def assert_matches_the_cli(draft: dict, path: Path) -> None:
    """Every column's role, transform and reason are schema_inference.guess_column's."""
    frame = read_all_columns(path)
    guesses = [guess_column(str(h), frame[h], len(frame)) for h in frame.columns]
    assert [c["header"] for c in draft["columns"]] == [g.header for g in guesses]
    for column, guess in zip(draft["columns"], guesses, strict=True):
        assert column["name"] == guess.name
        if guess.role == "id" and column["role"] == "left_out":  # a second id candidate
            assert guess.note in column["reason"] and "second id candidate" in column["reason"]
            continue
        assert column["reason"] == guess.note
        assert column["role"] == {"numeric": "feature", "categorical": "feature"}.get(guess.role, guess.role)
        if guess.role in ("numeric", "categorical"):
            assert column["kind"] == guess.role
        assert column["transform"] == (guess.transform if guess.role == "numeric" else None)
    assert draft["rows"] == len(frame)


def test_wholesale_table(client: TestClient, wholesale_csv: Path) -> None:
    draft = infer(client, wholesale_csv)
    assert_matches_the_cli(draft, wholesale_csv)
    assert draft["input_kind"] == "customers" and draft["rows"] == 440
    assert draft["id_column"] is None and draft["id_candidates"] == []
    assert draft["categorical"] == ["channel", "region"]
    spend = ["fresh", "milk", "grocery", "frozen", "detergents_paper", "delicassen"]
    assert draft["features"] == ["channel", "region", *spend]
    assert draft["transforms"] == dict.fromkeys(spend, "log1p")  # all six are heavily skewed
    assert draft["left_out"] == [] and draft["transaction_columns"] is None
    assert any("row_id" in note for note in draft["notes"])


def test_marketing_table(client: TestClient, tmp_path: Path) -> None:
    path = write_marketing_csv(tmp_path / "marketing_campaign.csv")
    frame = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    days = pd.date_range("2013-01-01", periods=len(frame), freq="D").strftime("%Y-%m-%d")
    frame.assign(Dt_Customer=days, Z_CostContact="3").to_csv(path, sep="\t", index=False)
    draft = infer(client, path)
    assert_matches_the_cli(draft, path)
    roles = {c["header"]: c["role"] for c in draft["columns"]}
    assert draft["id_column"] == "id" and roles["ID"] == "id"
    assert roles["Year_Birth"] == "describe" and draft["describe"] == ["year_birth"]
    assert roles["Dt_Customer"] == "left_out"
    left_out = {c["header"]: c["reason"] for c in draft["left_out"]}
    assert "dates" in left_out["Dt_Customer"] and "constant" in left_out["Z_CostContact"]
    assert {"education", "marital_status"} <= set(draft["categorical"])
    assert "income" in draft["features"]


def test_order_lines_get_the_rfm_draft(client: TestClient, tmp_path: Path) -> None:
    path = write_transactions(tmp_path / "orders.csv", lines=3_000, seed=1)
    draft = infer(client, path)
    assert draft["input_kind"] == "transactions"
    assert draft["features"] == ["recency_days", "frequency", "monetary"]
    assert draft["describe"] == ["tenure_days", "avg_order_value"]
    assert draft["transforms"] == {"recency_days": "none", "frequency": "log1p", "monetary": "log1p"}
    assert draft["id_column"] == "customer_id" and draft["categorical"] == []
    assert set(draft["transaction_columns"]) >= {"customer", "date"}
    assert all(c["reason"].startswith("derived: ") for c in draft["columns"] if c["role"] != "id")
    # Told to read it as a customer table, the same file is classified column by column.
    as_table = infer(client, path, input_kind="customers")
    assert as_table["input_kind"] == "customers" and as_table["transaction_columns"] is None


def test_a_customer_table_with_dates_and_money_is_not_order_lines(client: TestClient, tmp_path: Path) -> None:
    """Customer, date and amount headers, but one row per customer: a customer table."""
    path = tmp_path / "crm.csv"
    pd.DataFrame(
        {"CustomerID": range(1, 41), "Date": ["2024-01-02"] * 40, "Amount": [float(i % 7) for i in range(40)]}
    ).to_csv(path, index=False)
    assert infer(client, path)["input_kind"] == "customers"


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        (b"", 422, "is empty"),
        (b"a,b\n", 422, "no data rows"),
        (b"\x00\x01\x02binary\x00", 422, "upload.csv"),
    ],
)
def test_unusable_uploads_are_4xx(client: TestClient, body: bytes, status: int, words: str) -> None:
    answer = client.post("/schema/infer", files={"file": ("upload.csv", body, "text/csv")})
    assert answer.status_code == status, answer.text
    assert words in answer.json()["detail"]
    assert "/tmp" not in answer.json()["detail"]  # the private copy's path is never shown


def test_not_multipart_is_415(client: TestClient) -> None:
    assert client.post("/schema/infer", json={"file": "x"}).status_code == 415


def test_upload_limits_are_those_of_predict_csv(trained_root: Path, make_settings: Callable[..., ApiSettings]) -> None:
    settings = make_settings(trained_root, max_upload_bytes=2_000, max_upload_rows=50, max_upload_columns=5)
    with serve(settings) as client:
        big = b"a,b\n" + b"1,2\n" * 600
        too_many_rows = b"a,b\n" + b"1,2\n" * 60
        too_wide = b"a,b,c,d,e,f\n1,2,3,4,5,6\n"
        for body, setting in (
            (big, "SEGMENTATION_MAX_UPLOAD_BYTES"),
            (too_many_rows, "SEGMENTATION_MAX_UPLOAD_ROWS"),
            (too_wide, "SEGMENTATION_MAX_UPLOAD_COLUMNS"),
        ):
            for path in ("/schema/infer", "/predict/csv"):
                answer = client.post(path, files={"file": ("x.csv", body, "text/csv")})
                assert answer.status_code == 413, (path, answer.text)
                assert setting in answer.json()["detail"]
