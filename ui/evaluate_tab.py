"""The Evaluate tab: run a question set with a progress bar, then the metrics, plots, worst
questions and the report files to download (the `eval` package does the scoring)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from html import escape
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.settings import Settings
from eval.questions import SETS_DIR, EvalError, load_questions, set_path
from eval.report import Report, _html_table, build_report, write_reports
from eval.runner import reports_skip_reason, run_set
from ui.render import status_html

WORST_SHOWN = 5


@dataclass
class EvaluateTab:
    question_set: gr.Dropdown
    limit: gr.Number
    run: gr.Button
    status: gr.HTML
    metrics: gr.HTML
    plots: gr.HTML
    worst: gr.HTML
    download: gr.File


def set_names() -> list[str]:
    """The shipped question sets, development set first."""
    names = sorted(p.stem for p in SETS_DIR.glob("*.jsonl"))
    return sorted(names, key=lambda n: (n != "dev", n))


def build_evaluate_tab(settings: Settings) -> EvaluateTab:
    """Lay out the tab and wire the run button."""
    gr.Markdown(
        "Run a question set through the assistant and score it: retrieval (hit@5, MRR),"
        " facts in the answers, whether each citation supports its sentence, and whether the"
        " assistant refuses what the reports don't cover. `dev` and `test` run on the"
        " briefings; `reports` needs the downloaded reports."
    )
    with gr.Row():
        question_set = gr.Dropdown(
            set_names(), value="dev", label="Question set", elem_id="sg-eval-set"
        )
        limit = gr.Number(
            0,
            label="Questions to run (0 = the whole set)",
            minimum=0,
            maximum=1000,
            precision=0,
            elem_id="sg-eval-limit",
        )
    run = gr.Button("Run the evaluation", variant="primary", elem_id="sg-eval-run")
    status = gr.HTML(elem_id="sg-eval-status")
    download = gr.File(
        label="Download the report (HTML, Markdown, JSON)",
        file_count="multiple",
        interactive=False,
        visible=False,
        elem_id="sg-eval-download",
    )
    metrics = gr.HTML(elem_id="sg-eval-metrics", elem_classes="sg-eval")
    plots = gr.HTML(elem_id="sg-eval-plots", elem_classes="sg-eval")
    worst = gr.HTML(elem_id="sg-eval-worst", elem_classes="sg-eval")
    tab = EvaluateTab(question_set, limit, run, status, metrics, plots, worst, download)
    run.click(
        partial(run_evaluation, settings),
        [question_set, limit],
        [status, metrics, plots, worst, download],
        concurrency_limit=1,
        show_progress="full",
    )
    return tab


def chosen_questions(name: str, limit: int, out_dir: Path) -> Path:
    """The set's file, or the first `limit` questions of it written into the run folder."""
    path = set_path(name)
    if limit <= 0:
        return path
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    out_dir.mkdir(parents=True, exist_ok=True)
    subset = out_dir / "questions.jsonl"
    subset.write_text("\n".join(lines[:limit]) + "\n", encoding="utf-8")
    return subset


def run_evaluation(
    settings: Settings,
    name: str,
    limit: float | None,
    progress: gr.Progress = gr.Progress(),  # noqa: B008  (how Gradio injects its progress bar)
) -> tuple[Any, ...]:
    """Run the set, write its reports, and render them; a status line on failure."""
    if name not in set_names():
        return fail(f"Choose one of the question sets: {', '.join(set_names())}.")
    if name == "reports" and (reason := reports_skip_reason(settings)):
        return fail(f"The reports set cannot run: {reason}.")
    count = int(limit or 0)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    out_dir = settings.data_dir / "eval-runs" / f"{stamp}-{name}-ui"
    progress(0, desc="Preparing the evaluation index")
    try:
        questions = chosen_questions(name, count, out_dir)
        load_questions(questions)
        results = run_set(
            settings,
            str(questions),
            corpus="live" if name == "reports" else "briefings",
            announce=lambda _: None,
            progress=lambda done, total: progress((done, total), desc="Questions", unit="q"),
        )
    except EvalError as exc:
        return fail(str(exc))
    results["run"]["set"] = name if count <= 0 else f"{name} (first {count})"
    (out_dir / "results.json").write_text(json.dumps(results, indent=2, default=str))
    files = [*write_reports(results, out_dir), out_dir / "results.json"]
    report = build_report(results)
    done = f"Scored {len(results['questions'])} questions in {results['run']['seconds']} s."
    return (
        f'<p class="sg-done" role="status">{escape(done)}</p>',
        metrics_html(report),
        plots_html(report),
        worst_html(report),
        gr.update(value=[str(f) for f in files], visible=True),
    )


def fail(message: str) -> tuple[Any, ...]:
    return status_html(message), "", "", "", gr.update(value=None, visible=False)


def metrics_html(report: Report) -> str:
    """The run, the overall metrics table and the per-kind table."""
    run = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in report.run)
    parts = [f"<h2>{escape(report.title)}</h2>", f'<dl class="sg-run">{run}</dl>']
    parts += _html_table(report.overall, "sg-t-overall", "No overall metrics in this run.")
    parts += _html_table(report.by_kind, "sg-t-kind", "No per-kind metrics in this run.")
    return "\n".join(parts)


def plots_html(report: Report) -> str:
    """Each plot as an image with its alt text and a visible caption."""
    figures = [
        f'<figure><img src="data:image/png;base64,{base64.b64encode(p.png).decode("ascii")}"'
        f' alt="{escape(p.alt)}"><figcaption>{escape(p.caption)}</figcaption></figure>'
        for p in report.plots
    ]
    notes = [f"<p>{escape(note)}</p>" for note in report.plot_notes]
    return "<h2>Plots</h2>" + "".join(figures + notes)


def worst_html(report: Report) -> str:
    """The lowest-scoring questions: question, answer and scores, one per section."""
    items = []
    for i, q in enumerate(report.worst[:WORST_SHOWN], start=1):
        scores = _html_table(q.scores, f"sg-t-worst-{i}", "")
        items.append(
            f'<section aria-labelledby="sg-worst-{i}"><h3 id="sg-worst-{i}">{escape(q.heading)}'
            f"</h3><p><strong>Question:</strong> {escape(q.question)}</p>"
            f"<p><strong>Refused:</strong> {escape(q.refused)}</p>"
            f"<blockquote>{escape(q.answer.strip()) or '(no answer text)'}</blockquote>"
            f"<details><summary>Scores</summary>{''.join(scores)}</details></section>"
        )
    body = "".join(items) or "<p>No questions in this run.</p>"
    return f"<h2>Worst {WORST_SHOWN} questions</h2>{body}"
