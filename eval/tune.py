"""Tune the extractive answerer's parameters on the development set (never on test).

`python -m eval.tune` prints fact recall, refusal F1 and both refusal error rates for each
setting of a small grid, best first; the chosen values go into AnswerParams with these figures.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

from assistant.answer import AnswerParams, ExtractiveAnswerer
from assistant.embedder import get_embedder
from assistant.settings import get_settings
from assistant.store import open_store
from eval import metrics
from eval.corpora import ensure_index
from eval.questions import Question, load_questions, replay, set_path

GRID = {
    "rank_weight": (0.05, 0.15, 0.3),
    "margin": (0.08, 0.12, 0.2),
    "lexical_weight": (0.25, 0.5),
    "refuse_below": (0.3, 0.35, 0.4),
}


def score(answerer: ExtractiveAnswerer, questions: list[Question]) -> dict[str, float | None]:
    recalls, expected, refused = [], [], []
    given: dict[str, str] = {}
    for q in questions:
        answer = answerer.run(q.question, None, replay(q, given).history)
        given[q.question] = answer.answer
        expected.append(not q.answerable)
        refused.append(answer.refused)
        if q.answerable:
            recalls.append(
                0.0 if answer.refused else metrics.fact_recall(answer.answer, q.must_contain)
            )
    refusal = metrics.refusal_scores(expected, refused)
    return {
        "fact_recall": metrics.mean(recalls),
        "refusal_f1": refusal["f1"],
        "false_refusal": refusal["false_refusal_rate"],
        "false_answer": refusal["false_answer_rate"],
    }


def main() -> None:
    settings = ensure_index(get_settings(), "briefings")
    store, embedder = open_store(settings), get_embedder()
    questions = load_questions(set_path("dev"))
    rows = []
    for values in itertools.product(*GRID.values()):
        params = replace(AnswerParams(), **dict(zip(GRID, values, strict=True)))
        result = score(ExtractiveAnswerer(store, embedder, params), questions)
        rows.append((values, result))
    rows.sort(key=lambda r: -((r[1]["fact_recall"] or 0) + (r[1]["refusal_f1"] or 0)))
    print(" ".join(GRID), "| fact_recall refusal_f1 false_refusal false_answer")
    for values, result in rows[:15]:
        print(values, "|", " ".join(f"{v:.3f}" if v is not None else "-" for v in result.values()))


if __name__ == "__main__":
    main()
