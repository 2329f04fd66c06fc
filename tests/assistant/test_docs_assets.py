"""The OpenAPI pages (/docs, /redoc) load everything from this server: offline or air-gapped
they still render, and their Content-Security-Policy names no outside host."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from assistant.app import create_app
from assistant.settings import DEFAULT_CSP

PAGES = ("/docs", "/redoc")
ASSET = re.compile(r"""\s(?:src|href)=["']([^"']+)["']""")
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE)
CONTENT_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}
# CSP source expressions that stay on this server (keywords, and this origin's own schemes).
LOCAL_SOURCES = {"'self'", "'none'", "'unsafe-inline'", "data:", "blob:"}


@pytest.fixture
def client(settings) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(create_app(settings))


def policy(header: str) -> dict[str, list[str]]:
    """A CSP header as {directive: [sources]}."""
    parts = (part.split() for part in header.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


@pytest.mark.parametrize("path", PAGES)
def test_page_references_only_local_assets_that_are_served(client, path):
    page = client.get(path)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assets = ASSET.findall(page.text)
    assert assets, "the page loads no script or style at all"
    for url in assets:
        assert url.startswith("/") and not url.startswith("//"), f"outside asset: {url}"
        served = client.get(url)
        assert served.status_code == 200, url
        suffix = url[url.rfind(".") :]
        assert served.headers["content-type"].startswith(CONTENT_TYPES[suffix]), url


def test_swagger_page_runs_no_inline_script(client):
    page = client.get("/docs").text
    assert INLINE_SCRIPT.findall(page) == []
    assert "swagger-ui-bundle.js" in page and "swagger-ui.css" in page


@pytest.mark.parametrize("path", PAGES)
def test_page_policy_names_no_outside_host(client, path):
    header = client.get(path).headers["content-security-policy"]
    sources = [s for values in policy(header).values() for s in values]
    assert set(sources) <= LOCAL_SOURCES, header
    assert "cdn.jsdelivr.net" not in header and "tiangolo" not in header


def test_swagger_page_policy_allows_no_inline_or_evaluated_code(client):
    directives = policy(client.get("/docs").headers["content-security-policy"])
    assert directives["script-src"] == ["'self'"] and directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"] and directives["object-src"] == ["'none'"]


def test_ui_policy_names_no_outside_host(settings):
    assert "https:" not in DEFAULT_CSP and "http:" not in DEFAULT_CSP
    assert settings.content_security_policy == DEFAULT_CSP


def test_oauth2_redirect_page_is_allowed_its_own_script_only(client):
    page = client.get("/docs/oauth2-redirect")
    assert page.status_code == 200 and "window.opener" in page.text
    scripts = policy(page.headers["content-security-policy"])["script-src"]
    assert len(scripts) == 1 and scripts[0].startswith("'sha256-")


def test_without_a_ui_root_still_leads_to_the_docs(client):
    response = client.get("/", follow_redirects=True)
    assert response.status_code == 200 and "swagger-ui" in response.text
