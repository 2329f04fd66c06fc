"""What the project knows about its reports is data: names, leads and glossary from the manifest,
and the same code answering another corpus from its own manifest."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.answer import ExtractiveAnswerer
from assistant.corpus import load_manifest
from assistant.knowledge import EMPTY, CorpusKnowledge, knowledge_at
from assistant.settings import PROJECT_ROOT, Settings
from assistant.store import open_store
from ingest.pipeline import run_ingest
from tests.conftest import write_briefing

KNOWLEDGE = knowledge_at(PROJECT_ROOT / "corpus" / "manifest.toml")


def test_named_reports_reads_how_practitioners_name_them():
    named = KNOWLEDGE.named_reports
    assert named("what did the triennial say about neglect?") == {"triennial-2014-17"}
    assert named("how many rapid reviews did the Panel read?") == {"panel-annual-2018-19"}
    assert named("what does It was hard to escape say?") == {"hard-to-escape"}
    assert named("what did the Panel's report find?") == {"panel-annual-2018-19"}
    assert named("what is poverty blindness?") == set()


def test_a_report_is_named_exactly_where_its_own_pattern_matches():
    """The first-word test only skips patterns that could not match: the dev questions name the
    same reports as running every report's pattern would."""
    from eval.questions import load_questions, set_path

    questions = [q.question for q in load_questions(set_path("dev"))]
    assert any(KNOWLEDGE.named_reports(q) for q in questions)
    for question in questions:
        every = {r for r, p in KNOWLEDGE.report_names.items() if p.search(question)}
        assert KNOWLEDGE.named_reports(question) - {"common-themes"} == every - {"common-themes"}


def test_questions_across_reports_also_name_the_comparison_briefing():
    named = KNOWLEDGE.named_reports
    two = named("compare the Panel's annual report with the exploitation review")
    assert two == {"panel-annual-2018-19", "hard-to-escape", "common-themes"}
    assert named("how do the three reports differ?") == {"common-themes"}
    assert "common-themes" not in named("what did the triennial find about neglect?")


def test_the_glossary_spells_out_what_practitioners_abbreviate():
    spelled = KNOWLEDGE.spell_out("Did the CSPRP say anything about CP plans and the DSL?")
    assert "CSPRP (Child Safeguarding Practice Review Panel)" in spelled
    assert "CP plans (child protection plan)" in spelled  # the longer term wins over "CP"
    assert "DSL (designated safeguarding lead)" in spelled
    assert KNOWLEDGE.spell_out("a cp") == "a cp"  # acronyms match in capitals only
    named = "Did the Child Safeguarding Practice Review Panel say so? (the CSPRP)"
    assert KNOWLEDGE.spell_out(named) == named  # already written out


def test_glossed_words_are_the_terms_a_spelled_out_meaning_stands_for():
    text = "Did the CSPRP look at CP plans?"
    assert KNOWLEDGE.glossed_words(text) == {"csprp", "cp"}  # "plan" is in the meaning too
    assert KNOWLEDGE.glossed_words("what about plans?") == set()


def test_names_are_stripped_for_bm25_only_when_named():
    text = "what proportion of the 2014-17 serious case reviews featured neglect?"
    stripped = KNOWLEDGE.without_names(text, {"triennial-2014-17"})
    assert "neglect" in stripped and "serious case" not in stripped and "2014" not in stripped
    assert KNOWLEDGE.without_names(text, set()) == text


def test_no_manifest_knows_nothing(tmp_path: Path):
    assert knowledge_at(tmp_path / "missing.toml") is EMPTY
    assert EMPTY.named_reports("the triennial") == set()
    assert EMPTY.spell_out("the CSPRP") == "the CSPRP"


def test_leads_come_from_the_manifest():
    manifest = load_manifest(PROJECT_ROOT / "corpus" / "manifest.toml")
    knowledge = CorpusKnowledge.from_manifest(manifest)
    assert knowledge.lead("hard-to-escape", "x").startswith('"It was hard to escape"')
    assert knowledge.lead("unknown", "Its own title") == "Its own title"


HARBOUR_MANIFEST = """
[[reports]]
id = "harbour-review"
title = "Safe moorings: a review of harbour accidents 2015-20"
short_title = "Harbour accidents review"
publisher = "Maritime Safety Board"
published = "2021-05-01"
landing_url = "https://example.org/harbour"
filename = "harbour-review.pdf"
licence = "Open Government Licence v3.0"
lead = "The harbour accidents review"
names = ["harbour review", "safe moorings", "mooring review"]
documents = ["harbour review", "safe moorings", "mooring review"]

[[reports]]
id = "dock-annual"
title = "Maritime Safety Board: annual report 2022"
short_title = "Board annual report 2022"
publisher = "Maritime Safety Board"
published = "2023-02-01"
landing_url = "https://example.org/dock"
filename = "dock-annual.pdf"
licence = "Open Government Licence v3.0"
lead = "The Board's annual report 2022"
names = ["annual report", "Board report"]
documents = ["annual report", "Board report"]

[[glossary]]
term = "MSB"
means = "Maritime Safety Board"

[[glossary]]
term = "PFD"
means = "personal flotation device"
"""

HARBOUR = """## Findings
<!-- page: 12 -->

Most accidents in the harbour happened during night shifts, when crews were smallest and
lighting on the quays was poorest. Workers who fell into the water survived far more often
when they wore a personal flotation device.

## Recommendations
<!-- page: 30 -->

The review recommends brighter quay lighting, a second person on every night mooring, and
annual rescue drills for every crew.
"""

DOCKS = """## Accidents in 2022
<!-- page: 5 -->

The Board recorded 41 serious accidents at docks in 2022, down from 57 the year before.
Crane failures caused a quarter of them.
"""


@pytest.fixture(scope="module")
def harbour(tmp_path_factory: pytest.TempPathFactory, embedder) -> ExtractiveAnswerer:
    """Another corpus with its own manifest and briefings, ingested and opened as usual."""
    root = tmp_path_factory.mktemp("harbour")
    settings = Settings(data_dir=root / "data", corpus_dir=root / "corpus")
    settings.briefings_dir.mkdir(parents=True)
    settings.manifest_path.write_text(HARBOUR_MANIFEST, encoding="utf-8")
    write_briefing(settings.briefings_dir, "harbour-review", "Safe moorings", HARBOUR)
    write_briefing(settings.briefings_dir, "dock-annual", "Board annual report", DOCKS)
    run_ingest(settings, ["briefings"], embedder=embedder, announce=lambda _: None)
    return ExtractiveAnswerer(open_store(settings), embedder)


@pytest.mark.slow
def test_another_corpus_answers_from_its_own_manifest(harbour):
    answer = harbour.run("What did the mooring review find about night-time accidents?")
    assert not answer.refused, answer.warnings
    assert "night shifts" in answer.answer
    assert answer.answer.startswith("The harbour accidents review (project briefing):")
    assert harbour.rewriter.run("what did the mooring review find?").named == {"harbour-review"}
    counted = harbour.run("How many serious accidents did the Board record at docks in 2022?")
    assert not counted.refused and "41" in counted.answer


@pytest.mark.slow
def test_another_corpus_reads_its_own_glossary(harbour):
    query = harbour.rewriter.run("did wearing a PFD help workers who fell in?")
    assert "personal flotation device" in query.text
    answer = harbour.run("did wearing a PFD help workers who fell in?")
    assert not answer.refused and "personal flotation device" in answer.answer


@pytest.mark.slow
def test_another_corpus_refuses_what_it_does_not_cover(harbour):
    off_topic = harbour.run("What is the capital of France?")
    assert off_topic.refused
    later = harbour.run("What did the Board's second annual report say about cranes?")
    assert later.refused and "another publication" in later.warnings[0]
