"""Hybrid retrieval on a real index: fusion, filters, and the passage contract."""

from __future__ import annotations

import pytest

from assistant.retrieval import reciprocal_rank_fusion
from assistant.search import SearchError, search_passages
from ingest.pipeline import run_ingest


def test_rrf_rewards_agreement_between_rankings():
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "c", "a"]], k=60)
    assert [pid for pid, _ in fused] == ["b", "a", "c"]
    assert fused[0][1] == pytest.approx(1 / 62 + 1 / 61)


def test_rrf_keeps_items_found_by_one_ranking_only():
    fused = dict(reciprocal_rank_fusion([["a"], ["b"]], k=10))
    assert fused == {"a": pytest.approx(1 / 11), "b": pytest.approx(1 / 11)}


@pytest.fixture
def indexed(settings, embedder):
    run_ingest(settings, ["briefings"], embedder=embedder, announce=lambda _: None)
    return settings


@pytest.mark.slow
@pytest.mark.parametrize(
    ("query", "section"),
    [
        ("what is poverty blindness", "3 Neglect > Poverty blindness"),
        ("does relocating a family away from gangs keep the child safe", "10 Acknowledging"),
        ("school exclusion and arrest as turning points", "8 Critical moments"),
    ],
)
def test_search_finds_the_answering_passage_first(indexed, query, section):
    hits = search_passages(indexed, query, k=3)
    assert hits[0].passage.section.startswith(section)


@pytest.mark.slow
def test_report_filter_only_returns_that_report(indexed):
    hits = search_passages(indexed, "neglect and poverty", k=5, report_ids=["hard-to-escape"])
    assert hits
    assert {h.passage.report_id for h in hits} == {"hard-to-escape"}


@pytest.mark.slow
def test_search_json_fills_the_passage_contract(indexed):
    row = search_passages(indexed, "neglect", k=1)[0].to_json()
    for key in ("id", "report_id", "report_title", "section", "page_start", "page_end", "text"):
        assert key in row
    assert row["page_start"] == 54
    assert row["source_kind"] == "briefing"
    assert isinstance(row["score"], float)


@pytest.mark.slow
def test_unknown_report_id_is_refused(indexed):
    with pytest.raises(SearchError, match="unknown report id 'nope'"):
        search_passages(indexed, "neglect", report_ids=["nope"])


def test_search_without_index_says_to_ingest(settings):
    with pytest.raises(SearchError, match="safeguarding ingest"):
        search_passages(settings, "neglect")


def test_named_reports_reads_how_practitioners_name_them():
    from assistant.retrieval import named_reports

    assert named_reports("what did the triennial say about neglect?") == {"triennial-2014-17"}
    assert named_reports("how many rapid reviews did the Panel read?") == {"panel-annual-2018-19"}
    assert named_reports("what does It was hard to escape say?") == {"hard-to-escape"}
    assert named_reports("what did the Panel's report find?") == {"panel-annual-2018-19"}
    assert named_reports("what is poverty blindness?") == set()


def test_questions_across_reports_also_name_the_comparison_briefing():
    from assistant.retrieval import named_reports

    two = named_reports("compare the Panel's annual report with the exploitation review")
    assert two == {"panel-annual-2018-19", "hard-to-escape", "common-themes"}
    assert named_reports("how do the three reports differ?") == {"common-themes"}
    assert named_reports("what did both the triennial and the annual report find?") == {
        "triennial-2014-17",
        "panel-annual-2018-19",
        "common-themes",
    }
    assert "common-themes" not in named_reports("what did the triennial find about neglect?")


def test_diversify_lets_other_sections_in_before_a_third_from_one_section():
    from assistant.retrieval import diversify

    ranked = [("a1", 0.9), ("a2", 0.8), ("a3", 0.7), ("b1", 0.6), ("a4", 0.5), ("c1", 0.4)]
    sections = {pid: pid[0] for pid, _ in ranked}
    assert [pid for pid, _ in diversify(ranked, sections)] == ["a1", "a2", "b1", "c1", "a3", "a4"]
    assert [pid for pid, _ in diversify(ranked, sections, per_section=1)][:3] == ["a1", "b1", "c1"]


def test_rrf_weights_scale_each_list():
    fused = dict(reciprocal_rank_fusion([["a"], ["b"]], k=10, weights=[1.0, 2.0]))
    assert fused == {"a": pytest.approx(1 / 11), "b": pytest.approx(2 / 11)}
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([["a"], ["b"]], weights=[1.0])


def test_lexical_query_leaves_out_the_named_reports_names():
    from assistant.retrieval import lexical_query, named_reports

    question = "what proportion of the 2014-17 serious case reviews featured neglect?"
    stripped = lexical_query(question, named_reports(question))
    assert "neglect" in stripped and "serious case" not in stripped and "2014" not in stripped
    assert lexical_query(question, set()) == question
    # nothing but a report's name: BM25 keeps the name rather than search for nothing
    assert lexical_query("the triennial?", {"triennial-2014-17"}) == "the triennial?"


@pytest.mark.slow
def test_similarity_weight_adds_the_best_sentence_cosine(indexed, embedder):
    from assistant.retrieval import HybridRetriever, RetrievalParams
    from assistant.store import open_store

    store = open_store(indexed)
    query = "does relocating a family away from gangs keep the child safe"
    vector = embedder.encode([query])[0]
    plain = HybridRetriever(
        store, embedder, RetrievalParams(similarity_weight=0.0, heading_weight=0.0, per_section=99)
    )
    heavy = HybridRetriever(
        store, embedder, RetrievalParams(similarity_weight=1.0, heading_weight=0.0, per_section=99)
    )
    before = {h.passage.id: h.score for h in plain.run(query, 10, vector=vector)}
    for hit in heavy.run(query, 10, vector=vector):
        if hit.passage.id in before:
            cosine = heavy.best_similarity(hit.passage.id, vector)
            assert hit.score == pytest.approx(before[hit.passage.id] + cosine, abs=1e-3)
