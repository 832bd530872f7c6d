"""Property-based fuzzing of the whole API from its OpenAPI schema (schemathesis).

Every operation gets generated requests — valid ones and deliberately invalid ones (wrong types,
missing fields, out-of-range values, odd headers). Each response must be below 500 and match the
schema: status code documented, content type, headers and body as declared.

The schema is loaded at import time from an app whose model is swapped in by a fixture:
schemathesis 4.32's ``pytest.from_fixture`` does not work with pytest 9 (it sets ``Node._nodeid``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from customer_segmentation.api.app import create_app
from customer_segmentation.api.services.model_store import ModelStore
from customer_segmentation.api.services.run_store import RunStore
from customer_segmentation.api.settings import ApiSettings

EXAMPLES_PER_OPERATION = 60
COUNTS: dict[str, int] = {}
# Wrong keys from the one test client add up over every key-guarded operation: without a high bound the
# failed-attempt limit (its own tests: test_app.py) would turn every later guarded request into a 429.
_LIMITS: dict[str, Any] = {"api_key": "fuzz-key", "max_upload_rows": 500, "api_key_max_failures": 1_000_000}

#: Operations (besides /predict/*) whose valid requests may be refused because of the served model or the
#: uploaded table.
MODEL_DEPENDENT = {
    ("GET", "/customers"),
    ("GET", "/customers.csv"),
    ("GET", "/clusters/{cluster_id}/customers.csv"),
    ("POST", "/schema/infer"),
    ("POST", "/runs"),
}

APP = create_app(ApiSettings(artifacts_root=Path("/nonexistent"), frontend_dir=Path("/nonexistent"), **_LIMITS))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
# A batch over maxItems is refused by count before it is parsed (issue 14): 413 is that rejection.
schema.config.checks.negative_data_rejection.expected_statuses.append("413")


@pytest.fixture(scope="module", autouse=True)
def _serve_the_trained_model(trained_root: Path) -> None:
    """Point the app at the session's trained model (the schemathesis client runs no lifespan)."""
    served = ApiSettings(artifacts_root=trained_root, frontend_dir=Path("/nonexistent"), **_LIMITS)
    store = ModelStore(served)
    assert store.load() is not None, store.problem
    APP.state.settings = served
    APP.state.store = store
    APP.state.run_store = RunStore(served)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_server_errors_and_responses_match_the_schema(case: Any) -> None:
    # A CSV upload can be schema-valid (any bytes) and still unusable (empty, binary), and a customer's
    # fields are the SERVED model's (GET /model/schema), which one static OpenAPI document cannot list:
    # their 422s are right, so "valid data must be accepted" does not apply to the scoring routes.
    # The same holds for the customers table's filters (its sort and range columns and segment ids are
    # the served model's) and for training uploads (a file's columns decide which options fit).
    # Every other check does.
    dependent = case.path.startswith("/predict") or (case.method.upper(), case.path) in MODEL_DEPENDENT
    excluded = [positive_data_acceptance] if dependent else []
    response = case.call_and_validate(excluded_checks=excluded)
    assert response.status_code < 500, response.text
    key = f"{case.method.upper()} {case.path}"
    COUNTS[key] = COUNTS.get(key, 0) + 1


def test_fuzzing_covered_every_operation() -> None:
    """Runs after the fuzz test (same module): every operation was exercised, hundreds of times in all."""
    if not COUNTS:
        pytest.skip("run together with the fuzz test")
    operations = {f"{method.upper()} {path}" for path, ops in APP.openapi()["paths"].items() for method in ops}
    assert operations <= set(COUNTS), operations - set(COUNTS)
    assert sum(COUNTS.values()) >= 300
    print(f"\nschemathesis: {sum(COUNTS.values())} requests over {len(COUNTS)} operations: {COUNTS}")
