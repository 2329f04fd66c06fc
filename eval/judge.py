"""Calibrating the support judge on hand-labelled sentence-passage pairs."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from assistant.embedder import Embedder
from assistant.support import JudgeParams, SupportJudge

CALIBRATION = Path(__file__).resolve().parent / "judge" / "calibration.jsonl"


def load_pairs(path: Path = CALIBRATION) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def judge_accuracy(
    embedder: Embedder, params: JudgeParams | None = None, path: Path = CALIBRATION
) -> dict[str, object]:
    """The judge's accuracy on the labelled file, with its errors by kind of pair."""
    judge = SupportJudge(embedder, params)
    pairs = load_pairs(path)
    wrong: dict[str, int] = {}
    correct = 0
    for pair in pairs:
        verdict = judge.run(str(pair["sentence"]), str(pair["passage"])).supported
        if verdict == pair["supported"]:
            correct += 1
        else:
            kind = str(pair.get("kind", "?"))
            wrong[kind] = wrong.get(kind, 0) + 1
    return {
        "accuracy": round(correct / len(pairs), 3),
        "pairs": len(pairs),
        "threshold": judge.params.threshold,
        "errors_by_kind": wrong,
    }


def sweep_threshold(embedder: Embedder, path: Path = CALIBRATION) -> list[tuple[float, float]]:
    """Accuracy for each threshold from 0.50 to 0.90: how the default was chosen."""
    sweep = []
    for step in range(50, 91, 2):
        params = replace(JudgeParams(), threshold=step / 100)
        accuracy = judge_accuracy(embedder, params, path)["accuracy"]
        sweep.append((step / 100, float(accuracy)))  # type: ignore[arg-type]
    return sweep
