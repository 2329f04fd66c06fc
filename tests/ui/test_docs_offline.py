"""The OpenAPI pages in a real browser with every outside host cut off, as on an air-gapped
network: they render the API's operations, ask nothing of the internet and break no CSP rule."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.ui.conftest import DESKTOP, Served

pytestmark = pytest.mark.slow

WAIT_MS = 30_000
# ReDoc 2.5.3 always shows Redocly's logo from its CDN in the sidebar's footer (no option turns
# it off); the CSP blocks it before any request is made, and ReDoc then hides the image.
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


@dataclass
class OfflineTab:
    """A browser tab that reaches only the local server, with what it tried and complained of."""

    page: Any
    blocked: list[str] = field(default_factory=list)
    csp_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)


@pytest.fixture
def offline(browser_context, served: Served) -> Iterator[OfflineTab]:  # type: ignore[no-untyped-def]
    """A fresh tab whose requests to any host but the local server are aborted and recorded."""
    tab = OfflineTab(browser_context.new_page())
    tab.page.set_viewport_size(DESKTOP)

    def only_local(route: Any) -> None:
        if route.request.url.startswith(served.url + "/"):
            route.continue_()
        else:
            tab.blocked.append(route.request.url)
            route.abort()

    tab.page.route("**/*", only_local)
    tab.page.on(
        "console",
        lambda m: tab.csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    tab.page.on("pageerror", lambda e: tab.page_errors.append(str(e)))
    yield tab
    tab.page.close()


def test_swagger_ui_lists_the_operations_offline(offline, served):
    page = offline.page
    page.goto(served.url + "/docs")
    for path in ("/api/ask", "/api/search"):
        operation = page.locator(f'.opblock-post .opblock-summary-path[data-path="{path}"]')
        operation.wait_for(state="visible", timeout=WAIT_MS)
    assert page.locator(".opblock").count() >= 10
    page.locator('.opblock-summary-path[data-path="/api/search"]').click()  # expands, no reload
    page.locator(".opblock.is-open .try-out__btn").wait_for(state="visible", timeout=WAIT_MS)
    assert offline.blocked == []
    assert offline.csp_errors == []
    assert offline.page_errors == []


def test_redoc_lists_the_operations_offline(offline, served):
    page = offline.page
    page.goto(served.url + "/redoc")
    page.get_by_text("/api/search", exact=True).first.wait_for(state="attached", timeout=WAIT_MS)
    page.get_by_text("/api/ask", exact=True).first.wait_for(state="attached", timeout=WAIT_MS)
    assert offline.blocked == []
    assert [e for e in offline.csp_errors if REDOC_LOGO not in e] == []
    assert offline.page_errors == []


def test_docs_page_brings_its_own_title_and_favicon(offline, served):
    page = offline.page
    page.goto(served.url + "/docs")
    page.locator(".opblock").first.wait_for(state="visible", timeout=WAIT_MS)
    assert "Safeguarding case-review assistant" in page.title()
    icon = page.locator("link[rel~='icon']").get_attribute("href")
    assert icon and icon.startswith("/")
    assert offline.blocked == []


def test_oauth2_redirect_page_runs_its_script_under_its_policy(offline, served):
    offline.page.goto(served.url + "/docs/oauth2-redirect")
    offline.page.wait_for_load_state("load")
    assert offline.csp_errors == []
    # opened directly, with no Swagger UI window behind it, the script runs and finds no opener
    assert any("swaggerUIRedirectOauth2" in e for e in offline.page_errors), offline.page_errors
