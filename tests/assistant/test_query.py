"""The rewrite stage: one Query per question, follow-ups that keep their own words in front."""

from __future__ import annotations

import pytest

from assistant.followup import Turn
from assistant.knowledge import knowledge_at
from assistant.query import ROLE, QueryRewriter, standalone_text, without_role
from assistant.settings import PROJECT_ROOT
from assistant.spelling import Speller, edits

KNOWLEDGE = knowledge_at(PROJECT_ROOT / "corpus" / "manifest.toml")
BABIES = Turn(question="why do babies get hurt at home?")


def test_a_follow_up_keeps_its_own_words_in_front():
    text = standalone_text("and for teenagers?", [BABIES], KNOWLEDGE)
    assert text.startswith("and for teenagers")
    assert "babies" in text and "hurt" in text  # what it refers to follows
    assert standalone_text("What is poverty blindness?", [BABIES]) == "What is poverty blindness?"
    assert standalone_text("and for teenagers?", []) == "and for teenagers?"


def test_a_follow_up_naming_its_own_report_drops_the_earlier_report():
    first = Turn(question="What did the triennial say about babies at risk?")
    text = standalone_text("does the annual report agree?", [first], KNOWLEDGE)
    assert KNOWLEDGE.named_reports(text) == {"panel-annual-2018-19"}
    assert "babies" in text and "triennial" not in text


def test_he_and_her_stand_for_the_first_person_the_previous_answer_names():
    answer = "The Panel (project briefing): Edward Timpson CBE chaired the Panel in 2019. [1]"
    first = Turn(question="Who chaired the Panel?", answer=answer)
    assert "edward timpson" in standalone_text("what was his background?", [first]).lower()
    # "their" stands for the person too when the turn before asked who
    assert "edward timpson" in standalone_text("what was their background?", [first]).lower()
    about = Turn(question="What did the Panel say about parents?", answer=answer)
    assert "timpson" not in standalone_text("what was their background?", [about]).lower()


@pytest.mark.parametrize(
    ("question", "rest"),
    [
        ("As a health visitor, which babies were most at risk?", "which babies were most at risk?"),
        ("DSL here - what % of the SCRs had neglect?", "what % of the SCRs had neglect?"),
        ("SW here. what did the SCRs say on supervision?", "what did the SCRs say on supervision?"),
        ("HV asking - what were the routes to harm?", "what were the routes to harm?"),
        ("im a DSL - what about schools?", "what about schools?"),
        ("I'm a social worker: what is poverty blindness?", "what is poverty blindness?"),
    ],
)
def test_who_is_asking_is_not_what_is_asked(question: str, rest: str):
    assert ROLE.sub("", question, count=1) == rest


@pytest.mark.parametrize(
    ("question", "rest"),
    [
        ("Could you tell me how many cases the review looked at?", "How many cases"),
        ("I'd like to know: when was the review announced?", "When was the review"),
        ("As a GP, could you tell me what poverty blindness is?", "What poverty blindness"),
        ("Tell me about it", "Tell me about it"),  # nothing of substance would be left
    ],
)
def test_a_polite_wrapper_is_not_what_is_asked(question: str, rest: str):
    assert without_role(question).startswith(rest)


def test_edits_count_a_swap_of_neighbours_as_one():
    assert edits("neglet", "neglect", 1) == 1
    assert edits("exploitaiton", "exploitation", 1) == 1
    assert edits("babysitters", "teenagers", 2) == 3  # capped at limit + 1


def test_typos_are_read_as_the_corpus_word_meant():
    speller = Speller({"neglect", "neglected", "government", "police", "poverty"}, lambda w: 1)
    assert speller.run("had neglet and goverment help") == "had neglect and government help"
    assert speller.run("polise") == "police"
    assert speller.run("skint families") == "skint families"  # nothing close: kept
    assert speller.run("Asked Salford") == "Asked Salford"  # a capitalised name mid-sentence


@pytest.mark.slow
def test_the_query_holds_everything_the_stages_read(embedder):
    rewriter = QueryRewriter(embedder, {}, KNOWLEDGE)
    query = rewriter.run("As a DSL, what share of the triennial SCRs involved neglect?")
    assert query.asked.startswith("As a DSL")
    assert query.text.startswith("What share")  # the role prefix is gone
    assert "serious case review" in query.text  # the glossary spelled out
    assert query.named == {"triennial-2014-17"}
    assert query.wanted is not None and query.wanted.kind == "count" and query.wanted.share
    assert "neglect" in query.terms and "triennial" not in query.topic
    assert query.vector.shape == (384,) and query.topic_vector.shape == (384,)
    assert query.word_vectors is not None and len(query.word_vectors) == len(query.topic_words)
    follow = rewriter.run("and what share involved poverty?", [Turn(question=query.asked)])
    assert follow.follow_up and follow.text.startswith("and what share involved poverty")
    assert "poverti" in follow.own_terms


@pytest.mark.slow
def test_a_spelled_out_term_leaves_its_meaning_and_names_beyond_the_corpus(embedder):
    rewriter = QueryRewriter(embedder, {"lga": "Local Government Association"}, KNOWLEDGE)
    query = rewriter.run("Did the CSPRP or the LGA say anything about schools in Wales?")
    assert "csprp" not in query.topic_words and "lga" not in query.topic_words
    assert {"government", "association", "schools"} <= set(query.topic_words)
    assert query.names == {"wales", "local", "government", "association"}  # not the Panel's own
    titled = rewriter.run("Does The Child Safeguarding Practice Review Panel: Annual Report say?")
    assert titled.names == set()  # a report's own title, and "The" is no name
