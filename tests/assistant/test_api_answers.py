"""The answer API over real HTTP (uvicorn on loopback), against an index of fixture briefings."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from pydantic import SecretStr

from assistant.app import create_app
from assistant.settings import Settings
from ingest.pipeline import run_ingest

pytestmark = pytest.mark.slow


def serve(settings: Settings) -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="error")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def api(settings, embedder) -> Iterator[httpx.Client]:
    run_ingest(settings, ["briefings"], embedder=embedder, announce=lambda _: None)
    for base in serve(settings):
        with httpx.Client(base_url=base, timeout=30) as client:
            yield client


@pytest.fixture
def keyed_api(settings, embedder) -> Iterator[httpx.Client]:
    run_ingest(settings, ["briefings"], embedder=embedder, announce=lambda _: None)
    keyed = settings.model_copy(update={"api_key": SecretStr("s3cret-key")})
    for base in serve(keyed):
        with httpx.Client(base_url=base, timeout=30) as client:
            yield client


def test_ask_returns_the_contract_with_exact_quotes(api):
    body = api.post("/api/ask", json={"question": "What is poverty blindness?"}).json()
    assert body["refused"] is False and body["mode"] == "extractive"
    assert set(body["timings_ms"]) == {"retrieve", "answer"}
    for citation in body["citations"]:
        passage = api.get(f"/api/passages/{citation['passage_id']}").json()["passage"]
        assert citation["quote"] in passage["text"]
        assert citation["report_id"] == passage["report_id"]
        assert f"[{citation['n']}]" in body["answer"]


def test_off_topic_question_is_refused(api):
    body = api.post("/api/ask", json={"question": "What is the capital of France?"}).json()
    assert body["refused"] is True
    assert body["citations"] == []
    assert body["related"]


def test_follow_up_uses_history(api):
    history = [{"question": "What does the exploitation review say about critical moments?"}]
    q = "what are the signs?"
    with_history = api.post("/api/ask", json={"question": q, "history": history}).json()
    without = api.post("/api/ask", json={"question": q}).json()
    assert "exclusion" in with_history["answer"]
    assert without["refused"] or "exclusion" not in without["answer"]


def test_compare_answers_per_report(api):
    body = api.post("/api/compare", json={"question": "What do they say about risk?"}).json()
    ids = [column["report_id"] for column in body["answers"]]
    assert ids == ["triennial-2014-17", "hard-to-escape"]  # manifest order, indexed reports only
    for column in body["answers"]:
        cited = {c["report_id"] for c in column["answer"]["citations"]}
        assert cited <= {column["report_id"]}


def test_stream_ends_with_the_answer_event(api):
    with api.stream(
        "POST", "/api/ask/stream", json={"question": "What is poverty blindness?"}
    ) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        text = "".join(r.iter_text())
    assert text.startswith("event: answer\ndata: {")


def test_passages_neighbours_and_sections(api):
    sections = api.get("/api/reports/triennial-2014-17/sections").json()
    assert [s["section"] for s in sections] == ["3 Neglect", "3 Neglect > Poverty blindness"]
    assert sections[0]["page_start"] == 54
    first = api.get(f"/api/passages/{sections[0]['first_passage_id']}").json()
    assert first["previous_id"] is None and first["next_id"]
    assert api.get("/api/passages/nope").status_code == 404
    assert api.get("/api/reports/nope/sections").status_code == 404


@pytest.mark.parametrize(
    ("path", "payload", "status", "reason"),
    [
        ("/api/ask", {"question": ""}, 422, "empty"),
        ("/api/ask", {"question": "   \n "}, 422, "empty"),
        ("/api/ask", {"question": "x" * 5000}, 422, "limit is 1000"),
        ("/api/ask", {"question": "neglect\x00\x07 binary"}, 422, "control or binary"),
        ("/api/ask", {"question": "neglect", "report_ids": ["nope"]}, 422, "unknown report id"),
        ("/api/ask", {"question": "neglect", "history": [{"question": "a"}] * 21}, 422, "20"),
        ("/api/ask", {"question": "neglect", "mode": "generative"}, 422, "not configured"),
        ("/api/search", {"query": "neglect", "k": 10_000}, 422, "less than or equal to 50"),
        ("/api/compare", {"question": "neglect", "report_ids": ["x"]}, 422, "unknown report"),
        ("/api/ask", {"question": "y" * 70_000}, 413, "larger than"),
    ],
)
def test_bad_requests_get_documented_4xx(api, path, payload, status, reason):
    response = api.post(path, json=payload)
    assert response.status_code == status, response.text
    assert reason in response.text
    assert "yyyyyyyyyy" not in response.text and "xxxxxxxxxx" not in response.text


@pytest.mark.parametrize(
    ("content", "status"), [(b"\xff\xfe binary", 400), (b"not json", 422), (b"[1, 2]", 422)]
)
def test_non_json_bodies_are_4xx_with_reason(api, content, status):
    headers = {"content-type": "application/json"}
    response = api.post("/api/ask", content=content, headers=headers)
    assert response.status_code == status
    assert response.json()["detail"]


def test_api_key_is_required_when_set(keyed_api):
    assert keyed_api.post("/api/search", json={"query": "neglect"}).status_code == 401
    wrong = {"X-API-Key": "nope"}
    assert keyed_api.post("/api/search", json={"query": "x"}, headers=wrong).status_code == 401
    ok = keyed_api.post(
        "/api/search", json={"query": "neglect"}, headers={"X-API-Key": "s3cret-key"}
    )
    assert ok.status_code == 200
    bearer = {"Authorization": "Bearer s3cret-key"}
    assert keyed_api.get("/api/reports", headers=bearer).status_code == 200
    assert keyed_api.get("/health").status_code == 200  # health stays open for load balancers
