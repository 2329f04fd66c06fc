"""A report PDF through fetch's folder, ingest and search: pages, sections and #page links."""

from __future__ import annotations

import pytest

from assistant.search import search_passages
from assistant.store import open_store
from bench.library.report_pdf import make_report_pdf
from ingest.pipeline import run_ingest


@pytest.mark.slow
def test_downloaded_report_pdf_becomes_the_default_corpus_with_page_links(settings, embedder):
    settings.raw_dir.mkdir(parents=True)
    spec = make_report_pdf(settings.raw_dir / "hard-to-escape.pdf", chapters=3, pages_per_chapter=3)
    summary = run_ingest(settings, [], embedder=embedder, announce=lambda _: None)
    # one report downloaded: it replaces its briefing, the other report keeps its briefing
    assert summary.corpus == "mixed"
    kinds = {s.report_id: s.kind for s in summary.manifest.sources}
    assert kinds == {"hard-to-escape": "report", "triennial-2014-17": "briefing"}
    assert summary.pages == spec.page_count

    store = open_store(settings)
    report = [p for p in store.passages if p.source_kind == "report"]
    assert {p.report_id for p in report} == {"hard-to-escape"}
    assert report[0].report_title.startswith("It was hard to escape")
    sections = {p.section for p in report}
    assert {s.path for s in spec.sections} <= sections | {""}
    sentence = spec.sentences[0]
    holder = next(p for p in report if sentence.text in p.text)
    assert holder.section == sentence.section
    assert holder.page_start <= sentence.printed_page <= holder.page_end
    # the link opens the PDF at the physical page where the passage starts
    first_physical = holder.page_start + spec.first_printed_physical - 1
    assert holder.url is not None
    assert holder.url.endswith(f"#page={first_physical}")
    assert holder.url.startswith("https://www.gov.uk/")

    hits = search_passages(settings, sentence.text, k=3, report_ids=["hard-to-escape"])
    assert any(sentence.text in h.passage.text for h in hits)
