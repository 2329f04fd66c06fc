"""Report writers and run comparison, on a small fake results dict."""

from __future__ import annotations

import copy
import json
import tomllib
from fnmatch import fnmatch
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from assistant.settings import PROJECT_ROOT
from eval.compare import compare_runs, load_run
from eval.report import (
    Table,
    build_report,
    render_markdown,
    table_html,
    worst_questions,
    write_reports,
)

SCRIPT_ANSWER = 'Say "no" <script>alert(1)</script> & mean it [1].'
VOID = {"meta", "img", "br", "hr", "link", "input", "source", "wbr", "col", "area", "base"}


def scores(quality: float | None, **extra: Any) -> dict[str, Any]:
    base = {
        "hit@5": 1.0,
        "mrr@10": 1.0,
        "ndcg@10": 1.0,
        "words_to_answer": 12,
        "fact_recall": 1.0,
        "citation_precision": 1.0,
        "citation_recall": 1.0,
        "unsupported_rate": 0.0,
        "refusal_correct": True,
        "latency_ms": 31.2,
        "quality": quality,
    }
    return base | extra


def citation(n: int, quote: str, supported: bool = True, last_page: int = 54) -> dict[str, Any]:
    return {
        "n": n,
        "passage_id": f"p{n}",
        "report_id": "triennial-2014-17",
        "report_title": "Complexity and challenge",
        "section": "3 Neglect > Poverty",
        "page_start": 54,
        "page_end": last_page,
        "quote": quote,
        "supported": supported,
    }


def overall(**extra: Any) -> dict[str, Any]:
    base = {
        "n": 4,
        "hit@5": 0.9,
        "mrr@10": 0.7,
        "ndcg@10": 0.7,
        "words_to_answer_median": 40,
        "fact_recall": 0.9,
        "citation_precision": 0.97,
        "citation_recall": 0.95,
        "unsupported_rate": 0.05,
        "refusal_precision": 1.0,
        "refusal_recall": 0.9,
        "refusal_f1": 0.95,
        "false_refusal_rate": 0.02,
        "false_answer_rate": 0.1,
        "latency_p50_ms": 30,
        "latency_p95_ms": 80,
    }
    return base | extra


def make_results() -> dict[str, Any]:
    """A four-question run: an answer, a hostile answer, a right refusal and a wrong one."""
    questions = [
        {
            "id": "test-001",
            "question": "How often was neglect a factor?",
            "kind": "factual",
            "answerable": True,
            "reports": ["triennial-2014-17"],
            "answer": "Neglect was present in about three-quarters of the reviews [1].",
            "refused": False,
            "warnings": [],
            "citations": [citation(1, "Neglect was present in about three-quarters", True, 55)],
            "retrieved": [],
            "scores": scores(0.95, latency_ms=20.0),
        },
        {
            "id": "test-002",
            "question": "What did they say about written agreements?",
            "kind": "thematic",
            "answerable": True,
            "answer": SCRIPT_ANSWER,
            "refused": False,
            "warnings": ["sentence 2 unsupported"],
            # The same passage cited twice.
            "citations": [citation(1, "Tom & Jerry's <b>quote</b>"), citation(1, "again", False)],
            "scores": scores(0.4, citation_precision=0.5, latency_ms=45.0),
        },
        {
            "id": "test-003",
            "question": "What share of the 2009-11 reviews involved neglect?",
            "kind": "unanswerable",
            "answerable": False,
            "answer": "The three reports don't appear to cover this.",
            "refused": True,
            "citations": [],
            "scores": scores(
                1.0,
                **{"hit@5": None, "mrr@10": None, "ndcg@10": None, "words_to_answer": None},
                citation_precision=None,
                citation_recall=None,
                latency_ms=12.5,
            ),
        },
        {
            "id": "test-004",
            "question": "And how many children?",
            "kind": "follow-up",
            "answerable": True,
            "answer": "",
            "refused": True,
            "scores": scores(0.4, refusal_correct=False, latency_ms=80.0),
        },
    ]
    by_kind = {
        "factual": overall(n=1),
        "thematic": overall(n=1, fact_recall=0.5),
        "follow-up": overall(n=1, **{"hit@5": 0.0}),
        "unanswerable": {"n": 1, "hit@5": None, "refusal_f1": 1.0, "latency_p50_ms": 12.5},
    }
    return {
        "run": {
            "set": "test",
            "mode": "extractive",
            "corpus": "briefings",
            "build": "20260101-120000",
            "started": "2026-01-01T12:00:00+00:00",
            "seconds": 12.3,
            "judge": {"accuracy": 0.93, "pairs": 93, "threshold": 0.7},
            "params": {"k": 10},
        },
        "metrics": {
            "overall": overall(),
            "by_kind": by_kind,
            "by_report": {
                "triennial-2014-17": overall(n=3),
                "hard-to-escape": overall(n=1, **{"mrr@10": 0.5}),
            },
        },
        "baselines": {
            "project": {"hit@5": 0.9, "mrr@10": 0.7, "ndcg@10": 0.7},
            "bm25": {"hit@5": 0.8, "mrr@10": 0.6, "ndcg@10": 0.6, "latency_p50_ms": 2},
        },
        "questions": questions,
    }


@pytest.fixture
def results() -> dict[str, Any]:
    return make_results()


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The fake run's reports, written once for the module (plotting is the slow part)."""
    return write_reports(make_results(), tmp_path_factory.mktemp("reports") / "out")


class StrictParser(HTMLParser):
    """Tracks open elements and records mismatched or unclosed tags and images."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.images: list[dict[str, str | None]] = []
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "img":
            self.images.append(dict(attrs))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}>, open: {self.stack[-3:]}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html_text: str) -> StrictParser:
    parser = StrictParser()
    parser.feed(html_text)
    parser.close()
    return parser


def test_write_reports_writes_both_files(written: list[Path]) -> None:
    assert [p.name for p in written] == ["report.md", "report.html"]
    assert all(p.is_file() and p.stat().st_size > 0 for p in written)


def test_html_is_well_formed_self_contained_and_escaped(written: list[Path]) -> None:
    html_text = written[1].read_text(encoding="utf-8")
    parsed = parse(html_text)
    assert parsed.errors == [] and parsed.stack == []
    assert "<title>Evaluation report: test set, extractive mode</title>" in html_text
    # One embedded image per plot (by kind, latency, by report), each with alt text.
    assert len(parsed.images) == 3
    for img in parsed.images:
        assert (img.get("src") or "").startswith("data:image/png;base64,")
        assert len(img.get("alt") or "") > 20
    # Self-contained: no scripts, no external resources.
    assert "script" not in parsed.tags and "link" not in parsed.tags
    assert "http://" not in html_text and "https://" not in html_text
    # The hostile answer is shown as text, escaped.
    assert "<script>alert" not in html_text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; mean it" in html_text
    # (Jinja2's autoescape writes quotes as numeric references.)
    assert "&#34;no&#34;" in html_text
    assert "Tom &amp; Jerry&#39;s &lt;b&gt;quote&lt;/b&gt;" in html_text
    assert SCRIPT_ANSWER in "".join(parsed.text)
    # Accessible tables and narrow screens.
    assert '<th scope="col"' in html_text and '<th scope="row"' in html_text
    assert "<caption" in html_text and "max-width" in html_text and "overflow-x: auto" in html_text
    assert 'name="viewport"' in html_text and '<html lang="en">' in html_text


def test_html_contents(written: list[Path]) -> None:
    text = "".join(parse(written[1].read_text("utf-8")).text)
    for expected in (
        "Overall metrics",
        "Baselines",
        "Metrics by question kind",
        "Metrics by report",
        "Worst 10 questions",
        "0.930 (93 pairs, threshold 0.7)",
        "20260101-120000",
        "12.3 s",
        "pp. 54-55",
        "sentence 2 unsupported",
    ):
        assert expected in text, expected


def test_markdown_has_metrics_table_and_worst_questions(written: list[Path]) -> None:
    md = written[0].read_text(encoding="utf-8")
    assert "## Overall metrics" in md
    assert "| Metric | Value | What it measures |" in md
    assert "| hit@5 | 0.900 |" in md
    assert "| Latency p50 (ms) | 30.0 |" in md
    assert "## Baselines" in md and "| bm25 | 0.800 | 0.600 | 0.600 | – | 2.0 |" in md
    assert "## Metrics by question kind" in md and "| unanswerable | 1 | – |" in md
    assert "## Worst 10 questions" in md
    # Lowest quality first, ties by id, the answer's HTML neutralised.
    assert md.index("test-002 (thematic)") < md.index("test-004 (follow-up)")
    assert md.index("test-004 (follow-up)") < md.index("test-001 (factual)")
    assert "<script>" not in md and "\\<script\\>" in md
    assert "- **Refused:** yes" in md


def test_table_html_escapes_cells_and_heads_rows() -> None:
    table = Table('Scores <for> "x"', ["Score", "Value"], [["<b>hit</b>", "1 & 2"]], {1})
    html_text = table_html(table, "t-x", "unused")
    parsed = parse(html_text)
    assert parsed.errors == [] and parsed.stack == []
    assert '<caption id="t-x-caption">Scores &lt;for&gt; &#34;x&#34;</caption>' in html_text
    assert 'aria-labelledby="t-x-caption"' in html_text
    assert '<th scope="col" class="num">Value</th>' in html_text
    assert '<th scope="row">&lt;b&gt;hit&lt;/b&gt;</th><td class="num">1 &amp; 2</td>' in html_text
    assert table_html(None, "t-y", "No <rows>.") == "<p>No &lt;rows&gt;.</p>"


def test_notes_appear_above_the_metrics_in_both_reports(tmp_path: Path) -> None:
    results = make_results() | {"notes": ["retrieval metrics left out: <no gold> passages"]}
    md_path, html_path = write_reports(results, tmp_path)
    html_text = html_path.read_text(encoding="utf-8")
    note = "retrieval metrics left out: &lt;no gold&gt; passages"
    assert html_text.index(note) < html_text.index('<h2 id="overall">')
    md = md_path.read_text(encoding="utf-8")
    assert md.index("> **Note:** retrieval metrics left out: \\<no gold\\>") < md.index(
        "## Overall metrics"
    )
    assert build_report(make_results()).notes == []
    assert "Note:" not in render_markdown(build_report(make_results()))


def test_the_templates_ship_with_the_package() -> None:
    """A non-editable install finds the templates only if pyproject lists them as package data."""
    pyproject = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["eval"]
    templates = sorted((PROJECT_ROOT / "eval" / "templates").iterdir())
    assert [t.name for t in templates] == ["report.html.j2", "table.html.j2"]
    for template in templates:
        assert any(fnmatch(f"templates/{template.name}", pattern) for pattern in patterns)


def test_worst_questions_order_and_tolerance() -> None:
    questions = [
        {"id": "b", "scores": {"quality": 0.5}},
        {"id": "a", "scores": {"quality": 0.5}},
        {"id": "c"},
        {"id": "d", "scores": {"quality": 0.1}},
        "not a question",
    ]
    assert [q["id"] for q in worst_questions(questions)] == ["d", "a", "b", "c"]
    assert [q["id"] for q in worst_questions(questions, count=2)] == ["d", "a"]


def test_reports_tolerate_a_nearly_empty_results_dict(tmp_path: Path) -> None:
    md_path, html_path = write_reports({"questions": [{"id": "x"}]}, tmp_path)
    parsed = parse(html_path.read_text(encoding="utf-8"))
    assert parsed.errors == [] and parsed.images == []
    assert "No overall metrics in this run." in md_path.read_text(encoding="utf-8")


def test_compare_runs_shows_deltas_and_changed_questions(results: dict[str, Any]) -> None:
    b = copy.deepcopy(results)
    b["run"]["mode"] = "generative"
    b["metrics"]["overall"]["hit@5"] = 0.95
    b["metrics"]["overall"]["latency_p50_ms"] = 25
    b["metrics"]["overall"]["fact_recall"] = None  # not comparable: left out
    del b["metrics"]["overall"]["mrr@10"]  # only in A: left out
    b["metrics"]["overall"]["extra"] = 1.0  # only in B: left out
    qb = {q["id"]: q for q in b["questions"]}
    qb["test-001"]["scores"]["quality"] = 0.5  # 0.95 -> 0.5: changed
    qb["test-002"]["scores"]["quality"] = 0.6  # 0.4 -> 0.6: exactly 0.2, not listed
    qb["test-003"]["refused"] = False  # refusal flipped
    b["questions"].append({"id": "test-005", "kind": "factual", "refused": False})

    text = compare_runs(results, b)
    lines = text.splitlines()
    assert "A: test set, extractive mode" in lines[0]
    assert "B: test set, generative mode" in lines[1]
    row = {line.split()[0]: line.split()[1:] for line in lines if line.strip()}
    assert row["hit@5"] == ["0.900", "0.950", "+0.050"]
    assert row["latency_p50_ms"] == ["30", "25", "-5.000"]
    assert row["ndcg@10"] == ["0.700", "0.700", "+0.000"]
    for absent in ("mrr@10", "fact_recall", "extra"):
        assert absent not in row
    assert "Changed questions (refused flag changed, or quality moved by more than 0.2): 2" in text
    assert row["test-001"] == ["factual", "no", "→", "no", "0.950", "→", "0.500"]
    assert row["test-003"] == ["unanswerable", "yes", "→", "no", "1.000", "→", "1.000"]
    assert "test-002" not in row and "test-004" not in row
    assert "Only in B (1): test-005" in text


def test_compare_identical_runs(results: dict[str, Any]) -> None:
    text = compare_runs(results, results)
    assert "+0.000" in text and "-0.000" not in text
    assert "quality moved by more than 0.2): 0" in text


def test_load_run_accepts_a_directory_or_the_file(results: dict[str, Any], tmp_path: Path) -> None:
    (tmp_path / "results.json").write_text(json.dumps(results), encoding="utf-8")
    assert load_run(tmp_path) == results
    assert load_run(tmp_path / "results.json") == results


def test_load_run_errors_name_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(ValueError, match="nowhere"):
        load_run(missing)
    empty_dir = tmp_path / "run-empty"
    empty_dir.mkdir()
    with pytest.raises(ValueError, match=r"run-empty: no results\.json"):
        load_run(empty_dir)
    broken = tmp_path / "broken.json"
    broken.write_text('{"metrics": ', encoding="utf-8")
    with pytest.raises(ValueError, match=r"broken\.json: not valid JSON \(line 1"):
        load_run(broken)
    wrong = tmp_path / "answer.json"
    wrong.write_text('{"question": "q", "answer": "a"}', encoding="utf-8")
    with pytest.raises(ValueError, match=r"answer\.json: not a results file"):
        load_run(wrong)
    listing = tmp_path / "list.json"
    listing.write_text("[]", encoding="utf-8")
    with pytest.raises(ValueError, match=r"list\.json"):
        load_run(listing)
