"""Why retrieval misses: for each development question whose gold passage is not in the top 5,
the gold, the top 10 and where the gold ranks in the dense and the BM25 lists on their own.

Run with `python -m bench.misses [--corpus briefings|large]` (dev set only; never test).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace

from assistant.embedder import get_embedder
from assistant.query import standalone_text
from assistant.retrieval import HybridRetriever, RetrievalParams
from assistant.settings import apply_offline_env, get_settings
from assistant.store import IndexStore, open_store
from eval.corpora import ensure_index
from eval.questions import Question, load_questions, set_path
from eval.runner import RETRIEVE_K, relevance

DEPTH = 200  # how far down each single list is searched for the gold


def gold_rank(question: Question, store: IndexStore, ids: list[str]) -> int | None:
    """The rank (from 1) of the first gold passage in `ids`, None when absent."""
    passages = [store.passages[store.rows[pid]] for pid in ids]
    return next((n for n, rel in enumerate(relevance(question, passages), 1) if rel), None)


def explain(question: Question, retriever: HybridRetriever) -> list[str] | None:
    """The lines describing a miss, or None when a gold passage is in the top 5."""
    store = retriever.store
    query = standalone_text(question.question, question.history)
    hits = retriever.run(query, RETRIEVE_K)
    rel = relevance(question, [h.passage for h in hits])
    if any(rel[:5]):
        return None
    vector = retriever.embedder.encode([query])[0]
    dense = [pid for pid, _ in store.dense(vector, DEPTH, sentences_per_passage=30)]
    lexical = [pid for pid, _ in store.lexical(query, DEPTH)]
    lines = [f"== {question.id}: {query!r}"]
    lines += [f"   gold {g.report} / {g.section}: {g.anchor!r}" for g in question.gold]
    lines.append(
        f"   gold rank: fused {next((n for n, r in enumerate(rel, 1) if r), None)}"
        f"  dense {gold_rank(question, store, dense)}"
        f"  bm25 {gold_rank(question, store, lexical)}"
    )
    for n, (hit, ok) in enumerate(zip(hits, rel, strict=True), start=1):
        p = hit.passage
        lines.append(
            f"   {n:>2}{'*' if ok else ' '} d={hit.dense_rank} l={hit.lexical_rank}"
            f" {p.report_id}/{p.section[:40]}: {' '.join(p.text.split())[:90]}"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=["briefings", "large"], default="briefings")
    parser.add_argument("--settings", default="{}", help='RetrievalParams changes: {"rrf_k": 10}')
    args = parser.parse_args()
    apply_offline_env()
    store = open_store(ensure_index(get_settings(), args.corpus))
    params = replace(RetrievalParams(), **json.loads(args.settings))
    retriever = HybridRetriever(store, get_embedder(), params)
    questions = [q for q in load_questions(set_path("dev")) if q.answerable]
    misses = [lines for q in questions if (lines := explain(q, retriever))]
    for lines in misses:
        print("\n".join(lines))
    print(f"{args.corpus}: {len(misses)} of {len(questions)} answerable dev questions missed @5")


if __name__ == "__main__":
    main()
