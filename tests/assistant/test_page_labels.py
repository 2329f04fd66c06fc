"""Page labels say what the page is: a briefing's marker is where the report's chapter starts,
a report's page is the page the sentence is on (issue #18)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.answer_schema import Citation
from assistant.app import create_app
from assistant.embedder import Embedder
from assistant.index_schema import Passage, pages_label
from tests.indexes import briefing_index

CHAPTER_54 = "chapter starts on p. 54 of the report"


def passage(kind: str, start: int | None, end: int | None) -> Passage:
    return Passage.model_validate(
        {
            "id": "p1",
            "report_id": "triennial-2014-17",
            "report_title": "Complexity and challenge",
            "section": "3 Neglect",
            "page_start": start,
            "page_end": end,
            "text": "Neglect was present in most reviews.",
            "source_kind": kind,
        }
    )


def test_a_briefing_passage_names_the_chapter_start_not_the_sentence_page():
    assert passage("briefing", 54, 54).pages_label == CHAPTER_54
    assert passage("briefing", 54, 56).pages_label == CHAPTER_54  # the start is what was marked


@pytest.mark.parametrize("kind", ["report", "document"])
def test_a_pdf_passage_keeps_its_own_page(kind):
    assert passage(kind, 12, 12).pages_label == "p. 12"
    assert passage(kind, 12, 13).pages_label == "pp. 12-13"
    assert passage(kind, None, None).pages_label == ""


def test_the_label_is_one_function_of_the_kind():
    assert pages_label(54, None, "briefing") == CHAPTER_54
    assert pages_label(None, None, "briefing") == ""
    assert pages_label(12, 13, "report") == "pp. 12-13"


def test_a_citation_carries_the_label_and_older_json_still_validates():
    briefing = Citation.of(1, passage("briefing", 54, 54), "Neglect was present.")
    dumped = briefing.model_dump(mode="json")
    assert dumped["pages_label"] == CHAPTER_54
    assert briefing.reference().endswith(f"3 Neglect, {CHAPTER_54}")
    older = {k: v for k, v in dumped.items() if k != "pages_label"}
    assert Citation.model_validate(older).pages_label == CHAPTER_54
    report = Citation.of(2, passage("report", 12, 13), "Neglect was present.")
    assert report.model_dump()["pages_label"] == "pp. 12-13"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> TestClient:
    root: Path = tmp_path_factory.mktemp("labels")
    return TestClient(create_app(briefing_index(root, embedder)))


@pytest.mark.slow
def test_api_citations_from_briefings_say_where_the_chapter_starts(client):
    body = client.post("/api/ask", json={"question": "What is poverty blindness?"}).json()
    assert body["refused"] is False and body["citations"]
    for citation in body["citations"]:
        assert citation["source_kind"] == "briefing"
        assert citation["pages_label"] == CHAPTER_54


def test_api_search_results_carry_the_same_label(client):
    hits = client.post("/api/search", json={"query": "poverty blindness", "k": 3}).json()
    assert hits and all(
        h["pages_label"] == pages_label(h["page_start"], h["page_end"], h["source_kind"])
        for h in hits
    )
    assert any(h["pages_label"].startswith("chapter starts on p.") for h in hits)
