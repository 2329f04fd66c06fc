"""Fit the answerability model (assistant/answerability.json) on labelled questions.

`python -m eval.fit_answerability --sets dev,test,eval/sets/blind/batch-01.jsonl` computes the
decision's features for every question (history replayed as the chat sends it), fits a logistic
regression with stratified cross-validation, and sets the threshold on the held-out folds' chances
so that at most `--max-false-refusal` of answerable questions are refused. Questions a guard
refuses are left out: the guards decide them. Never fit on a blind batch before its first run.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.answer import ExtractiveAnswerer
from assistant.answerability import FEATURES, MODEL_FILE, AnswerabilityModel
from assistant.embedder import get_embedder
from assistant.settings import get_settings
from assistant.store import IndexStore, open_store
from eval.corpora import ensure_index
from eval.questions import Question, load_questions, replay, set_path
from eval.tuning_log import append, commit

# Answers every question (threshold 0), so that follow-ups replay the answer their first turn got.
N = len(FEATURES)
ALWAYS = AnswerabilityModel(FEATURES, (0.0,) * N, (1.0,) * N, (0.0,) * N, 10.0, 0.0, {})


@dataclass(frozen=True)
class Row:
    id: str
    answerable: bool
    guard: str | None  # the guard that refused it, if one did
    values: dict[str, float]


def feature_rows(store: IndexStore, questions: list[Question]) -> list[Row]:
    """Each question's features, as the pipeline computes them when answering it."""
    answerer = ExtractiveAnswerer(store, get_embedder(), model=ALWAYS)
    rows: list[Row] = []
    given: dict[str, str] = {}
    for q in questions:
        history = replay(q, given, lambda text: answerer.run(text).answer).history
        trace = answerer.trace(q.question, None, history)
        guard = next(
            (
                g.name
                for g in answerer.decider.guards
                if g.check(trace.query, trace.hits, trace.chosen)
            ),
            None,
        )
        values = answerer.decider.features(trace.query, trace.hits, trace.ranked, trace.chosen)
        rows.append(Row(q.id, q.answerable, guard, values))
        given[q.question] = answerer.run(q.question, None, history).answer
    return rows


def threshold_for(probabilities: np.ndarray, answerable: np.ndarray, max_false: float) -> float:
    """The highest threshold that refuses at most `max_false` of the answerable questions."""
    ranked = np.sort(probabilities[answerable])
    allowed = int(np.floor(max_false * len(ranked)))
    return float(ranked[allowed]) if len(ranked) else 0.5


def fit(rows: list[Row], folds: int, max_false: float, c: float) -> tuple[AnswerabilityModel, dict]:
    """Cross-validated threshold, then the model refitted on every row."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    x = np.array([[r.values[f] for f in FEATURES] for r in rows])
    y = np.array([r.answerable for r in rows])
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = (x - mean) / scale
    held_out = np.zeros(len(rows))
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=0).split(z, y):
        model = LogisticRegression(C=c, class_weight="balanced").fit(z[train], y[train])
        held_out[test] = model.predict_proba(z[test])[:, 1]
    threshold = threshold_for(held_out, y, max_false)
    refused = held_out < threshold
    figures = {
        "questions": len(rows),
        "answerable": int(y.sum()),
        "held_out_false_refusal": round(float(refused[y].mean()), 3),
        "held_out_unanswerable_refused": round(float(refused[~y].mean()), 3)
        if (~y).any()
        else None,
    }
    final = LogisticRegression(C=c, class_weight="balanced").fit(z, y)
    return (
        AnswerabilityModel(
            features=FEATURES,
            mean=tuple(round(float(v), 6) for v in mean),
            scale=tuple(round(float(v), 6) for v in scale),
            coef=tuple(round(float(v), 6) for v in final.coef_[0]),
            intercept=round(float(final.intercept_[0]), 6),
            threshold=round(threshold, 6),
            fitted={},
        ),
        figures,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="dev,test,eval/sets/blind/batch-01.jsonl")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--max-false-refusal", type=float, default=0.05)
    parser.add_argument("--c", type=float, default=1.0, help="inverse regularisation strength")
    parser.add_argument("--out", type=Path, default=MODEL_FILE)
    args = parser.parse_args(argv)
    settings = ensure_index(get_settings(), "briefings")
    store = open_store(settings)
    names = [s for s in args.sets.split(",") if s]
    rows = [r for name in names for r in feature_rows(store, load_questions(set_path(name)))]
    by_guard = [r for r in rows if r.guard]
    model, figures = fit(
        [r for r in rows if not r.guard], args.folds, args.max_false_refusal, args.c
    )
    figures["refused_by_guards"] = len(by_guard)
    figures["guard_false_refusals"] = sum(r.answerable for r in by_guard)
    fitted: dict[str, Any] = {"sets": names, "commit": commit(), "c": args.c, **figures}
    model = AnswerabilityModel(**{**model.__dict__, "fitted": fitted})
    model.save(args.out)
    append("fit_answerability", names, {"c": args.c, "folds": args.folds}, figures)
    for name, weight in zip(FEATURES, model.coef, strict=True):
        print(f"{name:20} {weight:+.3f}")
    print(f"threshold {model.threshold:.3f}; held out: {figures}")


if __name__ == "__main__":
    main()
