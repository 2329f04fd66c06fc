"""The decide stage: the fitted model, its features and the guards that can be switched off."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from assistant.answer import ExtractiveAnswerer
from assistant.answerability import (
    FEATURES,
    GUARDS,
    MODEL_FILE,
    AnswerabilityModel,
    context_terms,
    share_found,
    without_words,
)
from assistant.followup import Turn
from assistant.index_schema import Passage
from assistant.settings import PROJECT_ROOT
from assistant.store import open_store
from tests.conftest import write_briefing
from tests.indexes import briefing_index


def test_the_shipped_model_is_fitted_on_every_feature_with_its_held_out_figures():
    model = AnswerabilityModel.load()
    assert model.features == FEATURES
    assert len(model.coef) == len(model.mean) == len(model.scale) == len(FEATURES)
    assert 0 < model.threshold < 1
    fitted = model.fitted
    assert fitted["held_out_false_refusal"] <= 0.05  # the threshold's own constraint
    logged = (PROJECT_ROOT / "eval" / "sets" / "blind" / "LOG.md").read_text(encoding="utf-8")
    for name in fitted["sets"]:  # never a blind batch before its first run
        assert "blind" not in name or f"`{Path(name).name}`" in logged, name


def test_the_probability_follows_the_weights(tmp_path):
    model = AnswerabilityModel(("a", "b"), (0.0, 0.0), (1.0, 1.0), (2.0, -1.0), 0.0, 0.5, {})
    assert model.probability({"a": 0.0, "b": 0.0}) == pytest.approx(0.5)
    assert model.probability({"a": 1.0, "b": 0.0}) > 0.85
    assert model.probability({"a": 0.0, "b": 1.0}) < 0.5
    path = tmp_path / "model.json"
    model.save(path)
    assert AnswerabilityModel.load(path) == model


def test_without_words_removes_whole_words_only():
    assert without_words("care home fees for homes", ["home"]) == "care   fees for homes"


def test_names_count_as_found_by_their_stem():
    assert share_found(frozenset({"wales", "barnardo's"}), {"wale", "england"}) == 0.5
    assert share_found(frozenset(), set()) == 1.0


@pytest.fixture(scope="module")
def store(tmp_path_factory, embedder):
    return open_store(briefing_index(tmp_path_factory.mktemp("decide"), embedder))


@pytest.mark.slow
def test_features_are_in_range_and_say_how_close_the_passages_are(store, embedder):
    answerer = ExtractiveAnswerer(store, embedder)
    near = answerer.trace("What is poverty blindness?")
    far = answerer.trace("What is the capital of France?")
    close, distant = (
        answerer.decider.features(t.query, t.hits, t.ranked, t.chosen) for t in (near, far)
    )
    assert set(close) == set(FEATURES)
    for values in (close, distant):
        assert all(-0.01 <= v <= 1.01 for v in values.values()), values
    assert close["best_similarity"] > distant["best_similarity"] + 0.2
    assert answerer.decide(near).answerable and not answerer.decide(far).answerable
    assert close["names_found"] == 1.0 and distant["names_found"] == 0.0  # France


def test_a_sentence_is_read_under_its_heading_and_its_reports_title():
    passage = Passage(
        id="p1",
        report_id="hard-to-escape",
        report_title="It was hard to escape: children at risk from criminal exploitation",
        section="About this review",
        page_start=None,
        page_end=None,
        text="Panel member Dale Simon CBE led the review.",
    )
    # "Who led the review on criminal exploitation?" is answered by this sentence
    assert {"exploit", "crimin"} <= context_terms(passage)


@pytest.mark.slow
def test_each_guard_can_be_switched_off(store, embedder):
    question = "What did the Panel's second annual report say about neglect?"
    guarded = ExtractiveAnswerer(store, embedder).run(question)
    assert guarded.refused and "another publication" in guarded.warnings[0]
    unguarded = ExtractiveAnswerer(store, embedder, without_guards=frozenset(GUARDS))
    assert not any("another publication" in w for w in unguarded.run(question).warnings)


@pytest.mark.slow
def test_a_figure_no_passage_gives_is_refused_and_one_they_give_is_not(store, embedder):
    answerer = ExtractiveAnswerer(store, embedder)
    question = "How many families were moved away from the area?"
    missing = answerer.run(question)  # moving families away is there; how many is not
    assert missing.refused and "give no figure" in missing.warnings[0]
    given = answerer.run("What share of the serious case reviews involved neglect?")
    assert not given.refused and "three-quarters" in given.answer
    unguarded = ExtractiveAnswerer(store, embedder, without_guards=frozenset({"figure"}))
    assert not unguarded.run(question).refused


@pytest.mark.slow
def test_a_figure_of_a_named_report_comes_from_that_report(store, embedder):
    answerer = ExtractiveAnswerer(store, embedder)
    own = answerer.run("What share of the triennial's serious case reviews involved neglect?")
    assert not own.refused and "three-quarters" in own.answer
    # only the triennial gives a share for neglect: no figure of the exploitation review's cases
    other = answerer.run("What share of the exploitation review's cases involved neglect?")
    assert other.refused and "give no figure" in other.warnings[0], other.answer


@pytest.mark.slow
def test_a_follow_up_whose_own_words_go_unused_is_judged_with_the_turn_before(store, embedder):
    answerer = ExtractiveAnswerer(store, embedder)
    before = Turn(question="What does the exploitation review say about moving a family away?")
    alone, follow = (
        answerer.trace("what is the downside?", history=history) for history in ([], [before])
    )
    kept = [
        answerer.decider.features(t.query, t.hits, t.ranked, t.chosen)["kept_meaning"]
        for t in (alone, follow)
    ]
    assert follow.query.follow_up and kept[0] == 0.0 and kept[1] > 0.5, kept


@pytest.mark.slow
def test_a_stricter_threshold_refuses_more(store, embedder):
    strict = dataclasses.replace(AnswerabilityModel.load(MODEL_FILE), threshold=0.999)
    answer = ExtractiveAnswerer(store, embedder, model=strict).run("What is poverty blindness?")
    assert answer.refused and "below 1.00" in answer.warnings[0]


LETTER = """## About this review

The government replied to the review with a joint ministerial letter from the Department for
Education, the Home Office and the Department of Health and Social Care; its content was not seen.
The review's own definition of a critical moment was not seen. (Source: NWG Network.)
"""


@pytest.fixture(scope="module")
def gap_store(tmp_path_factory, embedder):
    from ingest.pipeline import run_ingest

    root = tmp_path_factory.mktemp("gap")
    settings = briefing_index(root, embedder)
    write_briefing(settings.briefings_dir, "hard-to-escape", "It was hard to escape", LETTER)
    run_ingest(settings, ["briefings"], embedder=embedder, announce=lambda _: None)
    return open_store(settings)


@pytest.mark.slow
def test_a_gap_the_sources_declare_refuses_what_it_lacks_and_not_what_it_gives(gap_store, embedder):
    answerer = ExtractiveAnswerer(gap_store, embedder)
    defined = answerer.run("How does the exploitation review define a critical moment?")
    assert defined.refused and "do not give it" in defined.warnings[0], defined.answer
    gives = answerer.run("Which government departments sent the joint ministerial letter?")
    assert not gives.refused and "Home Office" in gives.answer
    unguarded = ExtractiveAnswerer(gap_store, embedder, without_guards=frozenset({"gap"}))
    assert not any("do not give it" in w for w in unguarded.run(defined.question).warnings)
