"""Retrieval baselines measured in the same run: BM25 alone, a plain llama-index vector index,
and the project's hybrid retrieval, on the same questions and the same embedder."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from llama_index.core import Document, VectorStoreIndex
from llama_index.core import Settings as LlamaSettings
from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from assistant.embedder import Embedder, get_embedder
from assistant.index_schema import Passage
from assistant.retrieval import HybridRetriever
from assistant.settings import Settings
from assistant.store import IndexStore
from eval import metrics
from eval.questions import Question
from eval.runner import RETRIEVE_K, retrieval_scores
from ingest.parse import parse_file

Ranker = Callable[[str], list[Passage]]


class ProjectEmbedding(BaseEmbedding):
    """The project's packaged MiniLM behind llama-index's embedding interface."""

    _embedder: Embedder = PrivateAttr()

    def __init__(self, embedder: Embedder) -> None:
        super().__init__(model_name=embedder.name)
        self._embedder = embedder

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._embedder.encode([query])[0].tolist()

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._embedder.encode([text])[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._embedder.encode(texts).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)


def llama_index_ranker(store: IndexStore, embedder: Embedder) -> Ranker:
    """A VectorStoreIndex with llama-index's default chunking over the same source files."""
    LlamaSettings.llm = None
    documents = []
    for record in store.manifest.sources:
        doc = parse_file(Path(record.path))
        text = "\n\n".join(block.text for block in doc.blocks)
        documents.append(Document(text=text, metadata={"report_id": record.report_id}))
    index = VectorStoreIndex.from_documents(documents, embed_model=ProjectEmbedding(embedder))
    retriever = index.as_retriever(similarity_top_k=RETRIEVE_K)

    def rank(query: str) -> list[Passage]:
        return [
            Passage(
                id=node.node.node_id,
                report_id=str(node.node.metadata.get("report_id", "")),
                report_title="",
                section="",
                page_start=None,
                page_end=None,
                text=node.node.get_content(),
            )
            for node in retriever.retrieve(query)
        ]

    return rank


def bm25_ranker(store: IndexStore) -> Ranker:
    def rank(query: str) -> list[Passage]:
        return [store.passages[store.rows[pid]] for pid, _ in store.lexical(query, RETRIEVE_K)]

    return rank


def project_ranker(store: IndexStore, embedder: Embedder) -> Ranker:
    retriever = HybridRetriever(store, embedder)
    return lambda query: [h.passage for h in retriever.run(query, RETRIEVE_K)]


def score_ranker(rank: Ranker, questions: list[Question]) -> dict[str, Any]:
    """Retrieval metrics and latency of one ranker over the answerable questions."""
    rows = []
    for question in questions:
        if not question.answerable:
            continue
        query = question.question
        if question.history:  # every system gets the same expanded follow-up
            from assistant.query import standalone_text

            query = standalone_text(question.question, question.history)
        started = time.perf_counter()
        passages = rank(query)
        latency = (time.perf_counter() - started) * 1000
        rows.append({**retrieval_scores(question, passages), "latency_ms": latency})
    summary = metrics.aggregate(rows)
    keys = ("n", "hit@5", "mrr@10", "ndcg@10", "words_to_answer_median", "latency_p50_ms")
    return {k: summary.get(k) for k in keys}


def compare_retrievers(
    settings: Settings, store: IndexStore, questions: list[Question]
) -> dict[str, dict[str, Any]]:
    """One row per system, side by side."""
    embedder = get_embedder()
    return {
        "project (hybrid)": score_ranker(project_ranker(store, embedder), questions),
        "bm25 only": score_ranker(bm25_ranker(store), questions),
        "llama-index VectorStoreIndex": score_ranker(
            llama_index_ranker(store, embedder), questions
        ),
    }
