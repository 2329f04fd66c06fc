"""The CI gate: dev, the blind batches and metamorphic invariance, answered for real, must not
fall past the gate; each run prints what is still short of the issue's targets."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.settings import PROJECT_ROOT, Settings
from eval.gate import blind_batches, failures, load_thresholds, shortfalls
from eval.metamorphic import run_metamorphic
from eval.runner import run_set, summarise


def test_failures_names_each_metric_on_the_wrong_side_of_its_level():
    levels = {"hit@5": 0.9, "key_fact": 0.85, "refusal_f1": 0.9, "false_refusal_rate_max": 0.05}
    metrics = {"hit@5": 0.95, "key_fact": 0.7, "refusal_f1": None, "false_refusal_rate": 0.1}
    assert failures(metrics, levels) == [
        "key_fact = 0.7 is below 0.85",
        "refusal_f1 = None is below 0.9",
        "false_refusal_rate = 0.1 is above 0.05",
    ]
    assert failures({"hit@5": 0.9, "x": 0.05}, {"hit@5": 0.9, "x_max": 0.05}) == []


def test_the_gate_covers_dev_blind_and_metamorphic_and_stays_measurable():
    gate = load_thresholds()["gate"]
    assert set(gate) == {"dev", "blind", "metamorphic"}
    for levels in gate.values():
        assert all(0 <= level <= 1 for level in levels.values())


def test_only_blind_batches_with_a_logged_first_run_are_gated(tmp_path: Path):
    (tmp_path / "batch-01.jsonl").write_text("{}\n")
    (tmp_path / "batch-02.jsonl").write_text("{}\n")
    (tmp_path / "LOG.md").write_text("| `batch-01.jsonl` | 2026-12-01 | ... |\n")
    assert [p.name for p in blind_batches(tmp_path)] == ["batch-01.jsonl"]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, corpus_dir=PROJECT_ROOT / "corpus")


def check(metrics: dict, part: str, capsys) -> None:
    gate = load_thresholds()["gate"][part]
    assert failures(metrics, gate) == [], f"{part} fell past eval/thresholds.toml: {metrics}"
    with capsys.disabled():  # the honest state against the targets, in every CI log
        print(f"\n{part} short of target:", "; ".join(shortfalls(metrics, part)) or "none")


@pytest.mark.slow
@pytest.mark.timeout(1800)  # ~1 min alone; the shared machine can make it many times slower
def test_dev_passes_the_gate(settings: Settings, capsys):
    check(run_set(settings, "dev", announce=lambda _: None)["metrics"]["overall"], "dev", capsys)


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_blind_batches_pass_the_gate(settings: Settings, capsys):
    batches = blind_batches()
    assert batches, "no blind batch has a logged first run"
    rows = [
        q for b in batches for q in run_set(settings, str(b), announce=lambda _: None)["questions"]
    ]
    metrics = summarise(rows)
    overall = dict(metrics["overall"])
    overall["conversation_key_fact"] = metrics["by_style"]["conversation"]["key_fact"]
    check(overall, "blind", capsys)


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_metamorphic_variants_pass_the_gate(settings: Settings, capsys):
    summary = run_metamorphic(settings, "dev", announce=lambda _: None)
    check(summary, "metamorphic", capsys)
