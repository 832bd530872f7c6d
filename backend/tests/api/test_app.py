"""App wiring: CORS from settings, the dashboard mounted after the API, settings from the environment."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from customer_segmentation.api.settings import ApiSettings

from .conftest import serve


def test_cors_allows_the_next_dev_server_by_default(client: TestClient) -> None:
    preflight = client.options(
        "/predict",
        headers={
            "Origin": "http://localhost:3000",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "http://localhost:3000"
    simple = client.get("/health", headers={"Origin": "http://localhost:3000"})
    assert simple.headers["access-control-allow-origin"] == "http://localhost:3000"
    other = client.get("/health", headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_cors_origins_come_from_settings(
    trained_root: Path, make_settings: Callable[..., ApiSettings], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEGMENTATION_CORS_ORIGINS", "https://crm.example, https://bi.example")
    settings = ApiSettings(artifacts_root=trained_root)
    assert settings.cors_origins == ["https://crm.example", "https://bi.example"]
    with serve(settings) as client:
        allowed = client.get("/health", headers={"Origin": "https://bi.example"})
        assert allowed.headers["access-control-allow-origin"] == "https://bi.example"
        assert (
            "access-control-allow-origin"
            not in client.get("/health", headers={"Origin": "http://localhost:3000"}).headers
        )


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SEGMENTATION_ARTIFACTS_ROOT", str(tmp_path))
    monkeypatch.setenv("SEGMENTATION_MAX_BATCH_SIZE", "7")
    monkeypatch.setenv("SEGMENTATION_API_KEY", "   ")
    monkeypatch.setenv("SEGMENTATION_SKLEARN_VERSION_POLICY", "refuse")
    settings = ApiSettings()
    assert settings.artifacts_root == tmp_path and settings.max_batch_size == 7
    assert settings.api_key is None  # a blank key never means "any key"
    assert settings.sklearn_version_policy == "refuse"


def test_dashboard_is_served_at_root_after_the_api(
    trained_root: Path, make_settings: Callable[..., ApiSettings], tmp_path: Path
) -> None:
    export = tmp_path / "out"
    (export / "_next").mkdir(parents=True)
    (export / "index.html").write_text("<html><body>dashboard</body></html>")
    (export / "_next" / "app.js").write_text("console.log(1)")
    (export / "clusters.html").write_text("a page that must not shadow the API")
    with serve(make_settings(trained_root, frontend_dir=export)) as client:
        assert "dashboard" in client.get("/").text
        assert client.get("/_next/app.js").text == "console.log(1)"
        assert client.get("/health").json()["dashboard"] is True
        assert client.get("/clusters").json()["k"] >= 2  # the API wins over the export
        assert client.get("/docs").status_code == 200
        assert (
            client.post("/predict", json={"gender": "F", "age": 3, "annual_income": 3, "spending_score": 3}).status_code
            == 200
        )
        # API paths keep answering like the API, not with the dashboard's HTML 404 page
        wrong_method = client.get("/predict")
        assert wrong_method.status_code == 405 and wrong_method.headers["allow"] == "POST"
        assert "not allowed" in wrong_method.json()["detail"]
        typo = client.get("/clusters/0/extra")
        assert typo.status_code == 404 and typo.headers["content-type"].startswith("application/json")


def test_without_dashboard_root_points_to_the_docs(client: TestClient) -> None:
    body = client.get("/").json()
    assert body["docs"] == "/docs" and "not built" in body["dashboard"]


def test_main_exposes_the_app_lazily() -> None:
    import importlib
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))
    try:
        main = importlib.import_module("main")
        assert "fastapi" in type(main.app).__module__
    finally:
        sys.path.pop(0)
