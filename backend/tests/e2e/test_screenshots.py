"""Screenshots at phone (390 px) and desktop (1440 px) widths, saved for a person to look at,
plus the checks a screenshot cannot make by itself: nothing overflows sideways."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import Server

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": (1440, 900), "phone": (390, 844)}


@pytest.mark.parametrize("name", sorted(WIDTHS))
def test_screenshot(browser: object, server: Server, artifacts_dir: Path, tmp_path: Path, name: str) -> None:
    width, height = WIDTHS[name]
    context = browser.new_context(viewport={"width": width, "height": height})  # type: ignore[attr-defined]
    page = context.new_page()
    try:
        page.goto(server.url + "/")
        for chart in ("scatter-2d", "scatter-3d", "k-chart"):
            page.locator(f'[data-testid="{chart}"][data-state="ready"]').wait_for(timeout=30_000)
        # Score one customer so the result panel and the star marker are in the picture.
        page.get_by_role("spinbutton", name="Age").fill("30")
        page.get_by_role("spinbutton", name="Annual income").fill("70")
        page.get_by_role("spinbutton", name="Spending score").fill("60")
        page.get_by_role("button", name="Score", exact=True).click()
        expect(page.get_by_test_id("prediction")).to_be_visible()
        # And one small upload with a bad row, so the preview and the row errors are in it too.
        upload = tmp_path / "upload.csv"
        upload.write_text(
            "CustomerID,Gender,Age,Annual Income (k$),Spending Score (1-100)\n"
            "a1,Female,25,30,80\na2,Male,abc,60,40\na3,Male,47,95,12\n",
            encoding="utf-8",
        )
        page.get_by_label("CSV file", exact=True).set_input_files(str(upload))
        page.get_by_role("button", name="Upload and score").click()
        expect(page.get_by_test_id("csv-errors")).to_be_visible()
        page.wait_for_timeout(500)  # let Plotly finish redrawing the marked point
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"the page scrolls sideways by {overflow} px at {width} px"
        page.screenshot(path=str(artifacts_dir / f"dashboard-{width}.png"), full_page=True)
    finally:
        context.close()
