"""Hybrid retrieval: dense (Chroma) and BM25 candidates fused by reciprocal-rank fusion."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from assistant.embedder import Embedder
from assistant.index_schema import Passage
from assistant.store import IndexStore
from assistant.text_features import content_terms

if TYPE_CHECKING:
    from assistant.query import Query

RRF_K = 10  # smaller than Cormack et al.'s 60: a list's top ranks count for more (README)
PER_SECTION = 2  # at most this many passages of one section before other sections get a turn


@dataclass(frozen=True)
class RetrievalParams:
    """How the ranked lists are built and fused; each value chosen on the development set with
    `python -m bench.retrieval_sweep` (figures in the README, "Retrieval parameters")."""

    candidates: int = 50  # passages each list contributes before fusion, at least
    candidate_share: float = 0.006  # or this share of the index, if more (bench/scale.py)
    max_candidates: int = 200
    rrf_k: int = RRF_K
    dense_weight: float = 1.0
    lexical_weight: float = 1.0
    named_weight: float = 1.0  # the third list: the fused passages of the reports a question names
    per_section: int = PER_SECTION
    similarity_weight: float = 0.03  # times the passage's best sentence cosine, added after fusion
    # sentences asked of Chroma per wanted passage (at least store.MIN_SENTENCES in all): at 1,000
    # reports 4 and 16 gave the same hit@5 (156 distinct passages) for 0.4x the Chroma CPU
    sentences_per_passage: int = 4
    strip_names: bool = True  # BM25 leaves out the names of the reports a question names
    heading_weight: float = 0.06  # times the share of the query's content words in the heading


@dataclass(frozen=True)
class ScoredPassage:
    """A retrieved passage with its fused score and the ranks that produced it."""

    passage: Passage
    score: float
    dense_rank: int | None
    lexical_rank: int | None
    similarity: float = 0.0  # cosine of the passage's best window to the query (0 if not dense)

    def to_json(self) -> dict[str, object]:
        """The passage contract's fields plus `score`."""
        return {**self.passage.model_dump(), "score": round(self.score, 6)}


def diversify(
    ranked: list[tuple[str, float]], section_of: dict[str, str], per_section: int = PER_SECTION
) -> list[tuple[str, float]]:
    """The same order, but a section's passages beyond `per_section` wait until after the rest."""
    seen: dict[str, int] = {}
    first: list[tuple[str, float]] = []
    later: list[tuple[str, float]] = []
    for pid, score in ranked:
        section = section_of[pid]
        seen[section] = seen.get(section, 0) + 1
        (first if seen[section] <= per_section else later).append((pid, score))
    return first + later


def reciprocal_rank_fusion(
    rankings: list[list[str]], k: int = RRF_K, weights: list[float] | None = None
) -> list[tuple[str, float]]:
    """Fuse ranked id lists: score(id) = sum over lists of weight / (k + rank), rank from 1."""
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights or [1.0] * len(rankings), strict=True):
        for rank, pid in enumerate(ranking, start=1):
            scores[pid] = scores.get(pid, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


class Retriever(Protocol):
    """The retrieve stage: the passages for an analysed question, best first."""

    def retrieve(
        self, query: Query, k: int, report_ids: list[str] | None = None
    ) -> list[ScoredPassage]: ...


class HybridRetriever:
    """Retrieves passages for a question from one index build: dense and BM25 lists, and a
    third list of the reports the question names (names from the corpus manifest)."""

    def __init__(
        self, store: IndexStore, embedder: Embedder, params: RetrievalParams | None = None
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.params = params or RetrievalParams()

    def report_of(self, pid: str) -> str:
        return self.store.passages[self.store.rows[pid]].report_id

    def section_of(self, pid: str) -> str:
        return self.store.passages[self.store.rows[pid]].section

    def best_similarity(self, pid: str, vector: np.ndarray) -> float:
        """The cosine of the passage's closest sentence to the query (vectors from ingest)."""
        vectors = self.store.sentences(pid).vectors
        return float((vectors @ vector).max()) if len(vectors) else 0.0

    def heading_match(self, pid: str, terms: set[str]) -> float:
        """The share of the query's content words that the passage's heading path contains."""
        return len(terms & self.store.section_terms(pid)) / len(terms) if terms else 0.0

    def depth(self) -> int:
        """How many passages each list contributes: a fixed number on a small index, a share of
        a large one (at 1,000 reports, 50 of 26,000 passages left gold passages out of both)."""
        p = self.params
        share = int(p.candidate_share * len(self.store.passages))
        return max(p.candidates, min(p.max_candidates, share))

    def named_within(self, named: set[str], report_ids: list[str] | None) -> list[str]:
        """The named reports the search may look in (all of them without a filter)."""
        return sorted(named if report_ids is None else named & set(report_ids))

    def named_list(
        self,
        vector: np.ndarray,
        words: str,
        within: list[str],
        depth: int,
        similarity: dict[str, float],
    ) -> list[str]:
        """The third list: dense and BM25 searched again within the reports the question names
        (their cosines join `similarity`). Among a thousand reports their passages may be
        missing from the two global lists, so they are searched for, not filtered out of those."""
        p = self.params
        dense = self.store.dense(vector, depth, within, p.sentences_per_passage)
        for pid, sim in dense:
            similarity.setdefault(pid, sim)
        lexical = [pid for pid, _ in self.store.lexical(words, depth, within)]
        both = [[pid for pid, _ in dense], lexical]
        weights = [p.dense_weight, p.lexical_weight]
        return [pid for pid, _ in reciprocal_rank_fusion(both, p.rrf_k, weights)]

    def rescored(
        self,
        fused: list[tuple[str, float]],
        query: str,
        vector: np.ndarray,
        known: dict[str, float],
    ) -> list[tuple[str, float]]:
        """Fused scores plus the best sentence's cosine and the heading's match, each weighted:
        they separate passages that the rank lists tie (dense 1 + BM25 2 vs dense 2 + BM25 1)."""
        p = self.params
        if not p.similarity_weight and not p.heading_weight:
            return fused
        terms = content_terms(query) if p.heading_weight else set()
        scored = [
            (
                pid,
                score
                + p.similarity_weight * (known.get(pid) or self.best_similarity(pid, vector))
                + p.heading_weight * self.heading_match(pid, terms),
            )
            for pid, score in fused
        ]
        return sorted(scored, key=lambda item: (-item[1], item[0]))

    def retrieve(
        self, query: Query, k: int, report_ids: list[str] | None = None
    ) -> list[ScoredPassage]:
        """The Retriever stage: ranks on the query's standalone text and vector."""
        return self.run(query.text, k, report_ids, query.vector, set(query.named))

    def run(
        self,
        query: str,
        k: int = 5,
        report_ids: list[str] | None = None,
        vector: np.ndarray | None = None,
        named: set[str] | None = None,
    ) -> list[ScoredPassage]:
        """The top `k` passages for `query`, optionally only from `report_ids`."""
        if vector is None:
            vector = self.embedder.encode([query])[0]
        p = self.params
        depth = self.depth()
        dense_hits = self.store.dense(vector, depth, report_ids, p.sentences_per_passage)
        dense = [pid for pid, _ in dense_hits]
        similarity = dict(dense_hits)
        knowledge = self.store.knowledge
        named = knowledge.named_reports(query) if named is None else named
        words = query
        if p.strip_names and content_terms(stripped := knowledge.without_names(query, named)):
            words = stripped  # the named reports' words would drown what is asked (README)
        lexical = [pid for pid, _ in self.store.lexical(words, depth, report_ids)]
        rankings, weights = [dense, lexical], [p.dense_weight, p.lexical_weight]
        if within := self.named_within(named, report_ids):
            rankings.append(self.named_list(vector, words, within, depth, similarity))
            weights.append(p.named_weight)
        fused = reciprocal_rank_fusion(rankings, p.rrf_k, weights)
        fused = self.rescored(fused, query, vector, similarity)
        sections = {pid: f"{self.report_of(pid)}/{self.section_of(pid)}" for pid, _ in fused}
        fused = diversify(fused, sections, p.per_section)[:k]
        return [
            ScoredPassage(
                passage=self.store.passages[self.store.rows[pid]],
                score=score,
                dense_rank=dense.index(pid) + 1 if pid in dense else None,
                lexical_rank=lexical.index(pid) + 1 if pid in lexical else None,
                similarity=similarity.get(pid, 0.0),
            )
            for pid, score in fused
        ]
