"""Extractive answers on a real index: quotes, citations, grouping, refusal, follow-ups."""

from __future__ import annotations

import pytest

from assistant.answer import AnswerParams, ExtractiveAnswerer, missing_specifics
from assistant.followup import Turn, embedding_text, expand, is_follow_up
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


def test_follow_up_detection_and_expansion():
    history = [Turn(question="What does the exploitation review say about critical moments?")]
    assert is_follow_up("what about for babies?")
    assert is_follow_up("and were they known to services?")
    assert not is_follow_up("What does the triennial analysis say about neglect and poverty?")
    assert expand("what are the signs?", history) == ("exploitation critical moments signs")
    assert expand("what are the signs?", []) == "what are the signs?"


def test_a_follow_up_is_embedded_as_written_after_the_questions_it_leans_on():
    first = Turn(question="Who led the review?")
    second = Turn(question="and who helped?")
    assert embedding_text("what was her job?", [first]) == "Who led the review; what was her job?"
    assert embedding_text("what was her job?", [first, second]) == (
        "Who led the review; and who helped; what was her job?"
    )
    question = "What does the triennial analysis say about neglect and poverty?"
    assert embedding_text(question, [first]) == question


def test_he_and_her_stand_for_the_first_person_the_previous_answer_names():
    answer = "The Panel (project briefing): Edward Timpson CBE chaired the Panel in 2019. [1]"
    first = Turn(question="Who chaired the Panel?", answer=answer)
    assert embedding_text("what was his background?", [first]) == (
        "Who chaired the Panel; Edward Timpson; what was his background?"
    )
    assert expand("what was his background?", [first]) == "chaired panel edward timpson background"
    assert expand("what was their background?", [first]) == "chaired panel background"
    unnamed = Turn(question="Who chaired the Panel?", answer="The Panel's chair. [1]")
    assert expand("what was his background?", [unnamed]) == "chaired panel background"


@pytest.mark.slow
def test_answer_quotes_passages_word_for_word_with_valid_citations(answerer):
    answer = answerer.run("What is poverty blindness?")
    assert not answer.refused
    assert 1 <= len(answer.citations) <= 5
    for citation in answer.citations:
        passage = answerer.store.passage(citation.passage_id)
        assert passage is not None
        assert citation.quote in passage.text
        assert f"{citation.quote} [{citation.n}]" in answer.answer
        assert citation.section == passage.section
    assert answer.citations[0].section == "3 Neglect > Poverty blindness"
    assert answer.answer.startswith("The triennial analysis of serious case reviews 2014-17")
    assert "briefings" in (answer.notice or "")


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
    [
        "What is the capital of France?",
        "How do I reset my email password?",
        "What share of the 2009-11 serious case reviews involved neglect?",
    ],
)
def test_off_topic_and_other_period_questions_are_refused(answerer, question):
    answer = answerer.run(question)
    assert answer.refused
    assert answer.citations == []
    assert "don't appear to cover" in answer.answer
    assert answer.related, "the nearest passages are offered as reading"


@pytest.mark.slow
def test_missing_specific_figure_triggers_refusal_reason(answerer):
    store = answerer.store
    assert missing_specifics("neglect in 2009-11", store.specifics) == {"2009-11"}
    answer = answerer.run("What share of the 2009-11 serious case reviews involved neglect?")
    assert any("2009-11" in w for w in answer.warnings)


@pytest.mark.slow
def test_follow_up_resolves_with_history_and_not_without(answerer):
    history = [Turn(question="What does the exploitation review say about critical moments?")]
    with_history = answerer.run("what are the signs?", history=history)
    without = answerer.run("what are the signs?")
    assert with_history.query == "exploitation critical moments signs"
    assert not with_history.refused
    assert "exclusion" in with_history.answer
    assert without.refused or "exclusion" not in without.answer


@pytest.mark.slow
def test_report_filter_limits_the_answer(answerer):
    answer = answerer.run("What does the review say about moving a child away?", ["hard-to-escape"])
    assert {c.report_id for c in answer.citations} == {"hard-to-escape"}
    assert answer.timings_ms["retrieve"] >= 0 and answer.timings_ms["answer"] >= 0


@pytest.mark.parametrize(
    ("query", "sentence", "expected"),
    [
        ("how many SCRs were in the analysis", "The analysis covered 368 SCRs.", True),
        ("what share involved neglect", "Neglect was present in about three-quarters.", True),
        # the only figure is the one the question already states
        (
            "what share of the 538 rapid reviews were about teenagers",
            "The Panel read 538 rapid reviews.",
            False,
        ),
        # a figure, but not about the group the question names
        ("what percentage involved domestic abuse", "44% involved risk-taking behaviour.", False),
        ("how many notifications were about a child who died", "Over 230 involved deaths.", True),
        ("how many involved babies", "No figure is given here.", False),
    ],
)
def test_gives_figure_needs_a_new_figure_about_the_named_group(query, sentence, expected):
    from assistant.answer import gives_figure

    assert gives_figure(query, sentence) is expected


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


@pytest.mark.slow
def test_count_question_is_answered_only_by_a_figure_for_what_it_counts(answerer):
    answered = answerer.run("How many of the serious case reviews involved neglect?")
    assert not answered.refused
    assert "three-quarters" in answered.citations[0].quote
    refused = answerer.run("How many police forces reported neglect in these reviews?")
    assert refused.refused
    assert any("figure" in w for w in refused.warnings)


@pytest.mark.slow
def test_question_about_another_period_needs_an_answer_that_names_it(answerer):
    # Say the corpus mentions 2009-11 somewhere: the neglect sentences still don't, so no answer.
    answerer.store.__dict__["specifics"] = answerer.store.specifics | {"2009-11"}
    answer = answerer.run("What share of the 2009-11 serious case reviews involved neglect?")
    assert answer.refused
    assert answer.warnings == ["no passage about 2009-11 answers it"]
    assert not answerer.run("What share of the serious case reviews involved neglect?").refused


@pytest.mark.slow
def test_a_short_lead_in_takes_the_next_sentence_of_its_passage(answerer):
    question = "What is poverty blindness?"
    vector = answerer.embedder.encode([question])[0]
    hits = answerer.retriever.run(question, 8, None, vector)
    ranked = answerer.candidates(question, question, vector, hits)
    lead = next(c for c in ranked if c.quote.startswith("Professionals can become used"))
    longer = ExtractiveAnswerer(answerer.store, answerer.embedder, AnswerParams(lead_in_words=12))
    continued = longer.with_lead_ins_continued([lead], ranked)
    assert [c.quote[:14] for c in continued] == ["Professionals ", "Warning signs "]
    shorter = ExtractiveAnswerer(answerer.store, answerer.embedder, AnswerParams(lead_in_words=8))
    assert shorter.with_lead_ins_continued([lead], ranked) == [lead]


@pytest.mark.slow
def test_an_answer_sharing_no_word_of_the_topic_and_only_loosely_similar_is_refused(answerer):
    from assistant.answer import Candidate
    from assistant.text_features import content_terms
    from assistant.topic import topic

    passage = answerer.store.passages[0]
    quote = "Neglect was present in about three-quarters of the serious case reviews analysed."
    vector = answerer.embedder.encode([quote])[0]

    def candidate(similarity: float) -> Candidate:
        return Candidate(passage, quote, vector, similarity, similarity, content_terms(quote))

    def topic_of(question: str) -> set[str]:
        return content_terms(topic(question))

    question = topic_of("what did the triennial say about female genital mutilation?")
    assert answerer.shares_nothing(question, [candidate(0.45)])
    assert not answerer.shares_nothing(question, [candidate(0.55)])  # close in meaning
    assert not answerer.shares_nothing(
        topic_of("what did it say about neglect?"), [candidate(0.45)]
    )


@pytest.mark.slow
def test_an_answer_to_a_question_turning_on_words_the_corpus_never_uses_is_refused(answerer):
    from assistant.answer import Candidate
    from assistant.text_features import content_terms

    passage = answerer.store.passages[0]
    quote = "Poverty makes family life more stressful and can increase the likelihood of neglect."
    vector = answerer.embedder.encode([quote])[0]

    def candidate(similarity: float) -> list[Candidate]:
        return [Candidate(passage, quote, vector, similarity, similarity, content_terms(quote))]

    assert answerer.never_used("fees")
    assert not answerer.never_used("poverty-wise")  # a part of it is in the corpus
    fees = "how are care home fees and top-up charges worked out for families"
    assert "fees" in answerer.mostly_unknown(fees, candidate(0.45))
    assert answerer.mostly_unknown(fees, candidate(0.55)) == []  # an answer close in meaning
    lay = "in a nutshell, how does poverty affect the likelihood of neglect"
    assert answerer.never_used("nutshell")
    assert answerer.mostly_unknown(lay, candidate(0.45)) == []  # "nutshell" says little


@pytest.mark.slow
def test_a_question_turning_on_a_word_the_reports_never_use_is_refused(answerer):
    answer = answerer.run("what did the review say about restraint of children in care?")
    assert answer.refused
    assert answer.warnings == ["the reports in the index don't mention restraint"]
    assert not answerer.run("what did the review say about poverty and neglect?").refused
