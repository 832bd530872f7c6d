"""The built dashboard in a real browser against a real API: what a user sees and can do."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .conftest import Server, Visit

pytestmark = pytest.mark.browser

CHART_TIMEOUT_MS = 30_000
#: The focused control's id, or its text for buttons and links.
ACTIVE_CONTROL = "(document.activeElement?.id || document.activeElement?.textContent || '').trim()"


def open_dashboard(page: Page, server: Server) -> None:
    page.goto(server.url + "/")
    page.get_by_test_id("segment-card").first.wait_for(timeout=CHART_TIMEOUT_MS)


def wait_chart(page: Page, test_id: str) -> None:
    page.locator(f'[data-testid="{test_id}"][data-state="ready"]').wait_for(timeout=CHART_TIMEOUT_MS)


def test_one_card_per_segment_and_the_overview(visit: Visit, server: Server) -> None:
    page = visit.page
    with server.client() as client:
        clusters = client.get("/clusters").json()
    open_dashboard(page, server)
    cards = page.get_by_test_id("segment-card")
    expect(cards).to_have_count(clusters["k"])
    for segment in clusters["segments"]:
        card = cards.nth(segment["id"])
        expect(card.get_by_role("heading")).to_have_text(f"#{segment['id']} {segment['name']}")
        expect(card).to_contain_text(segment["action"])
        expect(card).to_contain_text(f"{segment['size']} customers")
    expect(page.get_by_test_id("stat-k")).to_have_text(str(clusters["k"]))
    expect(page.get_by_test_id("stat-version")).to_have_text(clusters["model_version"])
    expect(page.get_by_test_id("stat-silhouette")).to_have_text(f"{clusters['silhouette']['overall']:.3f}")


def test_charts_render_with_hover_and_legend_toggle(visit: Visit, server: Server) -> None:
    page = visit.page
    with server.client() as client:
        clusters = client.get("/clusters").json()
        customers = client.get("/customers").json()
    open_dashboard(page, server)
    for chart in ("scatter-2d", "scatter-3d", "k-chart"):
        wait_chart(page, chart)

    # 2D: one SVG trace per segment, one point per customer.
    scatter2d = page.get_by_test_id("scatter-2d")
    expect(scatter2d.locator(".scatterlayer .trace")).to_have_count(clusters["k"])
    expect(scatter2d.locator(".scatterlayer path.point")).to_have_count(len(customers["customers"]))

    # 3D: a WebGL canvas that actually drew something (many distinct colours, not a blank box).
    scatter3d = page.get_by_test_id("scatter-3d")
    has_webgl = scatter3d.evaluate(
        """el => [...el.querySelectorAll('canvas')].some(c => {
               const gl = c.getContext('webgl') || c.getContext('experimental-webgl');
               return gl !== null && c.width > 0 && c.height > 0; })"""
    )
    assert has_webgl, "the 3D chart has no WebGL canvas"
    assert not page.get_by_text("WebGL is not supported").is_visible()
    assert _distinct_colours(scatter3d.screenshot()) > 50

    # Hovering the first point of segment 0's trace shows that customer's id and values.
    first = next(c for c in customers["customers"] if c["segment"] == 0)
    scatter2d.locator(".scatterlayer .trace").first.locator("path.point").first.hover(force=True)
    hover = page.locator(".hoverlayer .hovertext").first
    expect(hover).to_contain_text(f"Customer {first['customer_id']}")
    expect(hover).to_contain_text(f"Income: {first['annual_income']:g} k$")

    # Clicking a legend entry hides that segment's trace.
    scatter2d.locator(".legend .traces").first.click()
    expect(scatter2d.locator(".scatterlayer .trace")).to_have_count(clusters["k"] - 1)
    assert visit.console_errors == []


def test_score_form_returns_the_api_segment_and_marks_the_point(visit: Visit, server: Server) -> None:
    page = visit.page
    customer = {"gender": "Female", "age": 31, "annual_income": 87, "spending_score": 82}
    with server.client() as client:
        expected = client.post("/predict", json=customer).json()
    open_dashboard(page, server)
    wait_chart(page, "scatter-2d")
    page.get_by_label("Gender").select_option(customer["gender"])
    page.get_by_role("spinbutton", name="Age").fill(str(customer["age"]))
    page.get_by_role("spinbutton", name="Annual income").fill(str(customer["annual_income"]))
    page.get_by_role("spinbutton", name="Spending score").fill(str(customer["spending_score"]))
    page.get_by_role("button", name="Score", exact=True).click()
    expect(page.get_by_test_id("prediction-segment")).to_have_text(f"#{expected['segment']} {expected['segment_name']}")
    expect(page.get_by_test_id("prediction")).to_contain_text(f"{expected['margin']:.2f}")
    expect(page.get_by_test_id("scatter-2d").locator(".legend")).to_contain_text("New customer")


def test_invalid_form_value_shows_the_api_message(visit: Visit, server: Server) -> None:
    page = visit.page
    bad = {"gender": "Male", "age": 500, "annual_income": 40, "spending_score": 50}
    with server.client() as client:
        answer = client.post("/predict", json=bad)
    assert answer.status_code == 422
    open_dashboard(page, server)
    page.get_by_label("Gender").select_option(bad["gender"])
    page.get_by_role("spinbutton", name="Age").fill("500")
    page.get_by_role("spinbutton", name="Annual income").fill("40")
    page.get_by_role("spinbutton", name="Spending score").fill("50")
    page.get_by_role("spinbutton", name="Spending score").press("Enter")  # keyboard submit
    expect(page.get_by_test_id("score-error")).to_have_text(answer.json()["detail"])
    expect(page.get_by_test_id("prediction")).to_have_count(0)


def test_csv_upload_previews_lists_row_errors_and_downloads(visit: Visit, server: Server, tmp_path: Path) -> None:
    page = visit.page
    upload = tmp_path / "new_customers.csv"
    rows = [
        ["CustomerID", "Gender", "Age", "Annual Income (k$)", "Spending Score (1-100)"],
        ["n1", "Female", "25", "30", "80"],
        ["n2", "Male", "abc", "60", "40"],  # row 2: not a number
        ["n3", "f", "52", "110", "15"],
        ["n4", "Male", "40", "70", "250"],  # row 4: spending out of range
    ]
    upload.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    open_dashboard(page, server)
    page.get_by_label("CSV file", exact=True).set_input_files(str(upload))
    page.get_by_role("button", name="Upload and score").click()
    link = page.get_by_test_id("csv-download")
    link.wait_for(timeout=CHART_TIMEOUT_MS)
    expect(page.get_by_test_id("csv-preview").locator("tbody tr")).to_have_count(4)
    errors = page.get_by_test_id("csv-errors")
    expect(errors).to_contain_text("2 rows could not be scored")
    expect(errors).to_contain_text("Row 2:")
    expect(errors).to_contain_text("Row 4:")

    with page.expect_download() as download_info:
        link.click()
    saved = tmp_path / "downloaded.csv"
    download_info.value.save_as(saved)
    scored = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8"))))
    assert [r["CustomerID"] for r in scored] == ["n1", "n2", "n3", "n4"]
    assert scored[0]["segment"] != "" and scored[2]["segment"] != ""
    assert scored[1]["segment"] == "" and scored[1]["error"]


def test_empty_state_says_how_to_train(browser: object, empty_server: Server) -> None:
    context = browser.new_context(viewport={"width": 1440, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    try:
        page.goto(empty_server.url + "/")
        empty = page.get_by_test_id("empty-state")
        expect(empty).to_be_visible(timeout=CHART_TIMEOUT_MS)
        expect(empty).to_contain_text("make train")
        expect(empty).to_contain_text("backend/src/main.py")
        expect(page.get_by_test_id("segment-card")).to_have_count(0)
    finally:
        context.close()


def test_no_request_leaves_the_machine(visit: Visit, server: Server) -> None:
    page = visit.page
    open_dashboard(page, server)
    for chart in ("scatter-2d", "scatter-3d", "k-chart"):
        wait_chart(page, chart)
    outside = [u for u in visit.requests if not u.startswith((server.url, "blob:", "data:"))]
    assert outside == [], f"requests to other origins: {outside}"


def test_keyboard_reaches_every_control(visit: Visit, server: Server) -> None:
    page = visit.page
    open_dashboard(page, server)
    reached: set[str] = set()
    for _ in range(80):
        page.keyboard.press("Tab")
        reached.add(page.evaluate(ACTIVE_CONTROL))
    for control in ("gender", "age", "annual_income", "spending_score", "Score", "csv-file", "Upload and score"):
        assert control in reached, f"{control!r} is not reachable with Tab"


def _distinct_colours(png: bytes) -> int:
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    return len(image.getcolors(maxcolors=1 << 24) or [])


def test_rejected_csv_shows_the_api_message(visit: Visit, server: Server, tmp_path: Path) -> None:
    page = visit.page
    upload = tmp_path / "no_income.csv"
    upload.write_text("Gender,Age,Spending Score (1-100)\nMale,30,50\n", encoding="utf-8")
    with server.client() as client, upload.open("rb") as handle:
        answer = client.post("/predict/csv", files={"file": ("no_income.csv", handle, "text/csv")})
    assert answer.status_code == 422
    open_dashboard(page, server)
    page.get_by_label("CSV file", exact=True).set_input_files(str(upload))
    page.get_by_role("button", name="Upload and score").click()
    expect(page.get_by_test_id("csv-error")).to_have_text(answer.json()["detail"])
    expect(page.get_by_test_id("csv-result")).to_have_count(0)
