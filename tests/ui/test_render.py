"""The UI's HTML and Markdown, without a browser."""

from __future__ import annotations

import re

from assistant.answer_schema import Answer, Citation
from assistant.index_schema import Passage
from assistant.service import Comparison, ReportAnswer
from ui import render

PASSAGE = Passage(
    id="p1",
    report_id="triennial-2014-17",
    report_title="Complexity and challenge",
    section="3 Neglect",
    page_start=54,
    page_end=54,
    text="Neglect was present in most reviews. Poverty  makes family life more stressful.",
    url="https://example.org/report.pdf#page=54",
)
CITATION = Citation.of(1, PASSAGE, "Poverty makes family life more stressful.")


def lookup(passage_id: str) -> Passage | None:
    return PASSAGE if passage_id == PASSAGE.id else None


def test_answer_markdown_writes_the_references_out_for_copying():
    answer = Answer(
        question="q", answer="Poverty adds stress. [1]", refused=False, citations=[CITATION]
    )
    text = render.answer_markdown(answer)
    assert text.startswith("Poverty adds stress. [1]")
    assert "[1] Complexity and challenge, 3 Neglect, p. 54" in text
    assert "official PDF: https://example.org/report.pdf#page=54" in text


def test_refusal_is_marked_not_covered_and_offers_related_reading_only():
    answer = Answer(
        question="q", answer="The reports don't cover this.", refused=True, related=[CITATION]
    )
    text = render.answer_markdown(answer)
    assert text.startswith(f"**{render.NOT_COVERED}.**")
    assert "Related reading (not an answer):" in text and "References:" not in text
    panel = render.sources_html(answer, lookup)
    assert 'class="sg-refused"' in panel and "<mark>" not in panel


def test_quote_is_highlighted_inside_its_passage_despite_spacing():
    html = render.sources_html(
        Answer(question="q", answer="a [1]", refused=False, citations=[CITATION]), lookup
    )
    assert "<mark>Poverty  makes family life more stressful.</mark>" in html
    assert 'data-passage="p1"' in html and 'href="https://example.org/report.pdf#page=54"' in html


def test_index_text_is_escaped():
    evil = PASSAGE.model_copy(update={"text": "<script>alert(1)</script> x", "id": "p2"})
    html = render.passage_html(evil)
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_comparison_has_one_column_per_report():
    answers = [
        ReportAnswer(
            report_id=r,
            report_title=t,
            answer=Answer(question="q", answer="a [1]", refused=False, citations=[CITATION]),
        )
        for r, t in (("a", "Report A"), ("b", "Report B"))
    ]
    html = render.comparison_html(Comparison(question="q", answers=answers), lookup)
    assert html.count('class="sg-column"') == 2
    assert "### Report A" in render.comparison_markdown(Comparison(question="q", answers=answers))


def test_heatmap_cells_are_labelled_buttons_with_their_counts():
    html = render.heatmap_html(
        {"neglect": {"a": 3, "b": 0}}, {"neglect": "Neglect"}, {"a": "Report A", "b": "Report B"}
    )
    assert 'aria-label="Neglect in Report A: 3 passages"' in html
    assert 'data-theme="neglect" data-report="b"' in html and "sg-level-0" in html
    assert "sg-level-4" in html  # the largest count gets the darkest shade


def test_notice_only_when_there_is_one():
    assert render.notice_html(None) == ""
    assert "<code>safeguarding fetch</code>" in render.notice_html("Run `safeguarding fetch`.")


BRIEFING = PASSAGE.model_copy(update={"source_kind": "briefing", "url": None})
CHAPTER_54 = "chapter starts on p. 54 of the report"


def briefing_lookup(passage_id: str) -> Passage | None:
    return BRIEFING if passage_id == BRIEFING.id else None


def test_a_briefing_source_says_its_page_is_where_the_chapter_starts():
    citation = Citation.of(1, BRIEFING, "Poverty makes family life more stressful.")
    answer = Answer(
        question="q", answer="Poverty adds stress. [1]", refused=False, citations=[citation]
    )
    where = re.findall(
        r'<p class="sg-where">(.*?)</p>', render.sources_html(answer, briefing_lookup)
    )
    assert where == [
        f'<span class="sg-n">[1]</span> Complexity and challenge, 3 Neglect, {CHAPTER_54}'
    ]
    assert f"[1] Complexity and challenge, 3 Neglect, {CHAPTER_54}" in render.answer_markdown(
        answer
    )
    assert CHAPTER_54 in render.passage_html(BRIEFING)
    assert CHAPTER_54 in render.passage_list_html([BRIEFING], "Neglect", "none")
    assert "3 Neglect, p. 54</p>" in render.sources_html(
        Answer(question="q", answer="a [1]", refused=False, citations=[CITATION]), lookup
    )


def test_two_sentences_of_one_passage_share_one_card_each_marked_with_its_number():
    first = Citation.of(1, PASSAGE, "Neglect was present in most reviews.")
    second = Citation.of(2, PASSAGE, "Poverty makes family life more stressful.")
    answer = Answer(
        question="q",
        answer="Neglect was present. [1] Poverty adds stress. [2]",
        refused=False,
        citations=[first, second],
    )
    html = render.sources_html(answer, lookup)
    assert html.count('<li class="sg-source"') == 1
    assert "<h2>Sources (1)</h2>" in html
    card = re.findall(r'<blockquote class="sg-passage">(.*?)</blockquote>', html)
    assert card == [
        '<mark>Neglect was present in most reviews.</mark><span class="sg-n"> [1]</span> '
        '<mark>Poverty  makes family life more stressful.</mark><span class="sg-n"> [2]</span>'
    ]
    assert '<span class="sg-n">[1] [2]</span>' in html and "Open [1] [2] in Reports" in html


def test_every_mark_in_a_shared_card_is_escaped():
    evil = PASSAGE.model_copy(update={"text": "A <b>x</b> one. B & <i>two</i>."})
    quotes = [Citation.of(1, evil, "A <b>x</b> one."), Citation.of(2, evil, "B & <i>two</i>.")]
    answer = Answer(question="q", answer="a [1] b [2]", refused=False, citations=quotes)
    html = render.sources_html(answer, lambda _: evil)
    assert "<b>" not in html and "<i>" not in html
    assert "<mark>A &lt;b&gt;x&lt;/b&gt; one.</mark>" in html
    assert "<mark>B &amp; &lt;i&gt;two&lt;/i&gt;.</mark>" in html
