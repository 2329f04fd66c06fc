"""The extractive pipeline on a real index: quotes, citations, grouping, refusal, follow-ups."""

from __future__ import annotations

import pytest

from assistant.answer import ExtractiveAnswerer
from assistant.followup import Turn, is_follow_up, question_parts
from assistant.store import open_store
from assistant.text_features import (
    names,
    specific_terms,
    spelled_out,
    with_acronyms_spelled_out,
)
from ingest.pipeline import run_ingest
from tests.conftest import write_briefing


@pytest.fixture
def answerer(settings, embedder) -> ExtractiveAnswerer:
    run_ingest(settings, ["briefings"], embedder=embedder, announce=lambda _: None)
    return ExtractiveAnswerer(open_store(settings), embedder)


def test_specific_terms_normalise_year_ranges_and_figures():
    assert specific_terms("the 2009-11 and 2014 to 2017 reviews, 60% and 1,500") == {
        "2009-11",
        "2014-17",
        "60%",
        "1500",
    }


def test_follow_up_detection():
    assert is_follow_up("what about for babies?")
    assert is_follow_up("and were they known to services?")
    assert is_follow_up("from how many local areas?")  # a preposition and a question word lead
    assert not is_follow_up("What does the triennial analysis say about neglect and poverty?")
    assert not is_follow_up("In what way did the triennial analysis describe neglect?")


def test_a_question_asking_two_things_is_split_before_the_second_question_word():
    assert question_parts("How long did it run, and who paid for it?") == [
        "How long did it run",
        "who paid for it?",
    ]
    assert question_parts("Who led it and how many cases did it look at?") == [
        "Who led it",
        "how many cases did it look at?",
    ]
    assert question_parts("What did it find about neglect and poverty?") == [
        "What did it find about neglect and poverty?"
    ]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "first", "second"),
    [
        (
            "What does moving a family away from the area buy, and what are the signs of a"
            " critical moment?",
            "buys respite",
            "school exclusion",
        ),
        (
            "What share of reviews involved neglect, and what warning signs stop registering?",
            "three-quarters",
            "poor dental care",
        ),
    ],
)
def test_each_thing_a_question_asks_gets_its_own_sentence(
    answerer, monkeypatch, question, first, second
):
    answer = answerer.run(question).answer
    assert first in answer and second in answer
    monkeypatch.setattr("assistant.answer.question_parts", lambda text: [text])
    whole = answerer.run(question).answer  # read as one question, the second thing is lost
    assert first in whole and second not in whole


@pytest.mark.slow
def test_answer_quotes_passages_word_for_word_with_valid_citations(answerer):
    answer = answerer.run("What is poverty blindness?")
    assert not answer.refused
    assert 1 <= len(answer.citations) <= answerer.params.compose.max_sentences + 1
    for citation in answer.citations:
        passage = answerer.store.passage(citation.passage_id)
        assert passage is not None
        assert citation.quote in passage.text
        assert f"{citation.quote} [{citation.n}]" in answer.answer
        assert citation.section == passage.section
    assert answer.citations[0].section == "3 Neglect > Poverty blindness"
    assert answer.answer.startswith("The triennial analysis of serious case reviews 2014-17")
    assert "briefings" in (answer.notice or "")
    assert answer.context and answer.context[0] in {c.passage_id for c in answer.citations}
    assert answer.answerability is not None and 0 <= answer.answerability <= 1


@pytest.mark.slow
def test_answer_groups_sentences_by_report(answerer):
    answer = answerer.run("What do the reports say about neglect and about critical moments?")
    reports = [c.report_id for c in answer.citations]
    assert set(reports) == {"triennial-2014-17", "hard-to-escape"}
    # one paragraph per report, so citations of a report are contiguous
    assert reports == sorted(reports, key=reports.index)
    assert answer.answer.count("\n\n") == 1


@pytest.mark.slow
@pytest.mark.parametrize(
    "question",
    ["What is the capital of France?", "How do I reset my email password?"],
)
def test_off_topic_questions_are_refused(answerer, question):
    answer = answerer.run(question)
    assert answer.refused
    assert answer.citations == []
    assert "don't appear to cover" in answer.answer
    assert answer.related, "the nearest passages are offered as reading"
    assert answer.warnings and "confidence" in answer.warnings[0]


@pytest.mark.slow
def test_follow_up_resolves_with_history_and_not_without(answerer):
    history = [Turn(question="What does the exploitation review say about critical moments?")]
    with_history = answerer.run("what are the signs?", history=history)
    without = answerer.run("what are the signs?")
    assert with_history.query.startswith("what are the signs")  # its own words first
    assert "critical moments" in with_history.query
    assert not with_history.refused
    assert "exclusion" in with_history.answer
    assert without.refused or "exclusion" not in without.answer


@pytest.mark.slow
def test_report_filter_limits_the_answer(answerer):
    answer = answerer.run("What does the review say about moving a child away?", ["hard-to-escape"])
    assert {c.report_id for c in answer.citations} == {"hard-to-escape"}
    assert answer.timings_ms["retrieve"] >= 0 and answer.timings_ms["answer"] >= 0


def test_initialisms_spell_out_names():
    text = "The Local Government Association and the Department for Education agreed."
    assert {"lga", "de", "dfe"} <= set(spelled_out(text))


def test_acronyms_the_corpus_spells_out_are_followed_by_their_names():
    names = spelled_out("The Crown Prosecution Service and the Local Government Association met.")
    assert names["cps"] == "Crown Prosecution Service"
    assert names["lga"] == "Local Government Association"  # no leading "The"
    spelled = with_acronyms_spelled_out("did the LGA and the CPSs agree, or the NHS?", names)
    assert spelled == (
        "did the LGA (Local Government Association) and the CPSs (Crown Prosecution Service)"
        " agree, or the NHS?"
    )
    named = "what did the LGA, the Local Government Association, say?"
    assert with_acronyms_spelled_out(named, names) == named  # already named
    assert with_acronyms_spelled_out("was the DE there?", {"de": "Department for Education"}) == (
        "was the DE there?"  # two letters are too easily something else
    )


def test_a_capital_s_is_part_of_an_acronym_and_a_small_s_is_a_plural():
    assert {"cps", "scr"} <= names("Did the CPS see the SCRs?")


MEMBERS = """## Panel members
<!-- page: 4 -->

Dale Simon is a barrister with more than 20 years in child abuse prosecution and policy, and was
formerly a director at the Crown Prosecution Service. Karen Manners was a senior police officer.
"""


@pytest.mark.slow
def test_an_acronym_finds_the_passage_that_only_spells_the_name_out(settings, embedder):
    write_briefing(settings.briefings_dir, "panel-annual-2018-19", "Annual report", MEMBERS)
    run_ingest(settings, ["briefings"], embedder=embedder, announce=lambda _: None)
    answerer = ExtractiveAnswerer(open_store(settings), embedder)
    assert answerer.store.acronyms["cps"] == "Crown Prosecution Service"
    answer = answerer.run("which Panel member used to work at the CPS?")
    assert not answer.refused, answer.warnings
    assert "Dale Simon" in answer.answer
    assert answer.question == "which Panel member used to work at the CPS?"  # shown as asked
    assert "Crown Prosecution Service" in (answer.query or "")


def test_possessives_do_not_hide_a_name():
    from assistant.text_features import words

    assert words("The Panel's report, the children’s homes") == [
        "the",
        "panel",
        "report",
        "the",
        "children",
        "homes",
    ]


def test_a_pronoun_with_its_verb_is_not_a_content_word():
    from assistant.text_features import content_terms

    assert content_terms("what about once they've been found? we're asking") == {"ask"}


@pytest.mark.slow
def test_count_question_is_answered_by_a_figure_for_what_it_counts(answerer):
    answered = answerer.run("What share of the serious case reviews involved neglect?")
    assert not answered.refused, answered.warnings
    assert "three-quarters" in answered.citations[0].quote


@pytest.mark.slow
def test_a_word_the_corpus_never_uses_does_not_refuse_on_its_own(answerer):
    """Lay words ("skint") are not in the briefings; the rest of the question is answered."""
    assert "skint" not in answerer.store.vocabulary
    answer = answerer.run("does being skint and poverty make neglect more likely?")
    assert not answer.refused, answer.warnings
    assert "Poverty" in answer.answer


@pytest.mark.slow
def test_each_stage_can_be_replaced_through_its_protocol(answerer):
    """A retriever that finds nothing: the pipeline refuses instead of failing."""

    class Nothing:
        def retrieve(self, query, k, report_ids=None):
            return []

    empty = ExtractiveAnswerer(answerer.store, answerer.embedder, retriever=Nothing())
    answer = empty.run("What is poverty blindness?")
    assert answer.refused and answer.related == []


THEMES = """## Key findings

Many themes in the analysis repeat from earlier analyses. Two new themes stood out: neglect that
builds up over time alongside poverty, and new threats of harm to adolescents. The analysis was
published by the Department for Education in March 2020. Chapter 3, on neglect, starts on page 54.
"""


@pytest.mark.slow
def test_a_sentence_is_read_with_the_one_before_it(settings, embedder):
    from dataclasses import replace

    from assistant.rerank import RerankParams, SentenceReranker

    write_briefing(settings.briefings_dir, "triennial-2014-17", "Complexity and challenge", THEMES)
    run_ingest(settings, ["briefings"], embedder=embedder, announce=lambda _: None)
    store = open_store(settings)
    trace = ExtractiveAnswerer(store, embedder).trace(
        "Which new themes stood out compared with earlier analyses?"
    )
    continuation = "Two new themes stood out"

    def scores(context_weight: float) -> dict[str, float]:
        params = replace(RerankParams(), context_weight=context_weight)
        ranked = SentenceReranker(store, params).rerank(trace.query, trace.hits)
        return {c.quote[:24]: c.score for c in ranked}

    read_alone, read_after = scores(0.0), scores(RerankParams().context_weight)
    assert read_after[continuation] > read_alone[continuation]  # "stood out" against what?
    lead_in = "Many themes in the analy"  # the passage's first sentence has nothing before it
    assert read_after[lead_in] == read_alone[lead_in]
