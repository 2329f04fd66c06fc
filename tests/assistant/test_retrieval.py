"""Hybrid retrieval on a real index: fusion, filters, and the passage contract."""

from __future__ import annotations

import pytest

from assistant.embedder import get_embedder
from assistant.retrieval import HybridRetriever, RetrievalParams, reciprocal_rank_fusion
from assistant.search import SearchError, search_passages
from assistant.store import open_store
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


@pytest.mark.slow
def test_each_list_reaches_a_share_of_a_large_index(indexed):
    store = open_store(indexed)
    small = HybridRetriever(store, get_embedder())
    assert small.depth() == small.params.candidates  # the briefings: a fixed 50
    share = 2 * small.params.candidates / len(store.passages)
    deep = HybridRetriever(store, get_embedder(), RetrievalParams(candidate_share=share))
    assert deep.depth() == 2 * small.params.candidates
    capped = RetrievalParams(candidate_share=100.0, max_candidates=60)
    assert HybridRetriever(store, get_embedder(), capped).depth() == 60


@pytest.mark.slow
def test_a_named_report_is_searched_on_its_own_not_only_filtered_from_the_global_lists(indexed):
    """With one candidate per global list, only the named report's own search can bring its
    passages in."""
    store = open_store(indexed)
    narrow = RetrievalParams(candidates=1, candidate_share=0.0)
    retriever = HybridRetriever(store, get_embedder(), narrow)
    hits = retriever.run("what is poverty blindness", 6, named={"hard-to-escape"})
    from_named = [h for h in hits if h.passage.report_id == "hard-to-escape"]
    assert from_named
    assert all(h.dense_rank is None and h.lexical_rank is None for h in from_named)
    assert all(h.similarity > 0 for h in from_named)  # the named search's cosine is kept
