"""The dashboard and /docs still work under their Content-Security-Policy, and load nothing from
outside the machine (issue 14): no CSP violation, no console error, every request to the server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page

from .conftest import Server, Visit

pytestmark = pytest.mark.browser

TIMEOUT_MS = 30_000
#: Recorded in the page before any of its scripts run.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`));
"""


@pytest.fixture
def watched(visit: Visit) -> Iterator[Visit]:
    visit.page.add_init_script(RECORD_VIOLATIONS)  # type: ignore[attr-defined]
    yield visit


def violations(page: Page) -> list[str]:
    return list(page.evaluate("window.__cspViolations"))


def test_the_dashboard_renders_under_its_policy(watched: Visit, server: Server) -> None:
    page: Page = watched.page  # type: ignore[assignment]
    response = page.goto(server.url + "/")
    assert response is not None
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "'unsafe-eval'" not in policy
    assert response.headers["x-frame-options"] == "DENY"
    page.get_by_test_id("segment-card").first.wait_for(timeout=TIMEOUT_MS)
    for chart in ("scatter-2d", "scatter-3d", "k-chart"):
        page.locator(f'[data-testid="{chart}"][data-state="ready"]').wait_for(timeout=TIMEOUT_MS)
    assert violations(page) == []
    assert [e for e in watched.console_errors if "Content Security Policy" in e or "CSP" in e] == []
    assert watched.console_errors == []
    assert all(url.startswith(server.url) for url in watched.requests), watched.requests


def test_docs_render_from_local_files_only(watched: Visit, server: Server) -> None:
    page: Page = watched.page  # type: ignore[assignment]
    response = page.goto(server.url + "/docs")
    assert response is not None and response.status == 200
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    page.locator(".swagger-ui .opblock").first.wait_for(timeout=TIMEOUT_MS)
    assert page.locator(".swagger-ui .title").first.inner_text().startswith("Customer Segmentation API")
    assert violations(page) == []
    assert watched.console_errors == []
    outside = [url for url in watched.requests if not url.startswith(server.url)]
    assert outside == [], outside
