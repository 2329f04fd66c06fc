"""Query benchmark: API latency at concurrency 1 and 8, and the project against a plain
llama-index pipeline on the development questions (hit@5, MRR@10, words to the answer).

Run with `python -m bench.query [--corpus briefings|large]`. Prints tables and writes
bench/results/query-<corpus>.json. The llama-index baseline (VectorStoreIndex, default chunking,
same embedder, similarity top-k) is measured in the same run, so ratios hold on a noisy machine.
"""

from __future__ import annotations

import argparse
import json
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import uvicorn

from assistant.app import create_app
from assistant.embedder import get_embedder
from assistant.query import standalone_text
from assistant.settings import PROJECT_ROOT, Settings, apply_offline_env, get_settings
from assistant.store import open_store
from eval import metrics
from eval.baselines import llama_index_ranker, project_ranker, score_ranker
from eval.corpora import ensure_index
from eval.questions import Question, load_questions, set_path

RESULTS = PROJECT_ROOT / "bench" / "results"


def start_server(settings: Settings) -> tuple[uvicorn.Server, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="error")
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def load(base: str, path: str, bodies: list[dict[str, Any]], workers: int) -> dict[str, float]:
    """Send every body once with `workers` concurrent clients; latency percentiles and rate."""

    def one(body: dict[str, Any]) -> float:
        with httpx.Client(base_url=base, timeout=60) as client:
            started = time.perf_counter()
            client.post(path, json=body).raise_for_status()
            return (time.perf_counter() - started) * 1000

    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        latencies = list(pool.map(one, bodies))
    seconds = time.perf_counter() - started
    return {
        "requests": len(bodies),
        "p50_ms": round(metrics.percentile(latencies, 50) or 0, 1),
        "p95_ms": round(metrics.percentile(latencies, 95) or 0, 1),
        "requests_per_s": round(len(bodies) / seconds, 1),
    }


def project_words(base: str, question: Question, store: Any) -> int | None:
    """Words a practitioner reads with the project: the answer first, then its passages."""
    with httpx.Client(base_url=base, timeout=60) as client:
        body = {
            "question": question.question,
            "history": [t.model_dump() for t in question.history],
        }
        answer = client.post("/api/ask", json=body).json()
    texts = [answer["answer"]]
    for citation in answer["citations"]:
        passage = store.passage(citation["passage_id"])
        if passage is not None:
            texts.append(passage.text)
    return metrics.words_to_answer(texts, question.must_contain)


def baseline_words(rank: Any, question: Question) -> int | None:
    query = standalone_text(question.question, question.history)
    return metrics.words_to_answer([p.text for p in rank(query)], question.must_contain)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=["briefings", "large"], default="briefings")
    args = parser.parse_args()
    apply_offline_env()
    settings = ensure_index(get_settings(), args.corpus)
    store, embedder = open_store(settings), get_embedder()
    questions = load_questions(set_path("dev"))
    answerable = [q for q in questions if q.answerable and q.must_contain]
    server, base = start_server(settings)
    asks = [
        {"question": q.question, "history": [t.model_dump() for t in q.history]} for q in questions
    ]
    searches = [{"query": q.question, "k": 5} for q in questions]
    load(base, "/api/ask", asks[:5], 1)  # warm up
    latency = {
        f"{path} c={workers}": load(base, path, bodies, workers)
        for path, bodies in (("/api/search", searches), ("/api/ask", asks))
        for workers in (1, 8)
    }
    llama = llama_index_ranker(store, embedder)
    quality = {
        "project": {
            **score_ranker(project_ranker(store, embedder), questions),
            "words_to_answer_median": metrics.percentile(
                [w for q in answerable if (w := project_words(base, q, store)) is not None], 50
            ),
        },
        "llama-index VectorStoreIndex": {
            **score_ranker(llama, questions),
            "words_to_answer_median": metrics.percentile(
                [w for q in answerable if (w := baseline_words(llama, q)) is not None], 50
            ),
        },
    }
    server.should_exit = True
    results = {
        "corpus": args.corpus,
        "passages": len(store.passages),
        "latency": latency,
        "quality": quality,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"query-{args.corpus}.json").write_text(json.dumps(results, indent=2))
    print(f"corpus {args.corpus}: {len(store.passages)} passages, {len(questions)} dev questions")
    print(f"{'endpoint':<22}{'p50 ms':>9}{'p95 ms':>9}{'req/s':>8}")
    for name, row in latency.items():
        print(f"{name:<22}{row['p50_ms']:>9}{row['p95_ms']:>9}{row['requests_per_s']:>8}")
    keys = ("hit@5", "mrr@10", "words_to_answer_median", "latency_p50_ms")
    print(f"{'system':<30}" + "".join(f"{k:>24}" for k in keys))
    for name, row in quality.items():
        print(f"{name:<30}" + "".join(f"{cell(row.get(k)):>24}" for k in keys))


def cell(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


if __name__ == "__main__":
    main()
