"""The Evaluate tab in a real browser: download the templates, run an uploaded CSV or JSON Lines
set, see a faulty file's mistakes by line, and compare two runs side by side."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from eval.questions import SETS_DIR, load_questions
from tests.eval.test_report import make_results
from tests.ui.axe import BLOCKING, run_axe
from tests.ui.conftest import ARTIFACTS, PHONE

pytestmark = pytest.mark.slow

RESULTS_SHOWN = "#sg-eval-metrics h2, #sg-eval-status .sg-status"


def open_tab(page) -> None:  # type: ignore[no-untyped-def]
    page.click("#sg-tab-evaluate-button")
    page.locator("#sg-eval-upload").wait_for()


def choose_files(page, button: str, paths: list[Path]) -> None:  # type: ignore[no-untyped-def]
    """Press an upload button and pick `paths` in the file chooser it opens."""
    with page.expect_file_chooser() as chooser:
        page.click(button)
    chooser.value.set_files([str(p) for p in paths])


def run_upload(page, path: Path) -> str:  # type: ignore[no-untyped-def]
    """Upload `path` (which runs it) and wait for its results or a problem; the status text."""
    choose_files(page, "#sg-eval-upload", [path])
    page.wait_for_function(
        """(name) => {
          const status = document.querySelector('#sg-eval-status .sg-status');
          const title = document.querySelector('#sg-eval-metrics h2');
          return status || (title && title.innerText.includes(name));
        }""",
        arg=path.name,
        timeout=300_000,
    )
    message = page.locator("#sg-eval-status .sg-status")  # not Gradio's progress text beside it
    return str((message if message.count() else page.locator("#sg-eval-status")).inner_text())


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def blocking(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [f"{f.rule} at {f.target}: {f.html}" for f in run_axe(page) if f.impact in BLOCKING]


@pytest.mark.parametrize("suffix", ["csv", "jsonl"])
def test_template_downloads_and_loads(page, tmp_path: Path, suffix: str):
    open_tab(page)
    with page.expect_download() as info:
        page.click(f"#sg-eval-template-{suffix}")
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    assert saved.name == f"template.{suffix}"
    assert saved.read_bytes() == (SETS_DIR / f"template.{suffix}").read_bytes()
    assert len(load_questions(saved)) >= 2


def test_uploaded_csv_set_runs_and_shows_its_notes(page, tmp_path: Path):
    open_tab(page)
    csv = tmp_path / "tiny-set.csv"
    csv.write_text(
        "question,answerable,must_contain,reports\n"
        "What is poverty blindness?,yes,poverty,triennial-2014-17\n"
        "How much does a school dinner cost in Scotland?,no,,\n",
        encoding="utf-8",
    )
    status = run_upload(page, csv)
    assert "Scored 2 questions" in status
    metrics = page.locator("#sg-eval-metrics")
    assert "Evaluation report: tiny-set.csv (uploaded) set" in metrics.locator("h2").inner_text()
    notes = metrics.locator(".sg-eval-notes").inner_text()
    assert "retrieval metrics" in notes and "left out" in notes  # the set has no gold passages
    text = metrics.inner_text()
    assert text.index("left out") < text.index("Overall metrics")
    assert "Refusal decision correct" in text
    assert page.locator("#sg-eval-worst section").count() == 2
    links = page.locator("#sg-eval-download a[download]")
    links.nth(2).wait_for(timeout=30_000)
    names = {links.nth(i).get_attribute("download") for i in range(links.count())}
    assert names == {"report.html", "report.md", "results.json"}


def test_a_faulty_file_lists_its_mistakes_by_row(page, tmp_path: Path):
    open_tab(page)
    faulty = tmp_path / "faulty.csv"
    faulty.write_text(
        "question,answerable,must_contain,reports\n"
        "What is poverty blindness?,perhaps,poverty,triennial-2014-17\n"
        "What is neglect?,yes,neglect,<b>no-such-report</b>\n",
        encoding="utf-8",
    )
    status = run_upload(page, faulty)
    items = page.locator("#sg-eval-status li")
    lines = [items.nth(i).inner_text() for i in range(items.count())]
    assert status.startswith("faulty.csv: ")
    assert any(line.startswith("row 2: ") and "answerable" in line for line in lines)
    assert any(line.startswith("row 3: ") and "<b>no-such-report</b>" in line for line in lines)
    assert page.locator("#sg-eval-status b").count() == 0  # shown as text, never as markup
    assert "Traceback" not in status and "/tmp" not in status
    assert page.locator("#sg-eval-metrics table").count() == 0
    assert blocking(page) == []


def test_two_runs_are_compared_side_by_side(page, tmp_path: Path):
    open_tab(page)
    asked = {"id": "cmp-1", "answerable": True, "must_contain": [], "reports": []}
    first = tmp_path / "before.jsonl"
    write_jsonl(first, [asked | {"question": "What is poverty blindness?"}])
    second = tmp_path / "after.csv"
    second.write_text(
        "id,question,answerable,must_contain,reports\n"
        "cmp-1,How much does a school dinner cost in Scotland?,yes,,\n",
        encoding="utf-8",
    )
    assert "Scored 1 question " in run_upload(page, first)
    assert "Scored 1 question " in run_upload(page, second)
    run_a = page.locator("#sg-eval-run-a input").input_value()
    run_b = page.locator("#sg-eval-run-b input").input_value()
    assert run_a.endswith("-before-ui") and run_b.endswith("-after-ui")
    page.click("#sg-eval-compare")
    comparison = page.locator("#sg-eval-comparison")
    comparison.locator("table").first.wait_for(timeout=60_000)
    runs = comparison.locator("dl").inner_text()
    assert "before.jsonl (uploaded)" in runs and "after.csv (uploaded)" in runs
    metrics = comparison.locator("table").first
    assert "run A, run B and the difference" in metrics.locator("caption").inner_text()
    heads = metrics.locator("thead th")
    assert [heads.nth(i).inner_text() for i in range(heads.count())] == [
        "Metric",
        "Run A",
        "Run B",
        "B minus A",
    ]
    refused = metrics.locator("tr", has_text="False refusal rate").locator("td")
    assert [refused.nth(i).inner_text() for i in range(3)] == ["0.000", "1.000", "+1.000"]
    changed = comparison.locator("table").nth(1)
    assert "Changed questions" in changed.locator("caption").inner_text()
    row = changed.locator("tbody tr", has_text="cmp-1").inner_text()
    assert "school dinner" in row and "no → yes" in row
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "evaluate-compare-desktop.png"), full_page=True)
    assert blocking(page) == []
    page.set_viewport_size(PHONE)  # the wide tables scroll inside their own region
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.screenshot(path=str(ARTIFACTS / "evaluate-compare-phone.png"), full_page=True)
    assert blocking(page) == []


def test_two_uploaded_results_files_are_compared_earlier_first(page, tmp_path: Path):
    before, after = make_results(), copy.deepcopy(make_results())
    after["run"]["started"] = "2026-01-02T12:00:00+00:00"
    after["metrics"]["overall"]["hit@5"] = 0.95
    after["questions"][2]["refused"] = False  # test-003: refused, then answered
    paths = []
    for name, results in (("after", after), ("before", before)):  # the later run first
        path = tmp_path / f"{name}-results.json"
        path.write_text(json.dumps(results), encoding="utf-8")
        paths.append(path)
    open_tab(page)
    choose_files(page, "#sg-eval-results", paths)
    comparison = page.locator("#sg-eval-comparison")
    comparison.locator("table").first.wait_for(timeout=60_000)
    hit = comparison.locator("table").first.locator("tr", has_text="hit@5").locator("td")
    assert [hit.nth(i).inner_text() for i in range(3)] == ["0.900", "0.950", "+0.050"]
    changed = comparison.locator("table").nth(1).locator("tbody tr")
    assert changed.count() == 1 and "test-003" in changed.inner_text()
    assert "yes → no" in changed.inner_text()
