"""Compare two evaluation runs: overall metric deltas, then the questions whose outcome changed.

The public functions return rows of text, so the CLI's plain table (`compare_runs`) and the
UI's Evaluate tab show the same comparison."""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

QUALITY_CHANGE = 0.2  # a question is listed when its quality moves by more than this
CHANGED_TITLE = (
    f"Changed questions (refused flag changed, or quality moved by more than {QUALITY_CHANGE})"
)
RESULTS_FILE = "results.json"


def load_run(path: Path) -> dict[str, Any]:
    """A run's results, from its directory or its results.json; ValueError naming the path."""
    path = Path(path)
    file = path / RESULTS_FILE if path.is_dir() else path
    if not file.is_file():
        where = f"{path}: no {RESULTS_FILE} in this run directory" if path.is_dir() else None
        raise ValueError(where or f"{path}: no such results file or run directory")
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"{file}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{file}: cannot read results ({exc})") from exc
    if not isinstance(data, dict) or not {"metrics", "questions"} & data.keys():
        raise ValueError(
            f"{file}: not a results file (expected a JSON object with 'metrics' and 'questions')"
        )
    return data


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return None if math.isnan(value) else float(value)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _value(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    number = _number(value)
    return str(value) if number is None else f"{number:.3f}"


def _delta(a: float, b: float) -> str:
    delta = round(b - a, 3)
    return f"{delta or 0.0:+.3f}"  # `or 0.0` turns -0.0 into +0.000


def _text_table(headers: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        parts = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    return [line(headers), "  ".join("-" * w for w in widths), *map(line, rows)]


def run_label(results: Mapping[str, Any]) -> str:
    """'dev set, extractive mode, corpus briefings, ...': what a run was, in one line."""
    run = _dict(results.get("run"))
    parts = [f"{run[key]} {key}" for key in ("set", "mode") if run.get(key)]
    parts += [f"{key} {run[key]}" for key in ("corpus", "build", "started") if run.get(key)]
    return ", ".join(parts) or "(no run details)"


def questions_by_id(results: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The run's questions keyed by id (entries without an id are left out)."""
    questions = results.get("questions")
    if not isinstance(questions, list):
        return {}
    return {str(q["id"]): q for q in questions if isinstance(q, dict) and "id" in q}


def changed_questions(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[list[str]]:
    """Rows (id, kind, refused a→b, quality a→b) for questions in both runs whose outcome changed.

    Changed: the refused flag differs, or both qualities are numbers more than 0.2 apart."""
    qa, qb = questions_by_id(a), questions_by_id(b)
    rows = []
    for qid in sorted(qa.keys() & qb.keys()):
        x, y = qa[qid], qb[qid]
        refused_x, refused_y = x.get("refused"), y.get("refused")
        quality_x = _number(_dict(x.get("scores")).get("quality"))
        quality_y = _number(_dict(y.get("scores")).get("quality"))
        refusal_changed = bool(refused_x) != bool(refused_y)
        quality_changed = (
            quality_x is not None
            and quality_y is not None
            and abs(round(quality_y - quality_x, 9)) > QUALITY_CHANGE
        )
        if refusal_changed or quality_changed:
            kind = str(y.get("kind") or x.get("kind") or "–")
            rows.append(
                [
                    qid,
                    kind,
                    f"{_value(refused_x)} → {_value(refused_y)}",
                    f"{_value(quality_x)} → {_value(quality_y)}",
                ]
            )
    return rows


def overall_deltas(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[list[str]]:
    """Rows (metric key, A, B, B - A) for the overall metrics both runs give as numbers."""
    overall_a = _dict(_dict(a.get("metrics")).get("overall"))
    overall_b = _dict(_dict(b.get("metrics")).get("overall"))
    rows = []
    for key, value_a in overall_a.items():
        x, y = _number(value_a), _number(overall_b.get(key))
        if x is not None and y is not None:
            rows.append([key, _value(value_a), _value(overall_b[key]), _delta(x, y)])
    return rows


def only_in(a: Mapping[str, Any], b: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """The question ids only run A has, and those only run B has, sorted."""
    qa, qb = questions_by_id(a), questions_by_id(b)
    return sorted(qa.keys() - qb.keys()), sorted(qb.keys() - qa.keys())


def compare_runs(a: dict[str, Any], b: dict[str, Any]) -> str:
    """Plain-text overall metric deltas (b minus a), then questions whose outcome changed."""
    out = [f"A: {run_label(a)}", f"B: {run_label(b)}", ""]
    metric_rows = overall_deltas(a, b)
    if metric_rows:
        out += _text_table(["metric", "A", "B", "B - A"], metric_rows, {1, 2, 3})
    else:
        out.append("No overall metrics in common.")
    out.append("")
    rows = changed_questions(a, b)
    out += [f"{CHANGED_TITLE}: {len(rows)}"]
    if rows:
        out += _text_table(["id", "kind", "refused A → B", "quality A → B"], rows, set())
    only_a, only_b = only_in(a, b)
    if only_a:
        out += ["", f"Only in A ({len(only_a)}): {', '.join(only_a)}"]
    if only_b:
        out += ["", f"Only in B ({len(only_b)}): {', '.join(only_b)}"]
    return "\n".join(out) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m eval.compare RUN_A RUN_B`: print the comparison of two runs."""
    parser = argparse.ArgumentParser(prog="python -m eval.compare", description=main.__doc__)
    parser.add_argument("run_a", type=Path, help="run directory or its results.json")
    parser.add_argument("run_b", type=Path, help="run directory or its results.json")
    args = parser.parse_args(argv)
    try:
        print(compare_runs(load_run(args.run_a), load_run(args.run_b)), end="")
    except ValueError as exc:
        parser.exit(1, f"error: {exc}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
