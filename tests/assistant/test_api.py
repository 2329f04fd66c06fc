"""The HTTP API, driven through its real interface."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from assistant.app import create_app
from ingest.pipeline import run_ingest


@pytest.fixture
def client(settings, embedder):
    run_ingest(settings, ["briefings"], embedder=embedder, announce=lambda _: None)
    return TestClient(create_app(settings))


def test_health_without_index_is_degraded_not_an_error(settings):
    response = TestClient(create_app(settings)).get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert "safeguarding ingest" in response.json()["detail"]


def test_search_without_index_is_503_with_reason(settings):
    response = TestClient(create_app(settings)).post("/api/search", json={"query": "neglect"})
    assert response.status_code == 503
    assert "safeguarding ingest" in response.json()["detail"]


@pytest.mark.slow
def test_search_returns_passages_with_report_section_page(client):
    response = client.post("/api/search", json={"query": "poverty blindness", "k": 2})
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 2
    assert rows[0]["report_id"] == "triennial-2014-17"
    assert rows[0]["section"] == "3 Neglect > Poverty blindness"
    assert rows[0]["page_start"] == 54


@pytest.mark.slow
@pytest.mark.parametrize(
    "body",
    [{}, {"query": ""}, {"query": "   "}, {"query": "x", "k": 0}, {"query": "x" * 5000}, []],
)
def test_bad_search_requests_get_422_without_echoing_input(client, body):
    response = client.post("/api/search", json=body)
    assert response.status_code == 422
    assert "xxxxx" not in response.text


@pytest.mark.slow
def test_unknown_report_filter_is_422(client):
    response = client.post("/api/search", json={"query": "neglect", "report_ids": ["nope"]})
    assert response.status_code == 422
    assert "nope" in response.json()["detail"]


@pytest.mark.slow
def test_reports_endpoint_flags_briefings(client):
    body = client.get("/api/reports").json()
    assert body["corpus"] == "briefings"
    assert "not from the reports' own text" in body["notice"]
    by_id = {r["id"]: r["indexed_from"] for r in body["reports"]}
    assert by_id == {
        "triennial-2014-17": "briefing",
        "panel-annual-2018-19": "none",
        "hard-to-escape": "briefing",
    }
    assert {r["year"] for r in body["reports"]} == {2020}  # the filters' metadata
    assert set(body["filters"]) == {"years", "types", "publishers", "areas"}
    assert "Department for Education" in body["filters"]["publishers"]


@pytest.mark.slow
def test_health_reports_the_live_build(client):
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["index"]["corpus"] == "briefings"
