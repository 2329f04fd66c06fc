"""Hybrid retrieval: dense (Chroma) and BM25 candidates fused by reciprocal-rank fusion."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assistant.embedder import Embedder
from assistant.index_schema import Passage
from assistant.store import IndexStore

RRF_K = 60  # the constant from Cormack et al. (2009); damps the weight of top ranks


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
        fused = reciprocal_rank_fusion([dense, lexical])[:k]
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
