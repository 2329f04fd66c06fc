"""The OpenAPI pages (/docs, /redoc) with Swagger UI and ReDoc served from the installed
`fastapi-offline` package, not a CDN: they render offline, under a CSP naming no outside host."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re

from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_oauth2_redirect_html,
    swagger_ui_default_parameters,
)
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

DOCS_URL = "/docs"
REDOC_URL = "/redoc"
ASSETS_URL = "/docs/assets"  # swagger-ui-bundle.js, swagger-ui.css, redoc.standalone.js, favicon
INIT_URL = "/docs/swagger-init.js"

# Starts Swagger UI from a file rather than an inline script, so /docs may forbid inline code.
SWAGGER_INIT_JS = """\
(() => {
  const config = JSON.parse(document.currentScript.dataset.config);
  config.oauth2RedirectUrl = window.location.origin + config.oauth2RedirectUrl;
  config.presets = [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset];
  window.ui = SwaggerUIBundle(config);
})();
"""

SWAGGER_PAGE = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="{assets}/swagger-ui.css">
<link rel="icon" type="image/png" href="{assets}/favicon.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{init}" data-config="{config}"></script>
</body>
</html>
"""


def page_policy(scripts: str = "'self'", styles: str = "'self'", workers: str = "'self'") -> str:
    """An OpenAPI page's CSP: this server only, save what the caller names (an inline script's
    hash; ReDoc's inline styles and its blob: search worker)."""
    return (
        f"default-src 'self'; script-src {scripts}; style-src {styles}; worker-src {workers};"
        " img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self';"
        " form-action 'self'; frame-ancestors 'none'"
    )


SWAGGER_POLICY = page_policy()
REDOC_POLICY = page_policy(styles="'self' 'unsafe-inline'", workers="'self' blob:")


def script_hash(page: str) -> str:
    """The CSP source that allows exactly the page's one inline script."""
    match = re.search(r"<script>(.*?)</script>", page, re.DOTALL)
    if match is None:
        raise ValueError("the page has no inline script")
    digest = hashlib.sha256(match.group(1).encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def _with_policy(page: HTMLResponse, policy: str) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = policy
    return page


def swagger_page(app: FastAPI, root: str) -> HTMLResponse:
    """/docs: FastAPI's Swagger UI set-up, its settings handed to the init file as data."""
    config = {
        **swagger_ui_default_parameters,
        **(app.swagger_ui_parameters or {}),
        "url": root + str(app.openapi_url),
        "oauth2RedirectUrl": root + str(app.swagger_ui_oauth2_redirect_url),
    }
    page = SWAGGER_PAGE.format(
        title=html.escape(f"{app.title} - Swagger UI"),
        assets=root + ASSETS_URL,
        init=root + INIT_URL,
        config=html.escape(json.dumps(config)),
    )
    return _with_policy(HTMLResponse(page), SWAGGER_POLICY)


def redoc_page(app: FastAPI, root: str) -> HTMLResponse:
    """/redoc: FastAPI's own ReDoc page, pointed at the local script and without Google Fonts."""
    page = get_redoc_html(
        openapi_url=root + str(app.openapi_url),
        title=f"{app.title} - ReDoc",
        redoc_js_url=f"{root}{ASSETS_URL}/redoc.standalone.js",
        redoc_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
        with_google_fonts=False,
    )
    return _with_policy(page, REDOC_POLICY)


def add_docs(app: FastAPI) -> None:
    """Serve /docs, its OAuth2 redirect page and /redoc on an app made with docs_url=None and
    redoc_url=None; the assets come from the installed package."""
    app.mount(ASSETS_URL, StaticFiles(packages=[("fastapi_offline", "static")]), name="docs-assets")
    redirect = get_swagger_ui_oauth2_redirect_html()
    redirect_policy = page_policy(script_hash(bytes(redirect.body).decode()))

    @app.get(DOCS_URL, include_in_schema=False)
    def _docs(request: Request) -> HTMLResponse:
        return swagger_page(app, request.scope.get("root_path", "").rstrip("/"))

    @app.get(INIT_URL, include_in_schema=False)
    def _init() -> Response:
        return Response(SWAGGER_INIT_JS, media_type="text/javascript")

    @app.get(str(app.swagger_ui_oauth2_redirect_url), include_in_schema=False)
    def _oauth2_redirect() -> HTMLResponse:
        return _with_policy(get_swagger_ui_oauth2_redirect_html(), redirect_policy)

    @app.get(REDOC_URL, include_in_schema=False)
    def _redoc(request: Request) -> HTMLResponse:
        return redoc_page(app, request.scope.get("root_path", "").rstrip("/"))
