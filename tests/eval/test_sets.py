"""The shipped evaluation data passes its own checker (anchors verbatim, sections real, mix)."""

from __future__ import annotations

from eval.sets.check_sets import check_all


def test_evaluation_data_files_are_valid():
    problems, summary = check_all()
    assert problems == [], problems[:5]
    assert any("dev.jsonl" in line for line in summary)
