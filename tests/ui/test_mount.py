"""The UI mounted on the API app, and the rule that `assistant` never imports `ui` or `eval`."""

from __future__ import annotations

import subprocess
import sys

from fastapi.testclient import TestClient

from assistant.app import create_app
from ui.app import build_ui
from ui.mount import mount_ui


def test_ui_is_served_at_root_and_the_api_stays_under_api_and_docs(settings):
    client = TestClient(create_app(settings, ui=mount_ui))
    root = client.get("/")
    assert root.status_code == 200 and "<html" in root.text.lower()
    assert client.get("/docs").status_code == 200
    assert client.get("/api/feedback/summary").status_code == 200
    assert client.get("/health").json()["status"] == "degraded"  # no index built here


def test_without_a_ui_root_redirects_to_the_api_docs(settings):
    response = TestClient(create_app(settings)).get("/", follow_redirects=False)
    assert response.status_code == 307 and response.headers["location"] == "/docs"


def test_mode_switch_shows_only_when_a_language_model_is_configured(settings):
    def mode_visible(s) -> bool:  # type: ignore[no-untyped-def]
        config = build_ui(s).get_config_file()
        (mode,) = [c for c in config["components"] if c["props"].get("elem_id") == "sg-mode"]
        return bool(mode["props"]["visible"])

    assert mode_visible(settings) is False
    llm = settings.model_copy(update={"llm_base_url": "http://127.0.0.1:9/v1", "llm_model": "m"})
    assert mode_visible(llm) is True


def test_assistant_never_imports_ui_or_eval():
    code = (
        "import importlib, pkgutil, sys, assistant, assistant.routers\n"
        "for pkg in (assistant, assistant.routers):\n"
        "    for m in pkgutil.iter_modules(pkg.__path__):\n"
        "        importlib.import_module(f'{pkg.__name__}.{m.name}')\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in ('ui', 'eval'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_with_an_api_key_the_ui_asks_for_it(settings):
    from pydantic import SecretStr

    keyed = settings.model_copy(update={"api_key": SecretStr("k")})
    client = TestClient(create_app(keyed, ui=mount_ui))
    assert client.get("/config").status_code == 401
    assert client.post("/login", data={"username": "x", "password": "wrong"}).status_code == 400
    assert client.post("/login", data={"username": "x", "password": "k"}).status_code == 200
    assert client.get("/config").status_code == 200
