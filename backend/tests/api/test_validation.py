"""Every bad request is a 4xx JSON naming the field and the problem — never a 500."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from customer_segmentation.api.settings import ApiSettings
from customer_segmentation.schema import VALID_RANGES

from .conftest import serve

GOOD = {"gender": "Female", "age": 31, "annual_income": 87, "spending_score": 82}
JSON = {"Content-Type": "application/json"}


def with_(**changes: object) -> dict:
    body = {**GOOD, **changes}
    return {k: v for k, v in body.items() if v is not ...}


def _range_cases() -> Iterator[tuple[str, dict, str, str]]:
    for field, valid in VALID_RANGES.items():
        yield f"{field}-below", with_(**{field: valid.low - 1}), field, "greater than or equal"
        yield f"{field}-above", with_(**{field: valid.high + 1}), field, "less than or equal"


CASES: list[tuple[str, dict | list, str, str]] = [
    ("missing-age", with_(age=...), "age", "Field required"),
    ("missing-income", with_(annual_income=...), "annual_income", "Field required"),
    ("missing-spending", with_(spending_score=...), "spending_score", "Field required"),
    ("age-as-string", with_(age="31"), "age", "valid number"),
    ("age-as-bool", with_(age=True), "age", "valid number"),
    ("age-null", with_(age=None), "age", "valid number"),
    ("income-as-list", with_(annual_income=[1]), "annual_income", "valid number"),
    ("extra-field", with_(height=180), "height", "Extra inputs"),
    ("alias-and-name", with_(Age=30), "Age", "Extra inputs"),
    ("body-is-list", [GOOD], "body", "valid dictionary"),
    *_range_cases(),
]


@pytest.mark.parametrize(("body", "field", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_customer_is_a_422_naming_the_field(client: TestClient, body: dict, field: str, message: str) -> None:
    answer = client.post("/predict", json=body)
    assert answer.status_code == 422, answer.text
    payload = answer.json()
    assert any(e["field"] == field and message in e["message"] for e in payload["errors"]), payload
    assert field in payload["detail"]


GENDER_CASES: list[tuple[str, dict, str, str]] = [
    ("missing-gender", with_(gender=...), "gender", "Field required"),
    ("gender-as-number", with_(gender=1), "gender", "unknown gender '1'"),
    ("gender-as-list", with_(gender=["F"]), "gender", "unknown gender"),
    ("unknown-gender", with_(gender="robot"), "gender", "unknown gender 'robot'"),
    ("empty-gender", with_(gender=""), "gender", "unknown gender"),
]


@pytest.mark.parametrize(("body", "field", "message"), [c[1:] for c in GENDER_CASES], ids=[c[0] for c in GENDER_CASES])
def test_gender_model_needs_a_known_gender(
    trained_gender: tuple[Path, object], make_settings: Callable[..., ApiSettings], body: dict, field: str, message: str
) -> None:
    with serve(make_settings(trained_gender[0])) as client:
        answer = client.post("/predict", json=body)
    assert answer.status_code == 422, answer.text
    assert any(e["field"] == field and message in e["message"] for e in answer.json()["errors"]), answer.text


@pytest.mark.parametrize("gender", [..., "Other", "", 7])
def test_fields_the_model_does_not_use_are_optional(client: TestClient, gender: object) -> None:
    """The default model does not cluster gender: /predict scores without it (as /predict/csv does)."""
    answer = client.post("/predict", json=with_(gender=gender))
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_non_finite_numbers_are_rejected(client: TestClient, token: str) -> None:
    raw = f'{{"gender": "Female", "age": {token}, "annual_income": 87, "spending_score": 82}}'
    answer = client.post("/predict", content=raw, headers=JSON)
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["field"] == "age"
    assert "finite" in answer.json()["errors"][0]["message"]


@pytest.mark.parametrize("raw", ['{"gender": "Female", "age": 3', "{bad json}", "\x00\x01", "   "])
def test_malformed_json_is_a_400(client: TestClient, raw: str) -> None:
    answer = client.post("/predict", content=raw.encode(), headers=JSON)
    assert answer.status_code in (400, 422), answer.text
    if raw.strip():
        assert answer.status_code == 400
        assert answer.json()["detail"].startswith("malformed JSON")


def test_empty_body_is_a_422(client: TestClient) -> None:
    answer = client.post("/predict", headers=JSON)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["type"] == "missing"


@pytest.mark.parametrize(
    "content_type", [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
)
def test_wrong_content_type_is_a_415(client: TestClient, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    for path in ("/predict", "/predict/batch"):
        answer = client.post(path, content=b'{"gender": "Female"}', headers=headers)
        assert answer.status_code == 415, (path, answer.text)
        assert "application/json" in answer.json()["detail"]


def test_json_with_charset_and_vendor_types_is_accepted(client: TestClient) -> None:
    import json

    for content_type in ("application/json; charset=utf-8", "application/vnd.api+json"):
        answer = client.post("/predict", content=json.dumps(GOOD), headers={"Content-Type": content_type})
        assert answer.status_code == 200, answer.text


def test_batch_errors_name_the_item(client: TestClient) -> None:
    answer = client.post("/predict/batch", json={"customers": [GOOD, with_(age=-3), with_(spending_score=500)]})
    assert answer.status_code == 422
    fields = {e["field"] for e in answer.json()["errors"]}
    assert fields == {"customers[1].age", "customers[2].spending_score"}


@pytest.mark.parametrize(
    ("body", "field"),
    [({"customers": []}, "customers"), ({}, "customers"), ({"customers": GOOD}, "customers"), ([GOOD], "body")],
    ids=["empty", "missing", "not-a-list", "bare-list"],
)
def test_bad_batches_are_422(client: TestClient, body: object, field: str) -> None:
    answer = client.post("/predict/batch", json=body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["field"] == field


def test_oversized_body_is_a_413(trained_root: Path, make_settings: Callable[..., ApiSettings]) -> None:
    with serve(make_settings(trained_root, max_body_bytes=2048)) as client:
        customers = {"customers": [GOOD] * 100}  # ≈ 7 KB
        declared = client.post("/predict/batch", json=customers)
        assert declared.status_code == 413
        assert "SEGMENTATION_MAX_BODY_BYTES" in declared.json()["detail"]

        def chunks() -> Iterator[bytes]:  # no Content-Length: the limit must hold while streaming
            yield b'{"customers": ['
            for _ in range(100):
                yield b'{"gender": "Female", "age": 31, "annual_income": 87, "spending_score": 82},'
            yield b"]}"

        streamed = client.post("/predict/batch", content=chunks(), headers=JSON)
        assert streamed.status_code == 413, streamed.text
        assert "SEGMENTATION_MAX_BODY_BYTES" in streamed.json()["detail"]
        assert client.post("/predict", json=GOOD).status_code == 200  # small bodies still pass


@pytest.mark.parametrize(
    ("path", "field"),
    [("/clusters/-1", "cluster_id"), ("/clusters/abc", "cluster_id"), ("/clusters/99999", "cluster_id")],
)
def test_bad_path_parameters_are_422(client: TestClient, path: str, field: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == field


def test_unknown_route_and_method_are_json(client: TestClient) -> None:
    missing = client.get("/no-such-thing")
    assert missing.status_code == 404 and missing.json()["detail"]
    wrong_method = client.get("/predict")
    assert wrong_method.status_code == 405 and wrong_method.json()["detail"]


def test_a_real_bug_is_a_logged_json_500(api_settings: ApiSettings, caplog: pytest.LogCaptureFixture) -> None:
    from customer_segmentation.api import dependencies
    from customer_segmentation.api.app import create_app

    app = create_app(api_settings)

    def broken() -> None:
        raise RuntimeError("boom: a bug")

    app.dependency_overrides[dependencies.get_bundle] = broken
    with TestClient(app, raise_server_exceptions=False) as client, caplog.at_level("ERROR"):
        answer = client.get("/clusters")
    assert answer.status_code == 500
    assert answer.json() == {"detail": "internal server error; it has been logged", "errors": []}
    assert "boom" not in answer.text
    assert any("unhandled error" in r.getMessage() and r.exc_info for r in caplog.records)
