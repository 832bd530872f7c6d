"""The smaller API defects of issue 14: ids, HEAD, security headers, key guessing, paths in answers,
links out of the artifacts root, undecodable bodies, and the unpickler's reach."""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from api.conftest import model_paths, serve
from fastapi.testclient import TestClient

from customer_segmentation import artifacts
from customer_segmentation.api.services.customer_ids import id_problem, id_text
from customer_segmentation.api.settings import ApiSettings
from customer_segmentation.config import PROJECT_ROOT
from customer_segmentation.publish import CURRENT, runs_dir

CUSTOMER = {"gender": "Female", "age": 31, "annual_income": 87, "spending_score": 82}
JSON = {"content-type": "application/json"}
GET_ROUTES = ["/health", "/clusters", "/clusters/0", "/customers", "/model", "/reports/summary", "/openapi.json"]


# -- customer ids -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("C-17", None),
        (10**17, None),
        (10.0, None),
        (-(10**18 - 1), None),
        (10**18, "id_too_long"),
        (int("1" * 4000), "id_too_long"),
        (1e308, "id_too_long"),
        ("x" * 65, "id_too_long"),
        ("", "id_too_long"),
        (1.5, "id_type"),
        (True, "id_type"),
        ([1], "id_type"),
    ],
)
def test_the_customer_id_rule(value: object, problem: str | None) -> None:
    found = id_problem(value)
    assert (found[1] if found else None) == problem
    if found is None and value is not None:
        assert len(id_text(value) or "") <= 64


@pytest.mark.parametrize("raw", ["1" * 19, "1" * 4000, "1e308", "-1" + "0" * 18])
def test_an_integer_customer_id_is_capped_like_a_string_one(client: TestClient, raw: str) -> None:
    body = '{"gender": "Female", "age": 31, "annual_income": 87, "spending_score": 82, "customer_id": ' + raw + "}"
    answer = client.post("/predict", content=body.encode(), headers=JSON)
    assert answer.status_code == 422, answer.text[:300]
    assert any(e["field"].endswith("customer_id") for e in answer.json()["errors"])
    assert len(answer.content) < 4000  # the id is not echoed back


def test_an_ordinary_integer_id_is_still_echoed(client: TestClient) -> None:
    answer = client.post("/predict", json={**CUSTOMER, "customer_id": 10**17})
    assert answer.status_code == 200 and answer.json()["customer_id"] == str(10**17)


# -- HEAD ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", [*GET_ROUTES, "/docs"])
def test_head_works_wherever_get_does(client: TestClient, path: str) -> None:
    get = client.get(path)
    head = client.head(path)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]


def test_head_on_a_post_only_route_is_still_405(client: TestClient) -> None:
    answer = client.head("/predict")
    assert answer.status_code == 405 and "POST" in answer.headers["allow"]


# -- security headers ----------------------------------------------------------------------------
def _assert_security_headers(headers: dict[str, str] | object) -> str:
    get = headers.get  # type: ignore[attr-defined]
    assert get("x-content-type-options") == "nosniff"
    assert get("x-frame-options") == "DENY"
    assert get("referrer-policy") == "no-referrer"
    policy = str(get("content-security-policy"))
    assert "frame-ancestors 'none'" in policy
    return policy


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/health", 200), ("GET", "/clusters/99", 404), ("POST", "/predict", 415), ("GET", "/nowhere", 404)],
)
def test_api_answers_carry_security_headers(client: TestClient, method: str, path: str, status: int) -> None:
    answer = client.request(method, path)
    assert answer.status_code == status
    assert "default-src 'none'" in _assert_security_headers(answer.headers)


def test_a_413_from_the_body_limit_carries_them_too(client: TestClient) -> None:
    answer = client.post("/predict", content=b"x" * (5 * 1024 * 1024), headers=JSON)
    assert answer.status_code == 413
    _assert_security_headers(answer.headers)


def test_the_dashboard_gets_a_policy_that_allows_exactly_its_inline_scripts(
    trained_root: Path, make_settings: Callable[..., ApiSettings], tmp_path: Path
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    inline = "self.__next_f=self.__next_f||[]"
    (site / "index.html").write_text(f'<html><script src="/a.js"></script><script>{inline}</script></html>')
    (site / "a.js").write_text("console.log(1)")
    with serve(make_settings(trained_root, frontend_dir=site)) as client:
        page = client.get("/")
        script = client.get("/a.js")
    policy = _assert_security_headers(page.headers)
    import base64
    import hashlib

    digest = base64.b64encode(hashlib.sha256(inline.encode()).digest()).decode()
    assert f"script-src 'self' 'sha256-{digest}';" in policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert "unsafe-eval" not in policy
    _assert_security_headers(script.headers)


# -- API-key guessing ----------------------------------------------------------------------------
def test_wrong_api_keys_are_rate_limited_per_client(
    trained_root: Path, make_settings: Callable[..., ApiSettings]
) -> None:
    settings = make_settings(trained_root, api_key="right-key", api_key_max_failures=10, api_key_failure_window_s=1.5)
    with serve(settings) as client:
        codes = [client.post("/model/reload", headers={"X-API-Key": f"guess-{i}"}).status_code for i in range(10)]
        assert codes == [401] * 10
        blocked = client.post("/model/reload", headers={"X-API-Key": "right-key"})
        assert blocked.status_code == 429
        assert 1 <= int(blocked.headers["retry-after"]) <= 2
        assert "too many wrong API keys" in blocked.json()["detail"]
        time.sleep(1.6)
        assert client.post("/model/reload", headers={"X-API-Key": "right-key"}).status_code == 200


def test_the_right_key_is_never_counted(trained_root: Path, make_settings: Callable[..., ApiSettings]) -> None:
    settings = make_settings(trained_root, api_key="right-key", api_key_max_failures=2)
    with serve(settings) as client:
        codes = [client.post("/model/reload", headers={"X-API-Key": "right-key"}).status_code for _ in range(5)]
    assert codes == [200] * 5


# -- no server paths in answers ------------------------------------------------------------------
def _no_absolute_paths(text: str, *paths: Path) -> None:
    for path in paths:
        assert str(path) not in text, text
    assert not re.search(r"(?<![\w:/])/(tmp|home|work|root|srv|var)/", text), text


def test_health_and_503_show_no_filesystem_paths(
    tmp_path: Path, make_settings: Callable[..., ApiSettings], caplog: pytest.LogCaptureFixture
) -> None:
    empty = tmp_path / "empty-artifacts"
    empty.mkdir()
    with caplog.at_level("ERROR"), serve(make_settings(empty)) as client:
        health = client.get("/health")
        unavailable = client.get("/clusters")
    assert health.json()["problem"] and "model_card.json" in health.json()["problem"]
    _no_absolute_paths(health.text, empty, PROJECT_ROOT)
    assert unavailable.status_code == 503
    _no_absolute_paths(unavailable.text, empty, PROJECT_ROOT)
    assert str(empty) in caplog.text  # …the log keeps the full path


def test_a_refused_reload_shows_no_filesystem_paths(
    artifacts_copy: Path, make_settings: Callable[..., ApiSettings]
) -> None:
    with serve(make_settings(artifacts_copy, api_key="k")) as client:
        model_paths(artifacts_copy).model.write_bytes(b"tampered")
        refused = client.post("/model/reload", headers={"X-API-Key": "k"})
        health = client.get("/health")
    assert refused.status_code == 409
    _no_absolute_paths(refused.text, artifacts_copy)
    _no_absolute_paths(health.text, artifacts_copy)


def test_the_reproduce_line_names_the_data_file_not_its_absolute_path(client: TestClient, mall_csv: Path) -> None:
    reproduce = client.get("/model").json()["reproduce"]
    summary = client.get("/reports/summary").text
    assert str(mall_csv) not in reproduce and str(mall_csv) not in summary
    expected = str(mall_csv.relative_to(PROJECT_ROOT)) if mall_csv.is_relative_to(PROJECT_ROOT) else mall_csv.name
    assert f"--data {expected}" in reproduce
    assert f"--data {expected}" in summary


# -- links out of the artifacts root -------------------------------------------------------------
def test_a_current_link_out_of_the_artifacts_root_is_refused(
    artifacts_copy: Path, tmp_path: Path, make_settings: Callable[..., ApiSettings]
) -> None:
    outside = tmp_path / "elsewhere"
    shutil.copytree(model_paths(artifacts_copy).root, outside)
    link = runs_dir(artifacts_copy) / CURRENT
    link.unlink()
    os.symlink(outside, link)
    with serve(make_settings(artifacts_copy)) as client:
        health = client.get("/health").json()
        clusters = client.get("/clusters")
    assert health["status"] == "no_model" and "outside" in health["problem"]
    assert clusters.status_code == 503


def test_a_served_file_linking_out_of_the_run_is_refused(
    artifacts_copy: Path, tmp_path: Path, make_settings: Callable[..., ApiSettings]
) -> None:
    card = model_paths(artifacts_copy).model_card
    outside = tmp_path / "card.json"
    shutil.copy(card, outside)
    card.unlink()
    os.symlink(outside, card)
    with serve(make_settings(artifacts_copy)) as client:
        health = client.get("/health").json()
    assert health["status"] == "no_model" and "outside" in health["problem"]


# -- bodies that cannot be decoded ---------------------------------------------------------------
@pytest.mark.parametrize("route", ["/predict", "/predict/batch"])
def test_a_non_utf8_body_is_a_400_naming_the_body(client: TestClient, route: str) -> None:
    answer = client.post(route, content=b'{"gender": "F\xff\xfe"}', headers=JSON)
    assert answer.status_code == 400
    body = answer.json()
    assert body["errors"] and body["errors"][0]["field"] == "body"
    assert "UTF-8" in body["detail"]


@pytest.mark.parametrize("route", ["/predict", "/predict/batch"])
def test_an_integer_of_5000_digits_is_a_4xx_naming_the_body_or_field(client: TestClient, route: str) -> None:
    customer = '{"gender": "Female", "age": ' + "9" * 5000 + ', "annual_income": 87, "spending_score": 82}'
    body = customer if route == "/predict" else '{"customers": [' + customer + "]}"
    answer = client.post(route, content=body.encode(), headers=JSON)
    assert answer.status_code in (400, 422)
    fields = [e["field"] for e in answer.json()["errors"]]
    assert fields and (fields[0] == "body" or fields[0].endswith("age")), fields
    assert "digits" in answer.json()["detail"] or "age" in answer.json()["detail"]


# -- the unpickler is for trusted callers only ---------------------------------------------------
def test_the_unpickling_loader_is_named_for_trusted_callers_and_unreachable_from_api_and_notebooks() -> None:
    assert hasattr(artifacts, "load_pipeline_trusted") and not hasattr(artifacts, "load_pipeline")
    package = Path(artifacts.__file__).parent
    sources = [*(package / "api").rglob("*.py"), *(package / "explore").rglob("*.py")]
    sources += list((PROJECT_ROOT / "backend" / "notebooks").glob("*.ipynb"))
    unpickling = re.compile(r"load_pipeline|joblib\.load|pickle\.loads?\(|^\s*(import|from) (pickle|joblib)\b", re.M)
    offenders = [str(p) for p in sources if unpickling.search(p.read_text())]
    assert offenders == []


def test_the_openapi_schema_is_valid_json_and_docs_are_local(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert "429" in json.dumps(schema["paths"]["/model/reload"]["post"]["responses"])
    page = client.get("/docs").text
    assert "cdn" not in page.lower() and "https://" not in page
    for asset in re.findall(r'(?:src|href)="(/docs/assets/[^"]+)"', page):
        assert client.get(asset).status_code == 200
    assert client.get("/redoc").status_code == 404
