"""Requests that cost more than they weigh (issue 14): every limit is checked before the expensive
step, error reports are capped, and the processing budget starts when the body has arrived."""

from __future__ import annotations

import io
import json
import random
import socket
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd
import pytest
from api.conftest import CORPUS, serve
from api.live_server import live_server
from fastapi.testclient import TestClient

from customer_segmentation.api.services import json_body
from customer_segmentation.api.services.limits import MAX_CUSTOMER_BYTES, MAX_REPORTED_ERRORS
from customer_segmentation.api.settings import ApiSettings

GOOD = {"gender": "Female", "age": 31, "annual_income": 87, "spending_score": 82}
JSON = {"content-type": "application/json"}
MIB = 1024 * 1024
HEADER = "CustomerID,Gender,Age,Annual Income (k$),Spending Score (1-100)\n"


def batch_of(items: list[bytes]) -> bytes:
    return b'{"customers": [' + b",".join(items) + b"]}"


# -- counting a batch from its bytes -------------------------------------------------------------
TRICKY = ['q"u\\"o,[t]e{', "x\\\\", '\\\\\\"]', "", "é€😀", "\\", '"', "a,b]", '"[{']


@pytest.mark.parametrize("seed", range(40))
def test_the_sliced_parse_equals_json_loads(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Strings full of quotes, backslashes, brackets and commas; any layout; several slices."""
    monkeypatch.setattr(json_body, "DIRECT_BYTES", 0)
    monkeypatch.setattr(json_body, "CHUNK_BYTES", 256)
    rng = random.Random(seed)
    customers = [
        {"gender": rng.choice(TRICKY), "age": rng.randint(1, 90), "customer_id": rng.choice([None, 5, *TRICKY])}
        for _ in range(rng.randint(0, 120))
    ]
    document = {"customers": customers}
    body = json.dumps(document, indent=rng.choice([None, 1]), ensure_ascii=rng.choice([True, False])).encode()
    parsed = json_body.parse_items(body, item_name="customers", max_items=1000, max_item_bytes=10_000, setting="S")
    assert parsed == document


@pytest.mark.parametrize(
    ("body", "error", "field"),
    [
        (b'{"customers": [' + b"[]," * 200_000 + b"[]]}", json_body.TooManyItems, "customers"),
        (b'{"customers": [{"a": [[[1]]]}]}' + b" " * 70_000, json_body.BadShape, "customers[0]"),
        (b'{"customers": [1], "other": [2]}' + b" " * 70_000, json_body.BadShape, "body"),
        (b'[{"customers": [1]}]' + b" " * 70_000, json_body.BadShape, "body"),
        (b'{"customers": ["' + b"x" * 70_000 + b'"]}', json_body.TooManyItems, "customers[0]"),
        (b'{"customers": [1, 2' + b" " * 70_000, json_body.BadJson, "body"),
    ],
    ids=["too-many", "too-deep", "two-lists", "not-an-object", "item-too-large", "unbalanced"],
)
def test_shape_problems_are_found_before_parsing(body: bytes, error: type, field: str) -> None:
    with pytest.raises(error) as caught:
        json_body.parse_items(
            body, item_name="customers", max_items=10_000, max_item_bytes=MAX_CUSTOMER_BYTES, setting="S"
        )
    assert caught.value.field == field


# -- /predict/batch ------------------------------------------------------------------------------
@pytest.mark.timeout(60)
def test_200000_empty_objects_are_refused_by_count_at_once(client: TestClient) -> None:
    body = batch_of([b"{}"] * 200_000)  # 0.6 MB: 146 s and a 67 MB 422 before
    started = time.perf_counter()
    answer = client.post("/predict/batch", content=body, headers=JSON)
    elapsed = time.perf_counter() - started
    assert answer.status_code == 413, answer.text[:300]
    assert "200,000 customers" in answer.json()["detail"] and "SEGMENTATION_MAX_BATCH_SIZE" in answer.json()["detail"]
    assert answer.json()["errors"][0]["field"] == "customers"
    assert elapsed < 3 and len(answer.content) < 1000


@pytest.mark.timeout(60)
def test_four_mib_of_nested_lists_is_refused_by_count_at_once(client: TestClient) -> None:
    body = b'{"customers": [' + b"[]," * (4 * MIB // 3 - 10) + b"[]]}"
    started = time.perf_counter()
    answer = client.post("/predict/batch", content=body, headers=JSON)
    assert answer.status_code == 413 and time.perf_counter() - started < 3


@pytest.mark.timeout(60)
def test_a_full_batch_of_invalid_customers_gets_a_capped_report(client: TestClient) -> None:
    answer = client.post("/predict/batch", content=batch_of([b"{}"] * 10_000), headers=JSON)
    assert answer.status_code == 422
    body = answer.json()
    errors = body["errors"]
    assert len(errors) == MAX_REPORTED_ERRORS + 1
    assert errors[0]["field"].startswith("customers[0].")
    assert errors[-1]["type"] == "errors_truncated" and "more errors not listed" in errors[-1]["message"]
    total = MAX_REPORTED_ERRORS + int(errors[-1]["message"].split()[0].replace(",", ""))
    assert total >= 10_000  # every customer lacks its features
    assert len(answer.content) < 64 * 1024


def test_a_large_batch_is_scored_exactly_like_small_ones(client: TestClient) -> None:
    rng = random.Random(7)
    customers = [
        {
            "gender": rng.choice(["Female", "Male"]),
            "age": rng.randint(18, 70),
            "annual_income": rng.randint(15, 137),
            "spending_score": rng.randint(1, 99),
            "customer_id": f'c-{i} "quoted", [bracketed]',
        }
        for i in range(2_000)
    ]
    whole = client.post("/predict/batch", content=json.dumps({"customers": customers}).encode(), headers=JSON)
    assert whole.status_code == 200, whole.text[:300]
    assert len(json.dumps({"customers": customers})) > json_body.DIRECT_BYTES  # the sliced path
    pieces = []
    for start in range(0, len(customers), 200):
        part = client.post("/predict/batch", json={"customers": customers[start : start + 200]})
        pieces += part.json()["predictions"]
    assert whole.json()["predictions"] == pieces and whole.json()["count"] == 2_000


def test_malformed_json_in_a_large_batch_is_a_400(client: TestClient) -> None:
    body = batch_of([json.dumps(GOOD).encode()] * 2_000).replace(b'"age": 31', b'"age": 31,,', 1)
    answer = client.post("/predict/batch", content=body, headers=JSON)
    assert answer.status_code == 400 and answer.json()["errors"][0]["type"] == "json_invalid"


def test_one_customer_is_read_only_up_to_its_own_size(client: TestClient) -> None:
    answer = client.post("/predict", content=b"[" * 70_000 + b"]" * 70_000, headers=JSON)
    assert answer.status_code == 413 and "/predict/batch" in answer.json()["detail"]


# -- /predict/csv --------------------------------------------------------------------------------
def upload(client: TestClient, body: bytes, **params: str):  # type: ignore[no-untyped-def]
    return client.post("/predict/csv", params=params, files={"file": ("x.csv", body, "text/csv")})


@pytest.mark.timeout(60)
def test_100000_columns_are_refused_before_parsing(client: TestClient) -> None:
    header = HEADER.strip() + "".join(f",extra_{i}" for i in range(100_000)) + "\n"
    body = (header + "1,Male,27,42,63" + ",0" * 100_000 + "\n").encode()
    started = time.perf_counter()
    answer = upload(client, body)
    assert answer.status_code == 413, answer.text[:300]
    assert "100,005 columns" in answer.json()["detail"] and "SEGMENTATION_MAX_UPLOAD_COLUMNS" in answer.json()["detail"]
    assert time.perf_counter() - started < 3  # 408 after 15–20 s before


def test_a_wide_file_under_a_raised_column_limit_is_scored(
    trained_root: Path, make_settings: Callable[..., ApiSettings]
) -> None:
    with serve(make_settings(trained_root, max_upload_columns=2_000)) as client:
        answer = upload(client, (CORPUS / "very_wide.csv").read_bytes())
    assert answer.status_code == 200
    assert "extra_1499" in pd.read_csv(io.BytesIO(answer.content), dtype=str).columns


def test_rows_are_counted_as_lines_before_parsing(
    trained_root: Path, make_settings: Callable[..., ApiSettings]
) -> None:
    body = (HEADER + "1,Male,27,42,63\n" * 5_000).encode()
    with serve(make_settings(trained_root, max_upload_rows=1_000)) as client:
        answer = upload(client, body)
    assert answer.status_code == 413 and "5,000 data rows" in answer.json()["detail"]


def test_the_json_report_lists_the_first_errors_and_counts_all(client: TestClient) -> None:
    rows = "".join(f"{i},Male,abc,xyz,63\n" for i in range(1, 301))  # two problems per row
    answer = upload(client, (HEADER + rows).encode(), format="json")
    assert answer.status_code == 200
    report = answer.json()
    assert len(report["errors"]) == MAX_REPORTED_ERRORS
    assert int(answer.headers["x-errors-total"]) == 600
    assert report["rows_failed"] == 300 and len(report["results"]) == 300
    assert all("age 'abc'" in r["error"] and "annual_income 'xyz'" in r["error"] for r in report["results"])
    assert [r["row"] for r in report["results"]] == list(range(1, 301))


# -- the body's arrival is not the server's time -------------------------------------------------
def raw_post(base: str, path: str, body: bytes, content_type: str, seconds: float, pieces: int) -> tuple[int, bytes]:
    """POST ``body`` over a plain socket in ``pieces`` spread over ``seconds`` (a slow client)."""
    url = urlparse(base)
    with socket.create_connection((url.hostname, url.port), timeout=60) as sock:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {url.hostname}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        )
        sock.sendall(head.encode())
        step = max(len(body) // pieces, 1)
        for start in range(0, len(body), step):
            try:
                sock.sendall(body[start : start + step])
            except (BrokenPipeError, ConnectionResetError):  # the server answered early and closed
                break
            time.sleep(seconds / pieces)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    status = int(answer.split(b" ", 2)[1])
    return status, answer.split(b"\r\n\r\n", 1)[1]


def multipart(content: bytes) -> tuple[bytes, str]:
    boundary = "hardening-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="slow.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.mark.slow
def test_a_slow_small_upload_is_not_charged_to_the_processing_budget(trained_root: Path) -> None:
    """300 bytes sent over 12 s, with the default 10 s budget: 200, not 408."""
    body, content_type = multipart((HEADER + "1,Male,27,42,63\n" * 14).encode()[:300].rsplit(b"\n", 1)[0] + b"\n")
    with live_server(trained_root) as base:
        status, answer = raw_post(base, "/predict/csv?format=json", body, content_type, seconds=12, pieces=12)
    assert status == 200, answer[:300]
    assert json.loads(answer)["rows_scored"] >= 10


def test_a_client_that_stalls_its_upload_gets_a_408_naming_the_read_timeout(trained_root: Path) -> None:
    body, content_type = multipart((HEADER + "1,Male,27,42,63\n").encode())
    with live_server(trained_root, SEGMENTATION_BODY_READ_TIMEOUT_S="1") as base:
        status, answer = raw_post(base, "/predict/csv", body, content_type, seconds=3, pieces=2)
    assert status == 408
    assert "SEGMENTATION_BODY_READ_TIMEOUT_S" in json.loads(answer)["detail"]
