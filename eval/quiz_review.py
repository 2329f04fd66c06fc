"""A blind human review of generated quiz items: export them without answers, score the review.

A reviewer who has not seen the code answers each item from the item and its cited quote only:

    python -m eval.quiz_review export --total 60 --out DIR   # DIR/items.jsonl, DIR/key.jsonl
    (the reviewer writes DIR/answers.jsonl, one line per item, see ANSWER_FIELDS)
    python -m eval.quiz_review score DIR                      # prints the shares, --json too

The figures (issue #17): the share answered correctly and unambiguously (target >= 0.90), the
share where a distractor is also defensible (target <= 0.05), and the share of false true/false
statements that read as a plausible mistake rather than nonsense.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from assistant.embedder import get_embedder
from assistant.quiz.builder import QuizBuilder
from assistant.quiz.models import QuizItem
from assistant.quiz.service import report_labels
from assistant.settings import get_settings
from assistant.store import open_store
from eval.quiz_check import default_requests, generate

ANSWER_FIELDS = {
    "id": "the item's id",
    "answer": "the option text chosen (true/false: 'True' or 'False'; cloze: the word(s))",
    "unambiguous": "true when exactly one option is right from the quote",
    "also_defensible": "list of other options the quote also supports (empty when none)",
    "plausible_if_false": "true/false items only: if the statement is false, would a careful "
    "practitioner find it a plausible mistake (true) or nonsense (false); null otherwise",
}
INSTRUCTIONS = f"""Answer each item in items.jsonl using only the item and its cited quote.
Write answers.jsonl with one JSON object per item and these fields:
{json.dumps(ANSWER_FIELDS, indent=2)}
"""


def blind(item: QuizItem) -> dict[str, Any]:
    """What the reviewer sees: no answer, no statement, no feedback."""
    c = item.citation
    return {
        "id": item.id,
        "kind": item.kind,
        "stem": item.stem,
        "options": item.options,
        "quote": c.quote,
        "source": c.reference().split("] ", 1)[1],
    }


def key(item: QuizItem) -> dict[str, Any]:
    return {"id": item.id, "kind": item.kind, "answer": item.answer, "accepted": item.accepted}


def export(total: int, out: Path) -> int:
    """Write `total` items across topics and reports, blind and with their key."""
    settings = get_settings()
    store = open_store(settings)
    builder = QuizBuilder(store, get_embedder(), report_labels(settings))
    items = [i for quiz in generate(builder, total, default_requests(per_quiz=5)) for i in quiz]
    out.mkdir(parents=True, exist_ok=True)
    write_jsonl(out / "items.jsonl", [blind(i) for i in items])
    write_jsonl(out / "key.jsonl", [key(i) for i in items])
    (out / "INSTRUCTIONS.txt").write_text(INSTRUCTIONS, encoding="utf-8")
    print(f"wrote {len(items)} items to {out}/items.jsonl (answers in key.jsonl)")
    return len(items)


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")


def read_jsonl(path: Path) -> dict[str, dict[str, Any]]:
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    return {r["id"]: r for r in rows}


def right(given: str, truth: dict[str, Any]) -> bool:
    accepted = [truth["answer"], *truth.get("accepted", [])]
    return " ".join(str(given).lower().split()) in {" ".join(a.lower().split()) for a in accepted}


def score(folder: Path) -> dict[str, Any]:
    """The review's shares, overall and by kind, and the items that failed."""
    truth, answers = read_jsonl(folder / "key.jsonl"), read_jsonl(folder / "answers.jsonl")
    missing = sorted(set(truth) - set(answers))
    rows = []
    for item_id, t in truth.items():
        a = answers.get(item_id, {})
        rows.append(
            {
                "id": item_id,
                "kind": t["kind"],
                "correct": bool(a) and right(a.get("answer", ""), t) and bool(a.get("unambiguous")),
                "defensible": bool(a.get("also_defensible")),
                "false_tf": t["kind"] == "tf" and t["answer"] == "False",
                "plausible": a.get("plausible_if_false") is True,
            }
        )
    false_tf = [r for r in rows if r["false_tf"]]
    by_kind: dict[str, dict[str, float]] = {}
    for kind in sorted({r["kind"] for r in rows}):
        of = [r for r in rows if r["kind"] == kind]
        by_kind[kind] = {"items": len(of), "correct": share(of, "correct")}
    return {
        "items": len(rows),
        "missing_answers": missing,
        "correct_unambiguous": share(rows, "correct"),
        "distractor_defensible": share(rows, "defensible"),
        "false_tf_items": len(false_tf),
        "false_tf_plausible": share(false_tf, "plausible"),
        "by_kind": by_kind,
        "failed": [r["id"] for r in rows if not r["correct"] or r["defensible"]],
    }


def share(rows: list[dict[str, Any]], field: str) -> float:
    return round(sum(bool(r[field]) for r in rows) / len(rows), 3) if rows else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("export", help="write blind items and their key")
    ex.add_argument("--total", type=int, default=60)
    ex.add_argument("--out", type=Path, required=True)
    sc = sub.add_parser("score", help="score a reviewer's answers.jsonl")
    sc.add_argument("folder", type=Path)
    sc.add_argument("--json", dest="as_json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    if args.command == "export":
        return 0 if export(args.total, args.out) else 1
    figures = score(args.folder)
    print(json.dumps({k: v for k, v in figures.items() if k != "failed"}, indent=2))
    if args.as_json:
        args.as_json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
