"""The Evaluate tab's HTML and its checks on uploads and saved runs, without a browser."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest

from assistant.settings import Settings
from eval.report import build_report
from tests.eval.test_report import make_results
from ui import evaluate_tab as tab


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


def save_run(settings: Settings, name: str, results: dict[str, Any], mtime: int) -> Path:
    folder = tab.runs_dir(settings) / name
    folder.mkdir(parents=True)
    path = folder / "results.json"
    path.write_text(json.dumps(results), encoding="utf-8")
    os.utime(path, (mtime, mtime))
    return folder


def test_problem_html_lists_every_line_escaped() -> None:
    message = "set.csv: 2 errors\n  line 2: <b>kind</b> missing\n  - line 5: answerable & more"
    html = tab.problem_html(message)
    assert html.startswith('<div class="sg-status" role="alert"><p>set.csv: 2 errors</p>')
    assert "<li>line 2: &lt;b&gt;kind&lt;/b&gt; missing</li>" in html
    assert "<li>line 5: answerable &amp; more</li>" in html
    assert tab.problem_html("One thing.") == (
        '<div class="sg-status" role="alert"><p>One thing.</p></div>'
    )
    assert tab.problem_html("") == ""


def test_an_uploaded_file_with_mistakes_is_not_run(settings: Settings, tmp_path: Path) -> None:
    bad = tmp_path / "upload-dir" / "my set.jsonl"
    bad.parent.mkdir()
    bad.write_text('{"id": "a", "question": "q?"}\n\n{"id": "b", "kind": "<odd>"}\n', "utf-8")
    status, metrics, *_ = tab.run_uploaded(settings, str(bad))
    assert status.startswith('<div class="sg-status" role="alert"><p>my set.jsonl')
    assert "<li>line 1: " in status and "<li>line 3: " in status  # every mistake, numbered
    assert "&lt;odd&gt;" in status and "<odd>" not in status
    assert str(bad.parent) not in status  # the server's temporary folder is not shown
    assert metrics == ""
    assert not tab.runs_dir(settings).exists()  # nothing was run
    wrong = tmp_path / "notes.txt"
    wrong.write_text("x", encoding="utf-8")
    assert "must end in .jsonl or .csv" in tab.run_uploaded(settings, str(wrong))[0]
    assert "Choose a question file" in tab.run_uploaded(settings, None)[0]


def test_metrics_show_the_run_notes_above_the_tables() -> None:
    results = make_results() | {"notes": ["retrieval metrics left out: <no gold> passages"]}
    html = tab.metrics_html(build_report(results))
    note = "retrieval metrics left out: &lt;no gold&gt; passages"
    assert html.index(note) < html.index("<table>")
    assert 'role="note"' in html
    assert 'aria-labelledby="sg-t-overall-caption"' in html
    assert 'role="note"' not in tab.metrics_html(build_report(make_results()))


def changed_run() -> dict[str, Any]:
    b = copy.deepcopy(make_results())
    b["run"]["mode"] = "generative"
    b["metrics"]["overall"]["hit@5"] = 0.95
    qb = {q["id"]: q for q in b["questions"]}
    qb["test-003"]["refused"] = False
    qb["test-003"]["question"] = "What <share> of reviews?"
    b["questions"].append({"id": "test-005", "kind": "factual", "refused": False})
    return b


def test_comparison_shows_metrics_side_by_side_and_changed_questions() -> None:
    html = tab.comparison_html(make_results(), changed_run())
    assert "<dt>Run A</dt><dd>test set, extractive mode" in html
    assert "<dt>Run B</dt><dd>test set, generative mode" in html
    assert '<caption id="sg-t-compare-caption">Overall metrics: run A, run B' in html
    assert (
        '<th scope="row">hit@5</th><td class="num">0.900</td><td class="num">0.950</td>'
        '<td class="num">+0.050</td>'
    ) in html
    assert "quality moved by more than 0.2): 1</caption>" in html
    assert "<td>What &lt;share&gt; of reviews?</td><td>unanswerable</td><td>yes → no</td>" in html
    assert "Only in run B (1): test-005" in html
    same = tab.comparison_html(make_results(), make_results())
    assert "quality moved by more than 0.2): none.</p>" in same


def test_saved_runs_are_listed_newest_first_and_chosen_for_comparison(
    settings: Settings,
) -> None:
    save_run(settings, "20260101T120000-dev-ui", make_results(), 1_000)
    save_run(settings, "20260102T120000-dev-ui", changed_run(), 2_000)
    (tab.runs_dir(settings) / "20260103T120000-empty-ui").mkdir()  # no results: not listed
    assert tab.saved_runs(settings) == ["20260102T120000-dev-ui", "20260101T120000-dev-ui"]
    a, b = tab.run_choices(settings)
    assert a["value"] == "20260101T120000-dev-ui" and b["value"] == "20260102T120000-dev-ui"
    html = tab.compare_chosen(settings, a["value"], b["value"])
    assert "Run A compared with run B" in html and "+0.050" in html


def test_choosing_saved_runs_reports_what_is_wrong(settings: Settings) -> None:
    assert "Choose run A" in tab.compare_chosen(settings, None, None)
    save_run(settings, "20260101T120000-dev-ui", make_results(), 1_000)
    assert "Choose run B" in tab.compare_chosen(settings, "20260101T120000-dev-ui", None)
    outside = tab.compare_chosen(settings, "../../etc", "20260101T120000-dev-ui")
    assert "Run A: ../../etc is not a saved run" in outside


def test_uploaded_results_are_compared_earlier_run_first(tmp_path: Path) -> None:
    later = changed_run()
    later["run"]["started"] = "2026-01-02T12:00:00+00:00"
    paths = []
    for name, results in (("later", later), ("earlier", make_results())):
        path = tmp_path / name / "results.json"
        path.parent.mkdir()
        path.write_text(json.dumps(results), encoding="utf-8")
        paths.append(str(path))
    html = tab.compare_uploaded(paths)
    assert "<dt>Run A</dt><dd>test set, extractive mode" in html  # the earlier run
    assert "+0.050" in html
    assert "Upload two results.json files" in tab.compare_uploaded(paths[:1])
    assert "Upload two results.json files" in tab.compare_uploaded(None)
    broken = tmp_path / "tmpdir" / "results.json"
    broken.parent.mkdir()
    broken.write_text('{"metrics": ', encoding="utf-8")
    message = tab.compare_uploaded([paths[0], str(broken)])
    assert "results.json: not valid JSON" in message and 'role="alert"' in message
    assert str(broken.parent) not in message


def test_each_ui_run_gets_a_folder_of_its_own(settings: Settings) -> None:
    first = tab.new_run_dir(settings, "dev")
    second = tab.new_run_dir(settings, "dev")
    assert first != second and first.is_dir() and second.is_dir()
    assert second.name.startswith(first.name[: len("20260101T120000")])
