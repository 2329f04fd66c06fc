"""The app (API and UI) served on a free loopback port from a fixture index, and a headless
Debian Chromium driven by Playwright. Built once per session."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import uvicorn

from assistant.app import create_app
from assistant.embedder import Embedder
from assistant.settings import PROJECT_ROOT, Settings
from tests.conftest import indexed_settings
from ui.mount import mount_ui

CHROMIUM = Path("/usr/bin/chromium")
AXE = PROJECT_ROOT / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@dataclass
class Served:
    url: str
    settings: Settings
    external_requests: list[str] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def ui_settings(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Settings:
    """A corpus of two small briefings, indexed once into a temporary data dir."""
    return indexed_settings(tmp_path_factory.mktemp("ui"), embedder)


@pytest.fixture(scope="session")
def served(ui_settings: Settings) -> Iterator[Served]:
    """The full app (UI at /, API under /api) on a free loopback port, in a thread."""
    port = free_port()
    app = create_app(ui_settings, ui=mount_ui)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the app did not start on loopback within 60 s")
        time.sleep(0.1)
    yield Served(f"http://127.0.0.1:{port}", ui_settings)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """Debian's Chromium, headless, with a fresh profile (no Playwright browser download)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser-deps` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport=DESKTOP,
        )
        yield context
        context.close()


@pytest.fixture
def page(browser_context, served: Served):  # type: ignore[no-untyped-def]
    """A fresh tab on the app, loaded and ready; records any request that leaves loopback."""
    tab = browser_context.new_page()
    tab.set_viewport_size(DESKTOP)
    local = ("http://127.0.0.1", "data:", "blob:", "about:")
    tab.on(
        "request",
        lambda r: served.external_requests.append(r.url) if not r.url.startswith(local) else None,
    )
    tab.goto(served.url + "/")
    tab.wait_for_selector("#sg-question textarea", timeout=60_000)
    tab.wait_for_selector("#sg-briefing-notice .sg-notice", timeout=60_000)  # page load ran
    yield tab
    tab.close()
