"""Padding: how many of an answer's sentences are on the question's topic, as a reader judges.

    python -m eval.padding sheet --set SET[,SET...] --n 40 --out SHEET.jsonl
    python -m eval.padding score SHEET.jsonl LABELS.jsonl

`sheet` answers the first N answerable questions of a set (extractive, briefings) and writes one
line per answer: id, question, earlier turns and the answer's sentences, numbered. Someone who has
not seen the code labels each sentence in LABELS.jsonl as {"id": ..., "on_topic": [true, ...]}.
`score` prints the on-topic share of all sentences and the mean number of sentences per answer.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from assistant.settings import get_settings
from assistant.store import open_store
from eval.corpora import ensure_index
from eval.questions import load_questions, replay, set_path
from eval.runner import make_answerer


def sheet(set_names: list[str], n: int) -> list[dict[str, Any]]:
    """The first `n` answered, answerable questions of the sets, with their answers' sentences."""
    target = ensure_index(get_settings(), "briefings", announce=lambda _: None)
    answerer = make_answerer(target, open_store(target), "extractive")
    given: dict[str, str] = {}
    rows: list[dict[str, Any]] = []
    questions = [q for name in set_names for q in load_questions(set_path(name))]
    for question in questions:
        asked = replay(question, given, lambda text: answerer.run(text).answer)
        answer = answerer.run(question.question, None, asked.history)
        given[question.question] = answer.answer
        if question.answerable and not answer.refused and len(rows) < n:
            rows.append(
                {
                    "id": question.id,
                    "question": question.question,
                    "earlier": [t.question for t in asked.history],
                    "sentences": [c.quote for c in answer.citations],
                }
            )
    return rows


def score(sheet_rows: list[dict[str, Any]], labels: list[dict[str, Any]]) -> dict[str, float]:
    """On-topic share over all labelled sentences, and sentences per answer."""
    by_id = {row["id"]: row for row in labels}
    missing = [r["id"] for r in sheet_rows if r["id"] not in by_id]
    if missing:
        raise SystemExit(f"error: no labels for {', '.join(missing[:5])}")
    marks = [bool(m) for r in sheet_rows for m in by_id[r["id"]]["on_topic"]]
    sentences = sum(len(r["sentences"]) for r in sheet_rows)
    if len(marks) != sentences:
        raise SystemExit(f"error: {len(marks)} labels for {sentences} sentences")
    return {
        "answers": len(sheet_rows),
        "sentences": sentences,
        "on_topic_share": round(sum(marks) / len(marks), 3) if marks else 0.0,
        "sentences_per_answer": round(sentences / len(sheet_rows), 2) if sheet_rows else 0.0,
    }


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("sheet", help="Write the answers to label.")
    make.add_argument("--set", required=True, help="A set, or several separated by commas.")
    make.add_argument("--n", type=int, default=40)
    make.add_argument("--out", type=Path, required=True)
    count = commands.add_parser("score", help="On-topic share from a labelled sheet.")
    count.add_argument("sheet", type=Path)
    count.add_argument("labels", type=Path)
    args = parser.parse_args()
    if args.command == "sheet":
        rows = sheet(args.set.split(","), args.n)
        args.out.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        print(f"Wrote {len(rows)} answers to {args.out}")
    else:
        figures = score(read_jsonl(args.sheet), read_jsonl(args.labels))
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
