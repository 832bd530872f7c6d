"""The dashboard builds itself from the served model's schema (issue 11 §6).

A model trained through the CLI on the public Wholesale customers table (six annual-spend columns,
two categorical ones, no customer id column) is served by a real uvicorn; the dashboard must ask
for exactly those features, list them as the CSV's columns, number customers by row, and score a
customer as ``/predict`` does — with nothing of the Mall shape left in the page.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from customer_segmentation.config import PROJECT_ROOT

from .conftest import Server, Visit, start_server, stop_server

pytestmark = pytest.mark.browser

DATA_DIR = Path(os.environ.get("MALL_DATA_MIRROR", PROJECT_ROOT.parent / "shared" / "data")).resolve()
WHOLESALE_CSV = DATA_DIR / "wholesale_customers.csv"
NUMERIC = ["fresh", "milk", "grocery", "frozen", "detergents_paper", "delicassen"]
CATEGORICAL = ["channel", "region"]
MALL_FIELDS = ["gender", "age", "annual_income", "spending_score"]
TIMEOUT_MS = 30_000
#: The scoring form's controls, in page order.
FORM_FIELDS = "form.score-form input, form.score-form select"


@pytest.fixture(scope="module")
def wholesale_server(export_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The API + dashboard serving a model trained by the CLI on the wholesale table."""
    if not WHOLESALE_CSV.is_file():
        pytest.skip(f"the public wholesale table is not at {WHOLESALE_CSV} (CI provides it)")
    root = tmp_path_factory.mktemp("wholesale")
    command = [
        sys.executable, "backend/src/main.py", "--data", str(WHOLESALE_CSV),
        "--features", ",".join(NUMERIC + CATEGORICAL), "--categorical", ",".join(CATEGORICAL),
        "--output-root", str(root), "--bootstrap", "2", "-q",
    ]  # fmt: skip
    trained = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert trained.returncode == 0, f"training on the wholesale table failed:\n{trained.stdout}\n{trained.stderr}"
    running = start_server(root, tmp_path_factory.mktemp("uvicorn-wholesale") / "server.log")
    yield running
    stop_server(running)


@pytest.fixture
def wholesale_page(browser: object, wholesale_server: Server) -> Iterator[Visit]:
    """The dashboard loaded (its cards drawn) at 1440×900, recording requests and errors."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(wholesale_server.url + "/")
    page.get_by_test_id("segment-card").first.wait_for(timeout=TIMEOUT_MS)
    yield Visit(page=page, requests=requests, console_errors=errors)
    context.close()


@pytest.fixture(scope="module")
def schema(wholesale_server: Server) -> dict[str, Any]:
    with wholesale_server.client() as client:
        answer = client.get("/model/schema")
    assert answer.status_code == 200, answer.text
    return answer.json()


def form_field_names(page: Page) -> list[str]:
    return page.locator(FORM_FIELDS).evaluate_all("els => els.map(el => el.name)")


def test_the_form_asks_for_the_wholesale_features_only(wholesale_page: Visit, schema: dict[str, Any]) -> None:
    features = schema["features"]
    assert [f["name"] for f in features] == NUMERIC + CATEGORICAL
    assert form_field_names(wholesale_page.page) == NUMERIC + CATEGORICAL
    for name in MALL_FIELDS:
        expect(wholesale_page.page.locator(f"#{name}")).to_have_count(0)
    for feature in features:
        control = wholesale_page.page.locator(f"form.score-form #{feature['name']}")
        if feature["kind"] == "numeric":
            expect(control).to_have_attribute("type", "number")
        else:
            levels = list(feature["levels"])
            if feature["other_level"] and "other" not in levels:
                levels.append("other")  # the form offers it: any other value is scored as `other`
            options = control.locator("option").evaluate_all("els => els.map(el => el.value)")
            assert options == levels
    assert wholesale_page.console_errors == []


def test_csv_help_cards_and_overview_follow_the_schema(
    wholesale_page: Visit, schema: dict[str, Any], wholesale_server: Server, artifacts_dir: Path
) -> None:
    with wholesale_server.client() as client:
        clusters = client.get("/clusters").json()
    p = wholesale_page.page
    expect(p.get_by_test_id("csv-columns")).to_have_text(", ".join(NUMERIC + CATEGORICAL))
    assert schema["id_generated"] is True and schema["id_column"] == "row_id"
    expect(p.get_by_test_id("id-note")).to_contain_text("numbered by row")
    cards = p.get_by_test_id("segment-card")
    expect(cards).to_have_count(clusters["k"])
    for segment in clusters["segments"]:
        card = cards.nth(segment["id"])
        expect(card.get_by_role("heading")).to_have_text(f"#{segment['id']} {segment['name']}")
        expect(card.get_by_test_id("segment-action")).to_have_count(1 if segment.get("action") else 0)
        expect(card).not_to_contain_text("Median age")
        expect(card).not_to_contain_text("Gender mix")
    p.locator('[data-testid="scatter-2d"][data-state="ready"]').wait_for(timeout=TIMEOUT_MS)
    expect(p.get_by_test_id("scatter-2d").locator(".scatterlayer .trace")).to_have_count(clusters["k"])
    p.screenshot(path=str(artifacts_dir / "dashboard-wholesale-1440.png"), full_page=True)


def test_scoring_a_wholesale_customer_gives_the_api_segment(
    wholesale_page: Visit, schema: dict[str, Any], wholesale_server: Server
) -> None:
    p = wholesale_page.page
    customer: dict[str, Any] = {}
    for feature in schema["features"]:
        if feature["kind"] == "numeric":
            customer[feature["name"]] = round(feature["seen"]["median"])
        else:
            customer[feature["name"]] = feature["levels"][-1]
    with wholesale_server.client() as client:
        expected = client.post("/predict", json=customer)
    assert expected.status_code == 200, expected.text
    for name, value in customer.items():
        control = p.locator(f"form.score-form #{name}")
        if isinstance(value, str):
            control.select_option(value)
        else:
            control.fill(str(value))
    p.get_by_role("button", name="Score", exact=True).click()
    answer = expected.json()
    expect(p.get_by_test_id("prediction-segment")).to_have_text(f"#{answer['segment']} {answer['segment_name']}")


def test_a_missing_feature_shows_the_api_message_naming_it(wholesale_page: Visit, wholesale_server: Server) -> None:
    p = wholesale_page.page
    body = {name: 1000 for name in NUMERIC if name != "milk"}
    for name, value in body.items():
        p.locator(f"form.score-form #{name}").fill(str(value))
    with wholesale_server.client() as client:
        levels = {f["name"]: f["levels"][0] for f in client.get("/model/schema").json()["features"] if f["levels"]}
        answer = client.post("/predict", json={**body, **levels})
    assert answer.status_code == 422 and "milk" in answer.json()["detail"]
    p.get_by_role("button", name="Score", exact=True).click()
    expect(p.get_by_test_id("score-error")).to_have_text(answer.json()["detail"])
