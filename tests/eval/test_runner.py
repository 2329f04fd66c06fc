"""The evaluation runner on a real index: question files, scoring, the judge's calibration."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.judge import judge_accuracy
from eval.questions import EvalError, Question, load_questions
from eval.runner import run_set, set_notes

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
    with pytest.raises(EvalError, match=r"bad\.jsonl: 1 problem.*\n  line 2: not valid JSON"):
        load_questions(path)
    path.write_text(json.dumps({"id": "x", "question": "q"}) + "\n", encoding="utf-8")
    with pytest.raises(EvalError, match=r"bad\.jsonl: 1 problem.*\n  line 1: answerable is miss"):
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
    assert results["notes"] == []


def no_gold(question: dict) -> dict:
    return {k: v for k, v in question.items() if k not in ("gold", "id", "kind")}


def test_notes_say_what_a_set_without_gold_or_tokens_leaves_out():
    with_gold, unanswerable = (Question.model_validate(q) for q in QUESTIONS)
    assert set_notes([with_gold, unanswerable], baselines=True) == []
    bare = with_gold.model_copy(update={"gold": [], "must_contain": []})
    assert set_notes([bare, unanswerable], baselines=True) == [
        "retrieval metrics (hit@5, MRR@10, nDCG@10) left out: the set has no gold passages",
        "retrieval baselines left out: they need gold passages",
        "1 answerable question has no must_contain tokens: scored on answering rather than"
        " refusing and on citation support only",
    ]
    assert set_notes([with_gold, bare], baselines=False)[0] == (
        "retrieval metrics cover the 1 answerable questions with gold passages; 1 without gold"
        " are not scored on retrieval"
    )


@pytest.mark.slow
def test_a_set_without_gold_runs_with_retrieval_metrics_left_out_and_says_why(
    settings, embedder, tmp_path: Path
):
    path = tmp_path / "mine.jsonl"
    path.write_text("\n".join(json.dumps(no_gold(q)) for q in QUESTIONS) + "\n", "utf-8")
    results = run_set(settings, str(path), out_dir=tmp_path / "run", announce=lambda _: None)
    assert results["notes"][0] == (
        "retrieval metrics (hit@5, MRR@10, nDCG@10) left out: the set has no gold passages"
    )
    overall = results["metrics"]["overall"]
    assert not {"hit@5", "mrr@10", "ndcg@10"} & set(overall)
    assert overall["fact_recall"] == 1.0 and overall["refusal_f1"] == 1.0
    first, second = results["questions"]
    assert "hit@5" not in first["scores"] and first["scores"]["quality"] == 1.0
    assert all(r["relevant"] is None for r in first["retrieved"])
    saved = json.loads((tmp_path / "run" / "results.json").read_text("utf-8"))
    assert saved["notes"] == results["notes"]
