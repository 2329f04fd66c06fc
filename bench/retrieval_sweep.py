"""Sweep the retrieval fusion parameters on the development questions (never on test).

Run with `python -m bench.retrieval_sweep [--corpus briefings|large]`: hit@5 and MRR@10 of
each setting, one parameter varied at a time from the defaults in assistant/retrieval.py. The
chosen values go into RetrievalParams with these figures (README, "Retrieval parameters").
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from dataclasses import replace
from typing import Any

import numpy as np

from assistant.embedder import get_embedder
from assistant.query import standalone_text
from assistant.retrieval import HybridRetriever, RetrievalParams
from assistant.settings import apply_offline_env, get_settings
from assistant.store import IndexStore, open_store
from eval import metrics
from eval.corpora import ensure_index
from eval.questions import Question, load_questions, set_path
from eval.runner import RETRIEVE_K, relevance

GRID: dict[str, tuple[Any, ...]] = {
    "rrf_k": (5, 10, 20, 60),
    "candidates": (30, 50, 80),
    "lexical_weight": (0.75, 1.0, 1.5),
    "named_weight": (0.5, 1.0, 2.0),
    "per_section": (1, 2, 3),
    "similarity_weight": (0.0, 0.03, 0.1),
    "heading_weight": (0.0, 0.03, 0.06, 0.12),
    "sentences_per_passage": (8, 12, 16, 30),
    "strip_names": (False, True),
}


def score(
    store: IndexStore, params: RetrievalParams, asked: list[tuple[Question, str, np.ndarray]]
) -> tuple[float, float, float]:
    """Mean hit@5, MRR@10 and milliseconds per query of one setting."""
    retriever = HybridRetriever(store, get_embedder(), params)
    hits, mrrs = [], []
    started = time.perf_counter()
    for question, query, vector in asked:
        found = retriever.run(query, RETRIEVE_K, vector=vector)
        rel = relevance(question, [h.passage for h in found])
        hits.append(metrics.hit_at_k(rel, 5))
        mrrs.append(metrics.mrr_at_k(rel, 10))
    ms = (time.perf_counter() - started) * 1000 / max(1, len(asked))
    return float(np.mean(hits)), float(np.mean(mrrs)), ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=["briefings", "large"], default="briefings")
    parser.add_argument(
        "--settings",
        help='JSON list of settings to score instead of the grid: [{"rrf_k": 10}, ...]',
    )
    parser.add_argument("--grid", help='JSON lists to combine: {"rrf_k": [10, 60], ...}')
    args = parser.parse_args()
    if args.grid:
        grid = json.loads(args.grid)
        combos = [dict(zip(grid, v, strict=True)) for v in itertools.product(*grid.values())]
        args.settings = json.dumps(combos)
    apply_offline_env()
    store = open_store(ensure_index(get_settings(), args.corpus))
    embedder = get_embedder()
    questions = [q for q in load_questions(set_path("dev")) if q.answerable]
    queries = [standalone_text(q.question, q.history) for q in questions]
    vectors = embedder.encode(queries)
    asked = list(zip(questions, queries, vectors, strict=True))
    base = RetrievalParams()
    print(f"{args.corpus}: {len(asked)} answerable dev questions; defaults {base}")
    print(f"{'setting':<34}{'hit@5':>8}{'mrr@10':>8}{'ms':>8}")
    if args.settings:
        for changes in json.loads(args.settings):
            hit, mrr, ms = score(store, replace(base, **changes), asked)
            print(f"{json.dumps(changes):<34}{hit:>8.3f}{mrr:>8.3f}{ms:>8.1f}")
        return
    for name, values in GRID.items():
        for value in values:
            hit, mrr, ms = score(store, replace(base, **{name: value}), asked)
            mark = " (default)" if getattr(base, name) == value else ""
            print(f"{name + '=' + str(value) + mark:<34}{hit:>8.3f}{mrr:>8.3f}{ms:>8.1f}")


if __name__ == "__main__":
    main()
