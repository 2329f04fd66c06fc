"""Tune the pipeline's parameters on development data (never on a blind batch before its first run).

`python -m eval.tune` scores each setting of a small grid over the rerank and compose parameters
(key fact, answerable refused, unanswerable refused), prints the best first and appends every
setting's figures to eval/tuning.jsonl; chosen values go into the stage's params with a one-line
reason beside each.
"""

from __future__ import annotations

import argparse
import itertools
import json
from dataclasses import replace
from typing import Any

from assistant.answer import AnswerParams, ExtractiveAnswerer
from assistant.embedder import get_embedder
from assistant.settings import get_settings
from assistant.store import open_store
from eval import metrics
from eval.corpora import ensure_index
from eval.questions import Question, load_questions, replay, set_path
from eval.tuning_log import append

GRID = {
    "compose.margin": (0.25, 0.35, 0.5),
    "compose.min_similarity": (0.25, 0.3, 0.35),
    "rerank.type_bonus": (0.2, 0.4),
}


def score(answerer: ExtractiveAnswerer, questions: list[Question]) -> dict[str, float | None]:
    """Key fact (refused answerable questions count 0) and both refusal rates."""
    facts, expected, refused = [], [], []
    given: dict[str, str] = {}
    for q in questions:
        history = replay(q, given, lambda text: answerer.run(text).answer).history
        answer = answerer.run(q.question, None, history)
        given[q.question] = answer.answer
        expected.append(not q.answerable)
        refused.append(answer.refused)
        if q.answerable and q.must_contain:
            facts.append(
                0.0 if answer.refused else metrics.fact_recall(answer.answer, q.must_contain)
            )
    refusal = metrics.refusal_scores(expected, refused)
    return {
        "key_fact": metrics.mean(facts),
        "false_refusal": refusal["false_refusal_rate"],
        "unanswerable_refused": refusal["recall"],
    }


def with_values(values: dict[str, Any]) -> AnswerParams:
    """AnswerParams with "stage.name" values set in their stage's params."""
    params = AnswerParams()
    for key, value in values.items():
        stage, name = key.split(".")
        params = replace(params, **{stage: replace(getattr(params, stage), **{name: value})})
    return params


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="dev,eval/sets/blind/batch-01.jsonl")
    parser.add_argument("--grid", help='JSON: {"compose.margin": [0.3, 0.4], ...}')
    args = parser.parse_args(argv)
    grid = json.loads(args.grid) if args.grid else GRID
    settings = ensure_index(get_settings(), "briefings")
    store, embedder = open_store(settings), get_embedder()
    names = [s for s in args.sets.split(",") if s]
    questions = [q for name in names for q in load_questions(set_path(name))]
    rows = []
    for combo in itertools.product(*grid.values()):
        values = dict(zip(grid, combo, strict=True))
        result = score(ExtractiveAnswerer(store, embedder, with_values(values)), questions)
        append("tune", names, values, result)
        rows.append((values, result))
    rows.sort(key=lambda r: -((r[1]["key_fact"] or 0) + (r[1]["unanswerable_refused"] or 0)))
    print(" | ".join(grid), "| key_fact false_refusal unanswerable_refused")
    for values, result in rows[:15]:
        shown = " ".join(f"{v:.3f}" if v is not None else "-" for v in result.values())
        print(list(values.values()), "|", shown)


if __name__ == "__main__":
    main()
