"""The compose stage: a sentence joins the answer because it answers the question."""

from __future__ import annotations

import pytest

from assistant.answer import ExtractiveAnswerer
from assistant.compose import ComposeParams, ExtractiveComposer
from assistant.rerank import Candidate, is_pointer, is_source_note
from assistant.store import open_store
from tests.indexes import briefing_index


@pytest.fixture(scope="module")
def answerer(tmp_path_factory, embedder) -> ExtractiveAnswerer:
    return ExtractiveAnswerer(
        open_store(briefing_index(tmp_path_factory.mktemp("compose"), embedder)), embedder
    )


def candidate(answerer, quote: str, score: float, similarity: float, **kw) -> Candidate:
    passage = answerer.store.passages[0]
    vector = answerer.embedder.encode([quote])[0]
    terms = frozenset(kw.pop("terms", ()))
    return Candidate(passage, quote, vector, similarity, score, terms, 1, **kw)


def test_pointers_and_source_notes_are_recognised():
    assert is_pointer("Chapter 3 of the report, on neglect, starts on page 54 of the report.")
    assert is_pointer("Its sections: numbers (page 31); geography (page 33).")
    assert not is_pointer("Neglect was present in about three-quarters of the reviews.")
    assert is_source_note("(Sources: SCIE; Research in Practice.)")


@pytest.mark.slow
def test_a_chapter_pointer_never_leads_unless_the_question_asks_where(answerer):
    query = answerer.rewriter.run("what did the triennial find about neglect?")
    pointer = candidate(
        answerer,
        "Chapter 3, on neglect, starts on page 54.",
        2.0,
        0.7,
        gives_type=False,
        pointer=True,
        terms={"neglect"},
    )
    content = candidate(
        answerer,
        "Neglect was present in about three-quarters of reviews.",
        1.9,
        0.7,
        gives_type=False,
        pointer=False,
        terms={"neglect"},
    )
    assert answerer.composer.select(query, [pointer, content])[0] is content
    where = answerer.rewriter.run("on what page does the neglect chapter start?")
    assert answerer.composer.select(where, [pointer, content])[0] is pointer


@pytest.mark.slow
def test_sentences_off_the_topic_do_not_pad_the_answer(answerer):
    query = answerer.rewriter.run("what is poverty blindness?")
    best = candidate(
        answerer,
        "Professionals can become used to poverty when they judge risk.",
        1.5,
        0.7,
        gives_type=False,
        pointer=False,
        terms={"poverti"},
    )
    off = candidate(
        answerer,
        "The Panel received funding of one billion pounds for care.",
        1.4,
        0.35,
        gives_type=False,
        pointer=False,
        terms={"fund"},
    )
    assert answerer.composer.select(query, [best, off]) == [best]


@pytest.mark.slow
def test_a_count_is_followed_only_by_counts(answerer):
    query = answerer.rewriter.run("how many serious case reviews were there?")
    assert query.wanted is not None and query.wanted.kind == "count"
    count = candidate(
        answerer,
        "The analysis covered 368 serious case reviews in England.",
        1.8,
        0.7,
        gives_type=True,
        pointer=False,
        terms={"serious", "case"},
    )
    other = candidate(
        answerer,
        "Serious case reviews were commissioned by local boards here.",
        1.7,
        0.7,
        gives_type=False,
        pointer=False,
        terms={"serious", "case"},
    )
    assert answerer.composer.select(query, [count, other]) == [count]


@pytest.mark.slow
def test_at_most_max_sentences_and_no_repeats(answerer):
    query = answerer.rewriter.run("what did the reports say about neglect?")
    quotes = [f"Neglect finding number {n} was reported in the reviews studied." for n in range(8)]
    cands = [
        candidate(
            answerer, q, 1.5 - 0.01 * i, 0.7, gives_type=False, pointer=False, terms={"neglect"}
        )
        for i, q in enumerate(quotes)
    ]
    composer = ExtractiveComposer(
        answerer.store, ComposeParams(max_sentences=3, duplicate_above=1.1, max_per_passage=9)
    )
    assert len(composer.select(query, cands)) == 3
    same = ExtractiveComposer(answerer.store, ComposeParams(duplicate_above=0.5, max_per_passage=9))
    assert len(same.select(query, cands)) == 1  # the rest say the same thing
