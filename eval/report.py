"""Evaluation reports from a run's results dict: `report.md` and a self-contained `report.html`.

The HTML comes from Jinja2 templates in eval/templates/ (autoescaped), embeds its plots as
base64 PNG (matplotlib, Agg canvas) and its own CSS, so it can be mailed or attached to a paper
as one file. Every table is built once as a `Table` and rendered twice; `table_html` is the one
HTML table renderer, shared with the UI. Missing keys and null scores are shown as a dash.
"""

from __future__ import annotations

import argparse
import base64
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from assistant.index_schema import pages_label
from eval.compare import load_run
from eval.metrics import percentile

DASH = "–"
KIND_ORDER = ("factual", "thematic", "cross-report", "follow-up", "unanswerable")
WORST_COUNT = 10

# key -> (display name, what it measures)
METRICS: dict[str, tuple[str, str]] = {
    "n": ("Questions", "Questions scored"),
    "hit@5": ("hit@5", "Share of questions with a relevant passage in the top 5"),
    "mrr@10": ("MRR@10", "Mean reciprocal rank of the first relevant passage in the top 10"),
    "ndcg@10": ("nDCG@10", "Ranking quality of the relevant passages in the top 10 (1 = ideal)"),
    "words_to_answer": ("Words to answer", "Words of retrieved text read before a key fact"),
    "words_to_answer_median": (
        "Words to answer (median)",
        "Median words of retrieved text read, in rank order, before a key fact appears",
    ),
    "fact_recall": ("Fact recall", "Share of expected key facts found in the answer"),
    "key_fact": (
        "Key fact",
        "Share of a question's must-contain tokens in its answer (a refused answerable one: 0)",
    ),
    "citation_precision": (
        "Citation precision",
        "Share of citations whose passage supports the sentence citing it",
    ),
    "citation_recall": (
        "Citation recall",
        "Share of answer sentences supported by at least one of their citations",
    ),
    "unsupported_rate": ("Unsupported rate", "Share of answer sentences no citation supports"),
    "refusal_correct": (
        "Refusal decision correct",
        "Share of questions refused or answered rightly",
    ),
    "refusal_precision": ("Refusal precision", "Share of refusals that were right to refuse"),
    "refusal_recall": ("Refusal recall", "Share of unanswerable questions refused"),
    "refusal_f1": ("Refusal F1", "Harmonic mean of refusal precision and recall"),
    "false_refusal_rate": ("False refusal rate", "Share of answerable questions refused"),
    "false_answer_rate": ("False answer rate", "Share of unanswerable questions answered"),
    "latency_ms": ("Latency (ms)", "Time to answer this question"),
    "latency_p50_ms": ("Latency p50 (ms)", "Median time per question"),
    "latency_p95_ms": ("Latency p95 (ms)", "95th percentile time per question"),
    "quality": ("Quality", "Per-question summary score (0 to 1)"),
}
BREAKDOWN_COLUMNS = (
    "n",
    "hit@5",
    "mrr@10",
    "ndcg@10",
    "fact_recall",
    "citation_precision",
    "citation_recall",
    "unsupported_rate",
    "refusal_f1",
    "false_refusal_rate",
    "false_answer_rate",
    "latency_p50_ms",
)
BASELINE_COLUMNS = ("hit@5", "mrr@10", "ndcg@10", "words_to_answer_median", "latency_p50_ms")
PLOT_METRICS = (
    "hit@5",
    "mrr@10",
    "ndcg@10",
    "fact_recall",
    "citation_precision",
    "citation_recall",
)
# Okabe-Ito: distinguishable with the common colour-vision deficiencies; hatches add a second cue.
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")
HATCHES = ("", "//", "..", "xx", "\\\\", "--", "++")


# --- values -------------------------------------------------------------------------------


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return None if math.isnan(value) else float(value)


def label(key: str) -> str:
    """The display name of a metric key (the key itself when unknown)."""
    return METRICS.get(key, (key, ""))[0]


def fmt(key: str, value: Any) -> str:
    """A score as text: counts as integers, milliseconds and words to 1 decimal, rates to 3."""
    if value is None:
        return DASH
    if isinstance(value, bool):
        return "yes" if value else "no"
    number = _number(value)
    if number is None:
        return str(value)
    if key == "n" or (isinstance(value, int) and not key.endswith("_ms")):
        return str(int(number))
    if key.endswith("_ms") or key.startswith("words_to_answer"):
        return f"{number:.1f}"
    return f"{number:.3f}"


def _pages(citation: Mapping[str, Any]) -> str:
    start, end = citation.get("page_start"), citation.get("page_end")
    if start is None:
        return DASH
    return pages_label(start, end, citation.get("source_kind") or "report")


def _ordered_kinds(by_kind: Mapping[str, Any]) -> list[str]:
    known = [kind for kind in KIND_ORDER if kind in by_kind]
    return known + [kind for kind in by_kind if kind not in known]


# --- document model -----------------------------------------------------------------------


@dataclass
class Table:
    """Plain-text cells; the first column heads its row. `numeric` columns align right."""

    caption: str
    columns: list[str]
    rows: list[list[str]]
    numeric: set[int] = field(default_factory=set)
    md_caption: bool = False


@dataclass
class Plot:
    """One chart: PNG bytes, alt text and a visible caption."""

    png: bytes
    alt: str
    caption: str


@dataclass
class Question:
    """One of the worst questions, ready to render."""

    heading: str
    question: str
    kind: str
    refused: str
    answer: str
    warnings: list[str]
    citations: Table | None
    scores: Table


@dataclass
class Report:
    """Everything both renderers need."""

    title: str
    run: list[tuple[str, str]]
    overall: Table | None
    baselines: Table | None
    by_kind: Table | None
    by_report: Table | None
    plots: list[Plot]
    plot_notes: list[str]
    worst: list[Question]
    notes: list[str] = field(default_factory=list)  # what the run left out, and why


def _breakdown(
    caption: str, head: str, groups: Mapping[str, Any], order: list[str]
) -> Table | None:
    if not groups:
        return None
    columns = [k for k in BREAKDOWN_COLUMNS if any(k in _dict(groups[g]) for g in order)]
    rows = [[group] + [fmt(k, _dict(groups[group]).get(k)) for k in columns] for group in order]
    numeric = set(range(1, len(columns) + 1))
    return Table(caption, [head] + [label(k) for k in columns], rows, numeric)


def _run_rows(results: Mapping[str, Any]) -> list[tuple[str, str]]:
    run = _dict(results.get("run"))
    judge = _dict(run.get("judge"))
    accuracy = _number(judge.get("accuracy"))
    if accuracy is None:
        judge_text = DASH
    else:
        extras = []
        if judge.get("pairs") is not None:
            extras.append(f"{judge['pairs']} pairs")
        if judge.get("threshold") is not None:
            extras.append(f"threshold {judge['threshold']}")
        judge_text = f"{accuracy:.3f}" + (f" ({', '.join(extras)})" if extras else "")
    seconds = _number(run.get("seconds"))
    n = _dict(_dict(results.get("metrics")).get("overall")).get("n")
    if n is None:
        n = len(_list(results.get("questions"))) or None
    return [
        ("Question set", str(run.get("set") or DASH)),
        ("Answer mode", str(run.get("mode") or DASH)),
        ("Corpus", str(run.get("corpus") or DASH)),
        ("Index build", str(run.get("build") or DASH)),
        ("Started", str(run.get("started") or DASH)),
        ("Duration", DASH if seconds is None else f"{seconds:.1f} s"),
        ("Questions", DASH if n is None else str(n)),
        ("Judge calibration accuracy", judge_text),
    ]


def _overall(metrics: Mapping[str, Any]) -> Table | None:
    if not metrics:
        return None
    rows = [[label(k), fmt(k, v), METRICS.get(k, ("", ""))[1]] for k, v in metrics.items()]
    return Table("Overall metrics", ["Metric", "Value", "What it measures"], rows, {1})


def _baselines(baselines: Mapping[str, Any]) -> Table | None:
    if not baselines:
        return None
    rows = [
        [system] + [fmt(k, _dict(scores).get(k)) for k in BASELINE_COLUMNS]
        for system, scores in baselines.items()
    ]
    columns = ["System"] + [label(k) for k in BASELINE_COLUMNS]
    return Table("Baselines", columns, rows, set(range(1, len(columns))))


def _quality(question: Mapping[str, Any]) -> float | None:
    return _number(_dict(question.get("scores")).get("quality"))


def worst_questions(questions: Sequence[Any], count: int = WORST_COUNT) -> list[dict[str, Any]]:
    """The `count` questions with the lowest `scores.quality` (ties by id; unscored last)."""

    def key(q: dict[str, Any]) -> tuple[bool, float, str]:
        quality = _quality(q)
        return (quality is None, quality or 0.0, str(q.get("id", "")))

    return sorted((q for q in questions if isinstance(q, dict)), key=key)[:count]


def _question(rank: int, q: Mapping[str, Any]) -> Question:
    qid = str(q.get("id") or DASH)
    kind = str(q.get("kind") or DASH)
    quality = _quality(q)
    heading = f"{rank}. {qid} ({kind}), quality {fmt('quality', quality)}"
    citations = [c for c in _list(q.get("citations")) if isinstance(c, dict)]
    citation_table = None
    if citations:
        rows = [
            [
                str(c.get("n", DASH)),
                str(c.get("report_id") or c.get("report_title") or DASH),
                str(c.get("section") or DASH),
                _pages(c),
                str(c.get("quote") or DASH),
                fmt("supported", c.get("supported")),
            ]
            for c in citations
        ]
        columns = ["n", "Report", "Section", "Pages", "Quote", "Supported"]
        citation_table = Table(f"Citations for {qid}", columns, rows, {0}, md_caption=True)
    scores = _dict(q.get("scores"))
    score_rows = [[label(k), fmt(k, v)] for k, v in scores.items()]
    score_table = Table(f"Scores for {qid}", ["Score", "Value"], score_rows, {1}, md_caption=True)
    refused = q.get("refused")
    return Question(
        heading=heading,
        question=str(q.get("question") or DASH),
        kind=kind,
        refused=fmt("refused", refused) if isinstance(refused, bool) else DASH,
        answer=str(q.get("answer") or ""),
        warnings=[str(w) for w in _list(q.get("warnings"))],
        citations=citation_table,
        scores=score_table,
    )


# --- plots --------------------------------------------------------------------------------


def _png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def _grouped_bars(groups: Mapping[str, Any], order: list[str], xlabel: str) -> bytes | None:
    metrics = [
        m for m in PLOT_METRICS if any(_number(_dict(groups[g]).get(m)) is not None for g in order)
    ]
    if not order or not metrics:
        return None
    fig = Figure(figsize=(8, 4.5), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    width = 0.8 / len(metrics)
    for i, metric in enumerate(metrics):
        values = [_number(_dict(groups[g]).get(metric)) for g in order]
        positions = [x - 0.4 + width * (i + 0.5) for x in range(len(order))]
        for x, value in zip(positions, values, strict=True):
            if value is None:  # not applicable, e.g. retrieval for unanswerable questions
                ax.text(x, 0.02, "n/a", rotation=90, ha="center", va="bottom", fontsize=8)
        ax.bar(
            positions,
            [value or 0.0 for value in values],
            width,
            label=label(metric),
            color=COLOURS[i % len(COLOURS)],
            hatch=HATCHES[i % len(HATCHES)],
            edgecolor="#1b1b1b",
            linewidth=0.5,
        )
    ax.set_xticks(range(len(order)), order)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("Score (0 to 1)")
    ax.set_ylim(0, 1.05)
    ax.grid(axis="y", color="#cccccc", linewidth=0.5)
    ax.set_axisbelow(True)
    fig.legend(loc="outside lower center", ncols=min(len(metrics), 3), frameon=False)
    return _png(fig)


def _latency_histogram(latencies: list[float]) -> bytes | None:
    if not latencies:
        return None
    fig = Figure(figsize=(8, 4), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    bins = max(5, min(30, round(math.sqrt(len(latencies)) * 2)))
    ax.hist(latencies, bins=bins, color=COLOURS[0], edgecolor="#1b1b1b", linewidth=0.5)
    for p, style, colour in ((50, "--", COLOURS[5]), (95, ":", "#000000")):
        value = percentile(latencies, p) or 0.0
        ax.axvline(value, linestyle=style, color=colour, linewidth=2, label=f"p{p}: {value:.1f} ms")
    ax.legend(frameon=False)
    ax.set_xlabel("Latency per question (ms)")
    ax.set_ylabel("Questions")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(axis="y", color="#cccccc", linewidth=0.5)
    ax.set_axisbelow(True)
    return _png(fig)


def _plots(results: Mapping[str, Any]) -> tuple[list[Plot], list[str]]:
    metrics = _dict(results.get("metrics"))
    by_kind = _dict(metrics.get("by_kind"))
    by_report = _dict(metrics.get("by_report"))
    plots: list[Plot] = []
    notes: list[str] = []
    kinds = _ordered_kinds(by_kind)
    png = _grouped_bars(by_kind, kinds, "Question kind")
    if png:
        plots.append(
            Plot(
                png,
                "Grouped bar chart of retrieval, fact and citation scores (0 to 1) for each "
                f"question kind: {', '.join(kinds)}. The values are in the table "
                "'Metrics by question kind'.",
                "Metrics by question kind",
            )
        )
    else:
        notes.append("No per-kind scores to plot.")
    latencies = [
        v
        for q in _list(results.get("questions"))
        if (v := _number(_dict(_dict(q).get("scores")).get("latency_ms"))) is not None
    ]
    png = _latency_histogram(latencies)
    if png:
        plots.append(
            Plot(
                png,
                f"Histogram of answer latency for {len(latencies)} questions, from "
                f"{min(latencies):.0f} to {max(latencies):.0f} ms; lines mark the median "
                f"({percentile(latencies, 50):.1f} ms) and 95th percentile "
                f"({percentile(latencies, 95):.1f} ms).",
                "Latency per question",
            )
        )
    else:
        notes.append("No latency measurements to plot.")
    reports = list(by_report)
    png = _grouped_bars(by_report, reports, "Report")
    if png:
        plots.append(
            Plot(
                png,
                "Grouped bar chart of retrieval, fact and citation scores (0 to 1) for each "
                f"report: {', '.join(reports)}. The values are in the table 'Metrics by report'.",
                "Metrics by report",
            )
        )
    else:
        notes.append("No per-report scores to plot.")
    return plots, notes


def build_report(results: Mapping[str, Any]) -> Report:
    """The report's content, independent of output format."""
    run = _dict(results.get("run"))
    metrics = _dict(results.get("metrics"))
    by_kind = _dict(metrics.get("by_kind"))
    by_report = _dict(metrics.get("by_report"))
    title = "Evaluation report"
    if run.get("set"):
        title += f": {run['set']} set"
        if run.get("mode"):
            title += f", {run['mode']} mode"
    plots, notes = _plots(results)
    worst = worst_questions(_list(results.get("questions")))
    return Report(
        title=title,
        run=_run_rows(results),
        overall=_overall(_dict(metrics.get("overall"))),
        baselines=_baselines(_dict(results.get("baselines"))),
        by_kind=_breakdown("Metrics by question kind", "Kind", by_kind, _ordered_kinds(by_kind)),
        by_report=_breakdown("Metrics by report", "Report", by_report, list(by_report)),
        plots=plots,
        plot_notes=notes,
        worst=[_question(i, q) for i, q in enumerate(worst, start=1)],
        notes=run_notes(results),
    )


def run_notes(results: Mapping[str, Any]) -> list[str]:
    """The run's notes (e.g. retrieval metrics left out for a set without gold passages)."""
    notes = results.get("notes")
    if isinstance(notes, str):
        return [notes]
    return [str(note) for note in _list(notes) if str(note).strip()]


# --- Markdown -----------------------------------------------------------------------------

MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_<>|&[]"})


def md_escape(text: str) -> str:
    """Text safe inside Markdown (and table cells): specials backslash-escaped, one line."""
    return " ".join(text.split()).translate(MD_SPECIAL)


def _md_table(table: Table | None, missing: str) -> list[str]:
    if table is None:
        return [missing, ""]
    lines = [f"*{md_escape(table.caption)}*", ""] if table.md_caption else []
    lines.append("| " + " | ".join(md_escape(c) for c in table.columns) + " |")
    aligns = ("---:" if i in table.numeric else "---" for i in range(len(table.columns)))
    lines.append("|" + "|".join(aligns) + "|")
    lines += ["| " + " | ".join(md_escape(c) or DASH for c in row) + " |" for row in table.rows]
    return lines + [""]


def render_markdown(report: Report) -> str:
    """The report as GitHub-flavoured Markdown (plots are in the HTML report)."""
    out = [f"# {md_escape(report.title)}", "", "## Run", ""]
    out += [f"- **{name}:** {md_escape(value)}" for name, value in report.run]
    if report.notes:
        out += [""] + [f"> **Note:** {md_escape(note)}" for note in report.notes]
    out += ["", "## Overall metrics", ""]
    out += _md_table(report.overall, "No overall metrics in this run.")
    if report.baselines:
        out += ["## Baselines", ""] + _md_table(report.baselines, "")
    out += ["## Metrics by question kind", ""]
    out += _md_table(report.by_kind, "No per-kind metrics in this run.")
    out += ["## Metrics by report", ""]
    out += _md_table(report.by_report, "No per-report metrics in this run.")
    out += ["## Plots", "", "The plots are embedded in `report.html`.", ""]
    out += [f"## Worst {WORST_COUNT} questions", ""]
    if not report.worst:
        out += ["No questions in this run.", ""]
    for q in report.worst:
        out += [f"### {md_escape(q.heading)}", ""]
        out += [f"- **Question:** {md_escape(q.question)}", f"- **Kind:** {md_escape(q.kind)}"]
        out += [f"- **Refused:** {q.refused}"]
        out += [f"- **Warning:** {md_escape(w)}" for w in q.warnings]
        out += ["", "**Answer:**", ""]
        answer_lines = [md_escape(line) for line in q.answer.splitlines() if line.strip()]
        out += [f"> {line}" for line in answer_lines] or ["> (no answer text)"]
        out += [""]
        out += _md_table(q.citations, "No citations.")
        out += _md_table(q.scores, "")
    return "\n".join(out).rstrip() + "\n"


# --- HTML ---------------------------------------------------------------------------------


def png_data_uri(png: bytes) -> str:
    """A PNG as a data: URI, so a page carries its images inside itself."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


TEMPLATES = Environment(
    loader=PackageLoader("eval", "templates"),
    autoescape=select_autoescape(("html", "html.j2"), default_for_string=True, default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
TEMPLATES.filters["png_data_uri"] = png_data_uri


def table_html(table: Table | None, table_id: str, missing: str) -> str:
    """One table as accessible HTML (caption, scoped headers, a focusable scroll region), or
    `missing` as a paragraph; the report and the UI's Evaluate tab both render tables here."""
    macro = getattr(TEMPLATES.get_template("table.html.j2").module, "table")  # noqa: B009
    return str(macro(table, table_id, missing))


def render_html(report: Report) -> str:
    """The report as one self-contained, accessible HTML page (eval/templates/report.html.j2)."""
    page = TEMPLATES.get_template("report.html.j2")
    return page.render(report=report, worst_count=WORST_COUNT)


def write_reports(results: dict[str, Any], out_dir: Path) -> list[Path]:
    """Write `report.md` and `report.html` for `results` into `out_dir`; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    report = build_report(results)
    md_path = out_dir / "report.md"
    html_path = out_dir / "report.html"
    md_path.write_text(render_markdown(report), encoding="utf-8")
    html_path.write_text(render_html(report), encoding="utf-8")
    return [md_path, html_path]


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m eval.report RUN [OUT_DIR]`: rewrite a run's reports from its results.json."""
    parser = argparse.ArgumentParser(prog="python -m eval.report", description=main.__doc__)
    parser.add_argument("run", type=Path, help="run directory or its results.json")
    parser.add_argument("out_dir", type=Path, nargs="?", help="default: the run directory")
    args = parser.parse_args(argv)
    try:
        results = load_run(args.run)
    except ValueError as exc:
        parser.exit(1, f"error: {exc}\n")
    run_dir = args.run if args.run.is_dir() else args.run.parent
    for path in write_reports(results, args.out_dir or run_dir):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
