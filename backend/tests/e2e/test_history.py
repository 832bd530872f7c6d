"""The History view in a real browser against a real API: the recorded runs (the served one badged),
a run's migration report, and one customer's segment in every run (or the API's 404 message).

Read-only, so it uses the shared server (the Mall model trained by the ``trained`` fixture). Screenshots
of the view go to backend/tests/artifacts/history/.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from .conftest import Server, Visit

pytestmark = pytest.mark.browser

TIMEOUT_MS = 30_000
#: The Mall data's first CustomerID: in every run trained on it.
KNOWN_CUSTOMER = "1"
UNKNOWN_CUSTOMER = "no-such-customer"


@pytest.fixture(scope="module")
def shots(artifacts_dir: Path) -> Path:
    folder = artifacts_dir / "history"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def open_section(page: Page, server: Server, link: str) -> None:
    """Open the dashboard and follow one entry of its section menu."""
    page.goto(server.url + "/")
    page.get_by_test_id("segment-card").first.wait_for(timeout=TIMEOUT_MS)
    page.get_by_role("navigation", name="Sections").get_by_role("link", name=link, exact=True).click()


def open_history(page: Page, server: Server) -> Locator:
    open_section(page, server, "History")
    history = page.get_by_test_id("run-history")
    expect(history.get_by_test_id("run-row").first).to_be_visible(timeout=TIMEOUT_MS)
    expect(history).to_be_in_viewport()
    return history


def test_the_runs_are_listed_with_the_served_badge(visit: Visit, server: Server) -> None:
    page: Page = visit.page  # type: ignore[assignment]
    with server.client() as client:
        runs = client.get("/runs", params={"limit": 20}).json()["runs"]
        served = client.get("/clusters").json()["model_version"]
    assert runs and any(run["served"] for run in runs)
    history = open_history(page, server)
    rows = history.get_by_test_id("run-row")
    expect(rows).to_have_count(len(runs))
    for index, run in enumerate(runs):  # newest first, as the API lists them
        expect(rows.nth(index)).to_have_attribute("data-version", run["model_version"])
    row = history.locator(f'[data-testid="run-row"][data-version="{served}"]')
    expect(row.get_by_test_id("served-badge")).to_have_text("served")
    expect(history.get_by_test_id("served-badge")).to_have_count(1)
    expect(row.locator("td").nth(1)).to_have_text(str(next(r["k"] for r in runs if r["served"])))
    assert visit.console_errors == []


def test_choosing_a_run_shows_its_migration_report(visit: Visit, server: Server, shots: Path) -> None:
    page: Page = visit.page  # type: ignore[assignment]
    with server.client() as client:
        served = client.get("/clusters").json()["model_version"]
        answer = client.get(f"/runs/{served}/migration")
    history = open_history(page, server)
    history.get_by_role("button", name=served, exact=True).click()
    migration = history.get_by_test_id("run-migration")
    expect(migration.get_by_role("heading")).to_have_text(f"Changes in {served}")
    expect(migration.get_by_text("Loading the migration…")).to_have_count(0, timeout=TIMEOUT_MS)
    history.screenshot(path=str(shots / "runs-and-migration.png"))
    if answer.status_code == 404:  # no report for this run: nothing to compare with
        expect(migration.get_by_test_id("migration-none")).to_contain_text(answer.json()["detail"], timeout=TIMEOUT_MS)
        return
    assert answer.status_code == 200, answer.text
    report = answer.json()
    status = "Continued lineage" if report["status"] == "continued" else "Fresh lineage"
    expect(migration.get_by_test_id("migration-status")).to_contain_text(f"{status} {report['lineage_id']}")
    expect(migration).to_contain_text(report["reason"])
    if report["migration"] is None:
        expect(migration.get_by_test_id("no-matrix")).to_be_visible()
    else:
        expect(migration.get_by_test_id("count-stayed")).to_have_text(f"{report['migration']['stayed']:,}")
    assert visit.console_errors == []


def test_a_customer_s_segment_in_every_run(visit: Visit, server: Server, shots: Path) -> None:
    page: Page = visit.page  # type: ignore[assignment]
    with server.client() as client:
        history = client.get(f"/customers/{KNOWN_CUSTOMER}/history").json()
        current = client.get(f"/customers/{KNOWN_CUSTOMER}").json()
        missing = client.get(f"/customers/{UNKNOWN_CUSTOMER}/history")
    assert missing.status_code == 404
    open_section(page, server, "Customer history")
    panel = page.get_by_test_id("customer-history")
    panel.get_by_label("Customer id").fill(KNOWN_CUSTOMER)
    panel.get_by_role("button", name="Show history").click()
    rows = panel.get_by_test_id("customer-history-row")
    expect(rows).to_have_count(len(history["runs"]), timeout=TIMEOUT_MS)
    newest = history["runs"][0]
    assert newest["segment_id"] == current["segment"]  # the newest run is the served model
    expect(rows.first.locator("th")).to_have_text(newest["model_version"])
    expect(rows.first.get_by_test_id("customer-history-segment")).to_have_text(
        f"#{newest['segment_id']} {newest['segment_name']}"
    )
    panel.screenshot(path=str(shots / "customer-history.png"))
    # An unknown customer: the API's one-line 404 message, and the table is gone.
    panel.get_by_label("Customer id").fill(UNKNOWN_CUSTOMER)
    panel.get_by_role("button", name="Show history").click()
    expect(panel.get_by_test_id("customer-history-error")).to_have_text(missing.json()["detail"], timeout=TIMEOUT_MS)
    expect(rows).to_have_count(0)
