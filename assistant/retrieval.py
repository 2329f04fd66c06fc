"""Hybrid retrieval: dense (Chroma) and BM25 candidates fused by reciprocal-rank fusion."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from assistant.embedder import Embedder
from assistant.index_schema import Passage
from assistant.store import IndexStore

RRF_K = 60  # the constant from Cormack et al. (2009); damps the weight of top ranks
PER_SECTION = 2  # at most this many passages of one section before other sections get a turn
# How practitioners name each report. A question that names one ranks its passages twice (a
# third fused list), so a larger corpus on the same themes doesn't bury the report asked about.
REPORT_NAMES = {
    "triennial-2014-17": re.compile(
        r"triennial|serious case reviews?|\bSCRs?\b|complexity and challenge|2014[-–]17|"
        r"2014 to 2017|Brandon|Sidebotham",
        re.IGNORECASE,
    ),
    "panel-annual-2018-19": re.compile(
        r"annual report|rapid reviews?|notifications?|2018[-–]19|2018 to 2019", re.IGNORECASE
    ),
    "hard-to-escape": re.compile(
        r"hard to escape|criminal(?:ly)? exploit\w*|exploitation review|county lines",
        re.IGNORECASE,
    ),
}


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


def named_reports(query: str) -> set[str]:
    """The reports a question names ("the triennial", "the exploitation review")."""
    return {report for report, pattern in REPORT_NAMES.items() if pattern.search(query)}


def diversify(
    ranked: list[tuple[str, float]], section_of: dict[str, str]
) -> list[tuple[str, float]]:
    """The same order, but a section's passages beyond PER_SECTION wait until after the rest."""
    seen: dict[str, int] = {}
    first: list[tuple[str, float]] = []
    later: list[tuple[str, float]] = []
    for pid, score in ranked:
        section = section_of[pid]
        seen[section] = seen.get(section, 0) + 1
        (first if seen[section] <= PER_SECTION else later).append((pid, score))
    return first + later


def reciprocal_rank_fusion(rankings: list[list[str]], k: int = RRF_K) -> list[tuple[str, float]]:
    """Fuse ranked id lists: score(id) = sum over lists of 1 / (k + rank), rank from 1."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, pid in enumerate(ranking, start=1):
            scores[pid] = scores.get(pid, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


class HybridRetriever:
    """Retrieves passages for a question from one index build."""

    def __init__(self, store: IndexStore, embedder: Embedder, candidates: int = 30) -> None:
        self.store = store
        self.embedder = embedder
        self.candidates = candidates

    def report_of(self, pid: str) -> str:
        return self.store.passages[self.store.rows[pid]].report_id

    def section_of(self, pid: str) -> str:
        return self.store.passages[self.store.rows[pid]].section

    def run(
        self,
        query: str,
        k: int = 5,
        report_ids: list[str] | None = None,
        vector: np.ndarray | None = None,
    ) -> list[ScoredPassage]:
        """The top `k` passages for `query`, optionally only from `report_ids`."""
        if vector is None:
            vector = self.embedder.encode([query])[0]
        dense_hits = self.store.dense(vector, self.candidates, report_ids)
        dense = [pid for pid, _ in dense_hits]
        similarity = dict(dense_hits)
        lexical = [pid for pid, _ in self.store.lexical(query, self.candidates, report_ids)]
        rankings = [dense, lexical]
        if named := named_reports(query):
            both = reciprocal_rank_fusion(rankings)
            rankings.append([pid for pid, _ in both if self.report_of(pid) in named])
        fused = reciprocal_rank_fusion(rankings)
        sections = {pid: f"{self.report_of(pid)}/{self.section_of(pid)}" for pid, _ in fused}
        fused = diversify(fused, sections)[:k]
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
