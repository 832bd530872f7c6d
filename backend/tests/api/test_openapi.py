"""The OpenAPI schema is a useful, stable reference: every route documented, typed and exemplified,
snake_case throughout, and the input schema tied to the pipeline's features."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from customer_segmentation.api.app import create_app
from customer_segmentation.api.settings import ApiSettings
from customer_segmentation.artifacts import load_pipeline_trusted

from .conftest import model_paths, serve

OPERATIONS = {
    ("get", "/health"): "get_health",
    ("get", "/clusters"): "list_clusters",
    ("get", "/clusters/{cluster_id}"): "get_cluster",
    ("post", "/predict"): "predict",
    ("post", "/predict/batch"): "predict_batch",
    ("post", "/predict/csv"): "predict_csv",
    ("post", "/predict/transactions"): "predict_transactions",
    ("get", "/customers"): "list_customers",
    ("get", "/customers/{customer_id}"): "get_customer",
    ("get", "/model"): "get_model_card",
    ("get", "/model/schema"): "get_model_schema",
    ("post", "/model/reload"): "reload_model",
    ("get", "/reports/summary"): "get_summary_report",
    ("get", "/reports/figures"): "list_figures",
    ("get", "/reports/figures/{name}"): "get_figure",
    ("get", "/runs"): "list_runs",
    ("get", "/runs/{version}/migration"): "get_run_migration",
    ("get", "/customers/{customer_id}/history"): "get_customer_history",
    ("patch", "/clusters/{cluster_id}"): "rename_cluster",
    ("get", "/customers.csv"): "export_customers",
    ("get", "/clusters/{cluster_id}/customers.csv"): "export_segment_customers",
    ("post", "/schema/infer"): "infer_schema",
    ("post", "/runs"): "start_run",
    ("get", "/runs/{run_id}"): "get_run",
    ("post", "/runs/{run_id}/publish"): "publish_run",
    ("delete", "/runs/{run_id}"): "discard_run",
}
SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
#: Keys that are data, not field names (gender categories in gender_mix examples, CSV headers …).
NON_FIELD_KEYS = {"Female", "Male", "Gender", "Age", "Annual Income (k$)", "Spending Score (1-100)"}


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    settings = ApiSettings(artifacts_root=tmp_path_factory.mktemp("none"), frontend_dir=Path("/nonexistent"))
    return create_app(settings).openapi()


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    return schema["components"]["schemas"][ref.split("/")[-1]] if ref else node


def test_every_route_is_documented_with_a_stable_operation_id(schema: dict[str, Any]) -> None:
    found = {(m, p): op["operationId"] for p, ops in schema["paths"].items() for m, op in ops.items()}
    assert found == OPERATIONS
    for (method, path), operation in ((k, schema["paths"][k[1]][k[0]]) for k in OPERATIONS):
        assert operation["summary"], path
        assert operation["tags"], path
        success = "202" if "202" in operation["responses"] else "200"  # POST /runs accepts, then trains
        ok = operation["responses"][success]["content"]
        assert ok, path
        json_body = ok.get("application/json")
        if json_body is not None:  # JSON answers have a response model with an example
            model = _resolve(schema, json_body["schema"])
            assert model.get("examples"), (method, path)
        else:
            assert set(ok) <= {"text/plain", "text/csv", "image/png"}, path
        for status, response in operation["responses"].items():
            if status != success:
                assert response["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorResponse")


def test_request_bodies_have_examples(schema: dict[str, Any]) -> None:
    predict = schema["paths"]["/predict"]["post"]["requestBody"]["content"]["application/json"]
    assert {"snake_case", "csv_headers"} <= set(predict["examples"])
    batch = schema["paths"]["/predict/batch"]["post"]["requestBody"]["content"]["application/json"]
    assert _resolve(schema, batch["schema"])["examples"]


def test_field_names_are_snake_case(schema: dict[str, Any]) -> None:
    for name, component in schema["components"]["schemas"].items():
        for field in component.get("properties", {}):
            assert SNAKE.match(field), f"{name}.{field}"


def test_no_default_validation_error_schema(schema: dict[str, Any]) -> None:
    """Our 422 body replaces FastAPI's, so the documented and actual shapes agree."""
    assert "HTTPValidationError" not in schema["components"]["schemas"]


def test_schema_is_deterministic(tmp_path: Path) -> None:
    a = create_app(ApiSettings(artifacts_root=tmp_path, frontend_dir=tmp_path / "a")).openapi()
    export = tmp_path / "out"
    export.mkdir()
    (export / "index.html").write_text("x")
    b = create_app(ApiSettings(artifacts_root=tmp_path / "other", frontend_dir=export, api_key="k")).openapi()
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def test_input_schema_covers_the_pipeline_features(
    trained_root: Path, trained_gender, make_settings: Callable[..., ApiSettings]
) -> None:
    """The fields /predict accepts (GET /model/schema) are exactly the columns the fitted pipeline
    reads (feature_names_in_): the API's input schema cannot drift from the model."""
    for root in (trained_root, trained_gender[0]):
        pipeline = load_pipeline_trusted(model_paths(root))
        with serve(make_settings(root)) as client:
            served = {f["name"] for f in client.get("/model/schema").json()["features"]}
        assert served == {str(c) for c in pipeline.named_steps["preprocess"].feature_names_in_}
