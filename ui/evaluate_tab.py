"""The Evaluate tab: run a shipped question set or the evaluator's own file (JSON Lines or CSV)
with a progress bar, show the metrics, plots, worst questions and report files, and compare two
runs side by side (the `eval` package does the loading, scoring and comparing)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from html import escape
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.settings import Settings
from eval.compare import (
    CHANGED_TITLE,
    changed_questions,
    load_run,
    only_in,
    overall_deltas,
    questions_by_id,
    run_label,
)
from eval.corpora import CorpusName
from eval.questions import SETS_DIR, EvalError, Question, load_questions, set_path
from eval.report import (
    Report,
    Table,
    build_report,
    label,
    png_data_uri,
    table_html,
    write_reports,
)
from eval.runner import reports_skip_reason, run_set

WORST_SHOWN = 5
RUNS_FOLDER = "eval-runs"
UPLOAD_TYPES = [".jsonl", ".csv"]
TEMPLATE_FILES = {"CSV": "template.csv", "JSON Lines": "template.jsonl"}
FORMAT_HELP = (
    "Your own questions, as CSV with the columns `question`, `answerable`, `must_contain`,"
    " `reports` and `history` (several values in one cell separated by `|`), or as JSON Lines"
    " like the shipped sets. Start from a template. A file with mistakes is not run: every"
    " mistake is listed with its line (JSON Lines) or row (CSV)."
)
# A wide table scrolls inside its own region and a long value wraps: otherwise their width
# passes up through Gradio's flex layout and the whole page scrolls sideways on a phone.
PANEL_CSS = """
.table-wrap { contain: inline-size; }
.sg-run dd { overflow-wrap: anywhere; min-width: 0; }
@media (max-width: 640px) {
  .sg-run { grid-template-columns: 1fr; }
  .sg-run dd { margin-bottom: 4px; }
}
"""
Outputs = tuple[Any, ...]


@dataclass
class EvaluateTab:
    question_set: gr.Dropdown
    limit: gr.Number
    run: gr.Button
    upload: gr.UploadButton
    templates: list[gr.DownloadButton]
    status: gr.HTML
    metrics: gr.HTML
    plots: gr.HTML
    worst: gr.HTML
    download: gr.File
    run_a: gr.Dropdown
    run_b: gr.Dropdown
    refresh: gr.Button
    compare: gr.Button
    results: gr.UploadButton
    comparison: gr.HTML


def set_names() -> list[str]:
    """The shipped question sets, development set first."""
    names = sorted(p.stem for p in SETS_DIR.glob("*.jsonl") if not p.stem.startswith("template"))
    return sorted(names, key=lambda n: (n != "dev", n))


def runs_dir(settings: Settings) -> Path:
    """Where runs are kept: the CLI's and the UI's alike."""
    return settings.data_dir / RUNS_FOLDER


def saved_runs(settings: Settings) -> list[str]:
    """The names of the saved runs that have results, newest first."""
    found = [p for p in runs_dir(settings).glob("*/results.json") if p.is_file()]
    found.sort(key=lambda p: (p.stat().st_mtime, p.parent.name), reverse=True)
    return [p.parent.name for p in found]


# --- layout -------------------------------------------------------------------------------


def build_evaluate_tab(settings: Settings) -> EvaluateTab:
    """Lay out the tab and wire its buttons."""
    gr.Markdown(
        "Run a question set through the assistant and score it: retrieval (hit@5, MRR),"
        " facts in the answers, whether each citation supports its sentence, and whether the"
        " assistant refuses what the reports don't cover. `dev` and `test` run on the"
        " briefings; `reports` needs the downloaded reports."
    )
    question_set, limit, run = shipped_set_controls()
    upload, templates = upload_controls()
    status = gr.HTML(elem_id="sg-eval-status")
    download = gr.File(
        label="Download the report (HTML, Markdown, JSON)",
        file_count="multiple",
        interactive=False,
        visible=False,
        elem_id="sg-eval-download",
    )
    metrics = gr.HTML(elem_id="sg-eval-metrics", elem_classes="sg-eval", css_template=PANEL_CSS)
    plots = gr.HTML(elem_id="sg-eval-plots", elem_classes="sg-eval")
    worst = gr.HTML(elem_id="sg-eval-worst", elem_classes="sg-eval", css_template=PANEL_CSS)
    run_a, run_b, refresh, compare, results, comparison = compare_controls()
    tab = EvaluateTab(
        question_set=question_set,
        limit=limit,
        run=run,
        upload=upload,
        templates=templates,
        status=status,
        metrics=metrics,
        plots=plots,
        worst=worst,
        download=download,
        run_a=run_a,
        run_b=run_b,
        refresh=refresh,
        compare=compare,
        results=results,
        comparison=comparison,
    )
    wire(settings, tab)
    return tab


def shipped_set_controls() -> tuple[gr.Dropdown, gr.Number, gr.Button]:
    gr.Markdown("## Run a shipped question set")
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
    return question_set, limit, run


def upload_controls() -> tuple[gr.UploadButton, list[gr.DownloadButton]]:
    gr.Markdown("## Run your own question set")
    gr.Markdown(FORMAT_HELP)
    with gr.Row():
        templates = [
            gr.DownloadButton(
                f"Download the {kind} template",
                value=str(SETS_DIR / name),
                size="sm",
                elem_id=f"sg-eval-template-{name.rsplit('.', 1)[1]}",
            )
            for kind, name in TEMPLATE_FILES.items()
            if (SETS_DIR / name).is_file()
        ]
    # An upload button, not gr.File: its name is its visible text (gr.File's drop zone is named
    # "Click to upload or drop files" whatever it shows, which axe flags as a label mismatch).
    upload = gr.UploadButton(
        "Upload a question set and run it (.jsonl or .csv)",
        file_types=UPLOAD_TYPES,
        file_count="single",
        type="filepath",
        variant="primary",
        elem_id="sg-eval-upload",
    )
    return upload, templates


def compare_controls() -> tuple[Any, ...]:
    gr.Markdown("## Compare two runs")
    gr.Markdown(
        "Choose two saved runs, or upload two `results.json` files (the earlier run is A):"
        " their overall metrics side by side with the difference, and the questions whose"
        " result changed."
    )
    with gr.Row():
        run_a = gr.Dropdown([], label="Run A (before)", elem_id="sg-eval-run-a")
        run_b = gr.Dropdown([], label="Run B (after)", elem_id="sg-eval-run-b")
    with gr.Row():
        refresh = gr.Button("Refresh the list of runs", size="sm", elem_id="sg-eval-refresh")
        compare = gr.Button("Compare the two runs", variant="primary", elem_id="sg-eval-compare")
    results = gr.UploadButton(
        "Upload two results.json files and compare them",
        file_types=[".json"],
        file_count="multiple",
        type="filepath",
        elem_id="sg-eval-results",
    )
    comparison = gr.HTML(
        elem_id="sg-eval-comparison", elem_classes="sg-eval", css_template=PANEL_CSS
    )
    return run_a, run_b, refresh, compare, results, comparison


def wire(settings: Settings, tab: EvaluateTab) -> None:
    """The events: both runs share one queue slot; the run lists refresh on load and after a run."""
    shown = [tab.status, tab.metrics, tab.plots, tab.worst, tab.download, tab.run_a, tab.run_b]
    runs = (
        (tab.run.click, partial(run_evaluation, settings), [tab.question_set, tab.limit]),
        (tab.upload.upload, partial(run_uploaded, settings), [tab.upload]),
    )
    for trigger, handler, inputs in runs:
        trigger(
            handler,
            inputs,
            shown,
            concurrency_limit=1,
            concurrency_id="sg-eval",
            show_progress="full",
        )
    gr.on(None, partial(run_choices, settings), None, [tab.run_a, tab.run_b])
    tab.refresh.click(partial(run_choices, settings), None, [tab.run_a, tab.run_b])
    tab.compare.click(partial(compare_chosen, settings), [tab.run_a, tab.run_b], [tab.comparison])
    tab.results.upload(compare_uploaded, [tab.results], [tab.comparison])


# --- running a set ------------------------------------------------------------------------


def run_evaluation(
    settings: Settings,
    name: str,
    limit: float | None,
    progress: gr.Progress = gr.Progress(),  # noqa: B008  (how Gradio injects its progress bar)
) -> Outputs:
    """Run a shipped set (or its first `limit` questions)."""
    if name not in set_names():
        return fail(f"Choose one of the question sets: {', '.join(set_names())}.")
    if name == "reports" and (reason := reports_skip_reason(settings)):
        return fail(f"The reports set cannot run: {reason}.")
    count = max(int(limit or 0), 0)
    shown = name if count == 0 else f"{name} (first {count})"
    corpus: CorpusName = "live" if name == "reports" else "briefings"
    return evaluate(settings, set_path(name), shown, name, corpus, count, progress)


def run_uploaded(
    settings: Settings,
    upload: str | None,
    progress: gr.Progress = gr.Progress(),  # noqa: B008
) -> Outputs:
    """Run the evaluator's own file; its mistakes, line by line, instead of a run."""
    if not upload:
        return fail("Choose a question file (.jsonl or .csv) to upload first.")
    path = Path(upload)
    if path.suffix.lower() not in UPLOAD_TYPES:
        return fail(f"{path.name}: a question file must end in .jsonl or .csv.")
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", path.stem).strip("-")[:40] or "uploaded"
    return evaluate(settings, path, f"{path.name} (uploaded)", slug, "briefings", 0, progress)


def evaluate(
    settings: Settings,
    source: Path,
    shown: str,
    slug: str,
    corpus: CorpusName,
    count: int,
    progress: gr.Progress,
) -> Outputs:
    """Check the questions, run them into a new run folder, and render the results."""
    try:
        questions = load_questions(source)[: count or None]
    except EvalError as exc:
        return fail(str(exc).replace(str(source), source.name))
    out_dir = new_run_dir(settings, slug)
    progress(0, desc="Preparing the evaluation index")
    try:
        results = run_set(
            settings,
            str(write_questions(questions, out_dir)),
            corpus=corpus,
            announce=lambda _: None,
            progress=lambda done, total: progress((done, total), desc="Questions", unit="q"),
        )
    except EvalError as exc:
        return fail(str(exc).replace(str(out_dir), out_dir.name))
    results["run"]["set"] = shown
    files = save(results, out_dir)
    return (*shown_results(results, files), *run_choices(settings))


def new_run_dir(settings: Settings, slug: str) -> Path:
    """A fresh folder for a UI run, named by time and set (a suffix if that name is taken)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    base = runs_dir(settings) / f"{stamp}-{slug}-ui"
    base.parent.mkdir(parents=True, exist_ok=True)
    for n in range(1, 1000):
        folder = base if n == 1 else base.with_name(f"{base.name}-{n}")
        try:
            folder.mkdir()
            return folder
        except FileExistsError:
            continue
    raise EvalError(f"{base.name}: too many runs with this name")


def write_questions(questions: list[Question], out_dir: Path) -> Path:
    """The questions as run, in the shipped JSON Lines form, kept with the run's results."""
    path = out_dir / "questions.jsonl"
    path.write_text("".join(q.model_dump_json() + "\n" for q in questions), encoding="utf-8")
    return path


def save(results: dict[str, Any], out_dir: Path) -> list[Path]:
    """results.json and the reports, in the run's folder."""
    (out_dir / "results.json").write_text(json.dumps(results, indent=2, default=str))
    return [*write_reports(results, out_dir), out_dir / "results.json"]


def fail(message: str) -> Outputs:
    """The message in the status area; the results cleared, the run lists unchanged."""
    cleared = ("", "", "", gr.update(value=None, visible=False))
    return problem_html(message), *cleared, gr.update(), gr.update()


def problem_html(message: str) -> str:
    """A problem announced to the user: its first line, then any further lines as a list."""
    lines = [line.strip(" -•\t") for line in message.splitlines() if line.strip(" -•\t")]
    if not lines:
        return ""
    items = "".join(f"<li>{escape(line)}</li>" for line in lines[1:])
    more = f"<ul>{items}</ul>" if items else ""
    return f'<div class="sg-status" role="alert"><p>{escape(lines[0])}</p>{more}</div>'


def run_choices(settings: Settings) -> tuple[Any, Any]:
    """The saved runs for both pickers: B the newest, A the one before it."""
    runs = saved_runs(settings)
    a = runs[1] if len(runs) > 1 else None
    b = runs[0] if runs else None
    return gr.update(choices=runs, value=a), gr.update(choices=runs, value=b)


# --- showing a run ------------------------------------------------------------------------


def shown_results(results: Mapping[str, Any], files: list[Path]) -> Outputs:
    """Status, metrics, plots, worst questions and the files, for a finished run."""
    report = build_report(results)
    n = len(results["questions"])
    done = f"Scored {n} question{'' if n == 1 else 's'} in {results['run']['seconds']} s."
    return (
        f'<p class="sg-done" role="status">{escape(done)}</p>',
        metrics_html(report),
        plots_html(report),
        worst_html(report),
        gr.update(value=[str(f) for f in files], visible=True),
    )


def metrics_html(report: Report) -> str:
    """The run, its notes, the overall metrics table and the per-kind table."""
    run = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in report.run)
    parts = [f"<h2>{escape(report.title)}</h2>", f'<dl class="sg-run">{run}</dl>']
    if report.notes:
        notes = "".join(f"<p>{escape(note)}</p>" for note in report.notes)
        parts.append(f'<div class="sg-note sg-eval-notes" role="note">{notes}</div>')
    parts.append(table_html(report.overall, "sg-t-overall", "No overall metrics in this run."))
    parts.append(table_html(report.by_kind, "sg-t-kind", "No per-kind metrics in this run."))
    return "\n".join(parts)


def plots_html(report: Report) -> str:
    """Each plot as an image with its alt text and a visible caption."""
    figures = [
        f'<figure><img src="{png_data_uri(p.png)}" alt="{escape(p.alt)}">'
        f"<figcaption>{escape(p.caption)}</figcaption></figure>"
        for p in report.plots
    ]
    notes = [f"<p>{escape(note)}</p>" for note in report.plot_notes]
    return "<h2>Plots</h2>" + "".join(figures + notes)


def worst_html(report: Report) -> str:
    """The lowest-scoring questions: question, answer and scores, one per section."""
    items = []
    for i, q in enumerate(report.worst[:WORST_SHOWN], start=1):
        scores = table_html(q.scores, f"sg-t-worst-{i}", "")
        items.append(
            f'<section aria-labelledby="sg-worst-{i}"><h3 id="sg-worst-{i}">{escape(q.heading)}'
            f"</h3><p><strong>Question:</strong> {escape(q.question)}</p>"
            f"<p><strong>Refused:</strong> {escape(q.refused)}</p>"
            f"<blockquote>{escape(q.answer.strip()) or '(no answer text)'}</blockquote>"
            f"<details><summary>Scores</summary>{scores}</details></section>"
        )
    body = "".join(items) or "<p>No questions in this run.</p>"
    return f"<h2>Worst {WORST_SHOWN} questions</h2>{body}"


# --- comparing two runs -------------------------------------------------------------------


def compare_chosen(settings: Settings, name_a: str | None, name_b: str | None) -> str:
    """The comparison of the two saved runs chosen, or what is wrong with the choice."""
    try:
        a, b = (saved_run(settings, which, name) for which, name in (("A", name_a), ("B", name_b)))
    except ValueError as exc:
        return problem_html(str(exc))
    return comparison_html(a, b)


def saved_run(settings: Settings, which: str, name: str | None) -> dict[str, Any]:
    """A saved run's results, only ever from the runs folder; ValueError saying what is wrong."""
    if not name:
        raise ValueError(f"Choose run {which} from the list of saved runs.")
    if name not in saved_runs(settings):
        raise ValueError(f"Run {which}: {name} is not a saved run; refresh the list of runs.")
    return load_run(runs_dir(settings) / name)


def compare_uploaded(files: list[str] | None) -> str:
    """Two uploaded results files compared, the earlier run (by its start time) as A."""
    paths = [Path(f) for f in files or []]
    if len(paths) != 2:
        return problem_html(
            f"Upload two results.json files at once (this upload had {len(paths)})."
        )
    try:
        runs = [uploaded_run(path) for path in paths]
    except ValueError as exc:
        return problem_html(str(exc))
    a, b = sorted(runs, key=started)  # a stable sort: upload order when the times tie
    return comparison_html(a, b)


def uploaded_run(path: Path) -> dict[str, Any]:
    """An uploaded results file; ValueError naming the file, not the server's upload folder."""
    try:
        return load_run(path)
    except ValueError as exc:
        raise ValueError(str(exc).replace(str(path), path.name)) from exc


def started(results: Mapping[str, Any]) -> str:
    run = results.get("run")
    return str(run.get("started") or "") if isinstance(run, dict) else ""


def comparison_html(a: Mapping[str, Any], b: Mapping[str, Any]) -> str:
    """What each run was, their metrics side by side, and the questions whose result changed."""
    labels = "".join(
        f"<dt>Run {which}</dt><dd>{escape(run_label(run))}</dd>"
        for which, run in (("A", a), ("B", b))
    )
    only_a, only_b = only_in(a, b)
    only = [
        f"<p>Only in run {which} ({len(ids)}): {escape(', '.join(ids))}</p>"
        for which, ids in (("A", only_a), ("B", only_b))
        if ids
    ]
    return "\n".join(
        [
            "<h2>Run A compared with run B</h2>",
            f'<dl class="sg-run">{labels}</dl>',
            table_html(metrics_table(a, b), "sg-t-compare", "The runs share no overall metric."),
            table_html(
                changed_table(a, b),
                "sg-t-changed",
                f"{CHANGED_TITLE}: none.",
            ),
            *only,
        ]
    )


def metrics_table(a: Mapping[str, Any], b: Mapping[str, Any]) -> Table | None:
    """Overall metrics of run A and run B side by side, with B minus A."""
    rows = [[label(key), *values] for key, *values in overall_deltas(a, b)]
    if not rows:
        return None
    caption = "Overall metrics: run A, run B and the difference (B minus A)"
    return Table(caption, ["Metric", "Run A", "Run B", "B minus A"], rows, {1, 2, 3})


def changed_table(a: Mapping[str, Any], b: Mapping[str, Any]) -> Table | None:
    """The questions whose refusal flipped or whose quality moved, with their text."""
    rows = changed_questions(a, b)
    if not rows:
        return None
    asked = {qid: str(q.get("question") or "") for qid, q in questions_by_id(b).items()}
    rows = [[qid, asked[qid], kind, refused, quality] for qid, kind, refused, quality in rows]
    columns = ["Question id", "Question", "Kind", "Refused (A → B)", "Quality (A → B)"]
    return Table(f"{CHANGED_TITLE}: {len(rows)}", columns, rows)
