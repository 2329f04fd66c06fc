"""The evaluation runner on a real index: question files, scoring, the judge's calibration."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.judge import judge_accuracy
from eval.questions import EvalError, load_questions
from eval.runner import run_set

QUESTIONS = [
    {
        "id": "t-1",
        "question": "what do people mean by poverty blindness?",
        "kind": "factual",
        "answerable": True,
        "reports": ["triennial-2014-17"],
        "must_contain": ["poverty"],
        "gold": [
            {
                "report": "triennial-2014-17",
                "section": "Poverty blindness",
                "anchor": "Professionals can become used to poverty",
            }
        ],
    },
    {
        "id": "t-2",
        "question": "How much does a school dinner cost in Scotland?",
        "kind": "unanswerable",
        "answerable": False,
    },
]


def test_malformed_line_names_file_and_line(tmp_path: Path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(QUESTIONS[0]) + "\n{not json}\n", encoding="utf-8")
    with pytest.raises(EvalError, match=r"bad\.jsonl:2: malformed question"):
        load_questions(path)
    path.write_text(json.dumps({"id": "x", "question": "q"}) + "\n", encoding="utf-8")
    with pytest.raises(EvalError, match=r"bad\.jsonl:1: malformed"):
        load_questions(path)


def test_shipped_sets_load():
    from eval.questions import set_path

    assert len(load_questions(set_path("dev"))) + len(load_questions(set_path("test"))) >= 120
    assert len(load_questions(set_path("reports"))) >= 40


@pytest.mark.slow
def test_judge_calibration_accuracy_is_at_least_0_9(embedder):
    result = judge_accuracy(embedder)
    assert result["pairs"] >= 80
    assert result["accuracy"] >= 0.9


@pytest.mark.slow
def test_run_set_scores_and_writes_reports(settings, embedder, tmp_path: Path):
    path = tmp_path / "mini.jsonl"
    path.write_text("\n".join(json.dumps(q) for q in QUESTIONS) + "\n", encoding="utf-8")
    out = tmp_path / "run"
    results = run_set(settings, str(path), out_dir=out, announce=lambda _: None)
    assert {p.name for p in out.iterdir()} >= {"results.json", "report.md", "report.html"}
    first, second = results["questions"]
    assert first["scores"]["hit@5"] == 1.0
    assert first["scores"]["fact_recall"] == 1.0
    assert first["scores"]["citation_precision"] == 1.0
    assert second["refused"] is True and second["scores"]["refusal_correct"] is True
    overall = results["metrics"]["overall"]
    assert overall["n"] == 2 and overall["refusal_f1"] == 1.0
    assert results["run"]["judge"]["accuracy"] >= 0.9
