"""Mount the UI on the FastAPI app at / (passed to `assistant.app.create_app` by the CLI)."""

from __future__ import annotations

import hmac
from collections.abc import Callable

import gradio as gr
from fastapi import FastAPI

from assistant.settings import Settings
from ui.app import build_ui
from ui.look import CSS, HEAD, theme

LOGIN = "Enter the service's API key as the password (any user name)."


def mount_ui(app: FastAPI, settings: Settings) -> None:
    """Serve the Gradio UI at /; with an API key set, the UI asks for it as the password."""
    auth: Callable[[str, str], bool] | None = None
    if settings.api_key is not None:
        expected = settings.api_key.get_secret_value().encode()

        def check(_user: str, password: str) -> bool:
            return hmac.compare_digest(password.encode(), expected)

        auth = check

    gr.mount_gradio_app(
        app,
        build_ui(settings),
        path="/",
        footer_links=[],
        run_history=False,  # it would keep questions in the browser
        auth=auth,
        auth_message="Enter the service's API key as the password (any user name)."
        if auth
        else None,
        show_error=False,
        pwa=False,
        mcp_server=False,
        enable_monitoring=False,
        ssr_mode=False,
        theme=theme(),
        css=CSS,
        head=HEAD,
    )
