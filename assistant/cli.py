"""The `safeguarding` command: one subcommand per library entry point.

This module is the composition root: it alone imports both `ingest` and `assistant` pieces,
and only inside the commands, so `assistant`'s library code never depends on `ingest`.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, cast

import click

from assistant.answer_schema import Answer
from assistant.index_schema import Passage
from assistant.settings import Settings, apply_offline_env, get_settings

if TYPE_CHECKING:
    from assistant.filters import ReportFilter
    from assistant.pipeline import Mode
    from assistant.remote import Remote
    from assistant.service import Comparison


def fail(message: str, code: int = 1) -> NoReturn:
    """Print one clear line to stderr and exit with `code` (no traceback for the user)."""
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


@click.group()
@click.version_option(package_name="safeguarding-assistant")
def cli() -> None:
    """Learn from three child safeguarding case-review reports (England, March 2020)."""
    apply_offline_env()
    from assistant.privacy import question_log_to_stderr

    question_log_to_stderr(get_settings())


@cli.command()
@click.option("--from", "from_dir", type=click.Path(path_type=Path), help="Import local copies.")
@click.option("--map", "mappings", multiple=True, metavar="ID=PATH", help="Local file for one id.")
@click.option("--report", "report_ids", multiple=True, metavar="ID", help="Only these reports.")
@click.option("--force", is_flag=True, help="Fetch again even if already present.")
def fetch(
    from_dir: Path | None, mappings: tuple[str, ...], report_ids: tuple[str, ...], force: bool
) -> None:
    """Download the three report PDFs into corpus/raw/ (or import local copies)."""
    from ingest.fetch import FetchError, OfflineError, parse_mappings, run_fetch

    try:
        result = run_fetch(
            get_settings(),
            from_dir=from_dir,
            mapping=parse_mappings(mappings),
            report_ids=list(report_ids) or None,
            force=force,
        )
    except OfflineError as exc:
        fail(str(exc), code=2)
    except FetchError as exc:
        fail(str(exc))
    click.echo(result.summary())


@cli.command()
@click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="briefings|reports|PATH",
    help="What to index (repeatable). Default: the downloaded reports, else the briefings.",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--if-missing", is_flag=True, help="Do nothing when an index already exists.")
def ingest(sources: tuple[str, ...], quiet: bool, if_missing: bool) -> None:
    """Parse, chunk and embed the sources into a new index, then switch to it."""
    from assistant.chroma import ChromaUnavailable
    from assistant.index_schema import IndexPaths
    from assistant.progress import task_progress
    from ingest.errors import IngestError
    from ingest.pipeline import run_ingest

    settings = get_settings()
    live = IndexPaths(settings.index_dir).live_build_id()
    if if_missing and live is not None:
        click.echo(f"Index {live} is present in {settings.index_dir}; not rebuilding.")
        return
    try:
        with task_progress("Embedding", enabled=not quiet) as progress:
            summary = run_ingest(settings, list(sources), announce=click.echo, progress=progress)
    except (IngestError, ChromaUnavailable) as exc:
        fail(f"{exc} (the live index is unchanged)")
    click.echo(summary.line())


SERVER = click.option(
    "--server",
    metavar="URL",
    default=None,
    help="A running server (e.g. http://127.0.0.1:8000) to ask instead of loading the model"
    " here. Default: SAFEGUARDING_SERVER_URL.",
)
INDENT = "    "
Hit = tuple[Passage, float]
NO_MATCH = "No report in the index matches the filter"
FILTER_OPTIONS = [
    click.option("--year-from", type=int, metavar="YEAR", help="Only reports published from YEAR."),
    click.option("--year-to", type=int, metavar="YEAR", help="Only reports published up to YEAR."),
    click.option("--type", "types", multiple=True, metavar="TYPE", help="Report type, e.g. SCR."),
    click.option("--publisher", "publishers", multiple=True, metavar="NAME", help="Publisher."),
    click.option("--area", "areas", multiple=True, metavar="AREA", help="Local area."),
]
FLAGS = {
    "year_from": "--year-from",
    "year_to": "--year-to",
    "types": "--type",
    "publishers": "--publisher",
    "areas": "--area",
}


def filter_options(command: Any) -> Any:
    """The report-metadata options of `search` and `ask` (each list option repeatable)."""
    for option in reversed(FILTER_OPTIONS):
        command = option(command)
    return command


def report_filter(**given: Any) -> ReportFilter | None:
    """The filter the options ask for (None when none is given), validated as the API does:
    one line, exit 1."""
    from pydantic import ValidationError

    from assistant.filters import ReportFilter

    try:
        filters = ReportFilter.model_validate({k: v for k, v in given.items() if v is not None})
    except ValidationError as exc:
        error = exc.errors()[0]
        flag = FLAGS.get(str(error["loc"][0])) if error["loc"] else None
        fail(f"{flag}: {error['msg']}" if flag else error["msg"])
    return None if filters.empty else filters


def check_filter(settings: Settings, filters: ReportFilter | None) -> None:
    """Refuse a value no report in this corpus's manifest has, before anything heavy loads (a
    server checks against its own manifest)."""
    from assistant.corpus import ManifestError
    from assistant.filters import FilterError, catalogue

    if filters is None:
        return
    try:
        catalogue(settings.manifest_path).check(filters)
    except FilterError as exc:
        fail(str(exc))
    except ManifestError:
        return  # searching reports the manifest's problem with the fix


def check_report_ids(settings: Settings, report_ids: list[str]) -> None:
    """Refuse an unknown report id before anything heavy loads: the corpus manifest and the
    live build's manifest name every report the index can hold (no index: searching says so)."""
    from assistant.corpus import ManifestError, load_manifest
    from assistant.index_schema import MANIFEST_FILE, IndexManifest, IndexPaths

    paths = IndexPaths(settings.index_dir)
    build = paths.live_build_id()
    if not report_ids or build is None:
        return
    try:
        live = IndexManifest.model_validate_json(
            (paths.build(build) / MANIFEST_FILE).read_text("utf-8")
        )
        known = {s.report_id for s in live.sources} | set(load_manifest(settings.manifest_path).ids)
    except (OSError, ValueError, ManifestError):
        return  # a damaged index or manifest: opening it gives the reason and the fix
    if unknown := [r for r in report_ids if r not in known]:
        fail(f"unknown report id {unknown[0]!r}; known: {', '.join(sorted(known))}")


def remote(settings: Settings, server: str | None) -> Remote | None:
    """The server named by --server or SAFEGUARDING_SERVER_URL; None to work in this process."""
    url = server or settings.server_url
    if not url:
        return None
    from assistant.remote import Remote, RemoteError

    key = settings.api_key.get_secret_value() if settings.api_key else None
    try:
        return Remote(url, key)
    except RemoteError as exc:
        fail(str(exc))


def local_hits(
    settings: Settings, query: str, k: int, report_ids: list[str], filters: ReportFilter | None
) -> list[Hit]:
    """Search this process's index (the model loads here, after the input is checked)."""
    check_report_ids(settings, report_ids)
    check_filter(settings, filters)
    from assistant.chroma import ChromaUnavailable
    from assistant.search import SearchError, search_passages
    from assistant.store import IndexUnavailable

    try:
        hits = search_passages(settings, query, k, report_ids, filters)
    except (SearchError, ChromaUnavailable, IndexUnavailable) as exc:
        fail(str(exc))
    return [(hit.passage, hit.score) for hit in hits]


def remote_hits(
    server: Remote, query: str, k: int, report_ids: list[str], filters: ReportFilter | None
) -> list[Hit]:
    """Search through the server's `POST /api/search`."""
    from assistant.remote import RemoteError

    try:
        return server.search(query, k, report_ids, filters)
    except RemoteError as exc:
        fail(str(exc))


def terminal_width() -> int:
    """The terminal's columns (COLUMNS when set; 100 when not a terminal), at least 30."""
    return max(shutil.get_terminal_size((100, 24)).columns, 30)


def print_hits(hits: list[Hit], as_json: bool) -> None:
    """The passages as JSON, or numbered with their place, each paragraph wrapped and indented."""
    if as_json:
        rows = [{**passage.model_dump(), "score": round(score, 6)} for passage, score in hits]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    width = terminal_width()
    for n, (p, score) in enumerate(hits, start=1):
        where = ", ".join(x for x in (p.report_title, p.section, p.pages_label) if x)
        header = f"[{n}] {where}  (score {score:.4f})"
        click.echo(click.wrap_text(header, width, subsequent_indent=INDENT))
        click.echo(click.wrap_text(p.text, width, INDENT, INDENT, preserve_paragraphs=True))
        click.echo()


@cli.command()
@click.argument("query")
@click.option("--k", default=5, show_default=True, type=click.IntRange(1, 50))
@click.option("--report", "report_ids", multiple=True, metavar="ID", help="Only this report.")
@click.option("--json", "as_json", is_flag=True, help="Print passages as JSON.")
@filter_options
@SERVER
def search(
    query: str,
    k: int,
    report_ids: tuple[str, ...],
    as_json: bool,
    server: str | None,
    **given: Any,
) -> None:
    """Find the passages that best match QUERY (dense + BM25, reciprocal-rank fusion)."""
    if not query.strip():
        fail("the query is empty")
    settings = get_settings()
    filters = report_filter(**given)
    if elsewhere := remote(settings, server):
        hits = remote_hits(elsewhere, query, k, list(report_ids), filters)
    else:
        hits = local_hits(settings, query, k, list(report_ids), filters)
    print_hits(hits, as_json)
    if not hits and filters:
        click.echo(f"{NO_MATCH} ({filters.describe()}).", err=as_json)


def print_answer(answer: Answer) -> None:
    """The answer, its numbered references, and any notice, for a terminal."""
    click.echo(answer.answer)
    listed = answer.related if answer.refused else answer.citations
    if listed:
        click.echo("\nRelated reading:" if answer.refused else "")
        for citation in listed:
            click.echo(citation.reference())
    for line in filter(None, [answer.notice, *answer.warnings]):
        click.echo(f"\nNote: {line}")


def print_result(result: Answer | Comparison, as_json: bool) -> None:
    """An answer, or a comparison column by column, for a terminal or as JSON."""
    if as_json:
        click.echo(result.model_dump_json(indent=2))
    elif isinstance(result, Answer):
        print_answer(result)
    elif not result.answers:
        click.echo(f"{NO_MATCH}.")
    else:
        for column in result.answers:
            click.echo(f"== {column.report_title} ==")
            print_answer(column.answer)
            click.echo()


def local_answer(
    settings: Settings,
    question: str,
    report_ids: list[str],
    previous: list[str],
    mode: str,
    filters: ReportFilter | None = None,
) -> Answer | Comparison:
    """Answer in this process (the model loads here, after the input is checked); `mode`
    "compare" answers once per report."""
    check_report_ids(settings, report_ids)
    check_filter(settings, filters)
    from assistant.chroma import ChromaUnavailable
    from assistant.followup import Turn
    from assistant.search import SearchError
    from assistant.service import ask as ask_question
    from assistant.service import compare
    from assistant.store import IndexUnavailable

    history = [Turn(question=q) for q in previous]
    try:
        if mode == "compare":
            return compare(settings, question, report_ids, history, filters)
        return ask_question(settings, question, report_ids, history, cast("Mode", mode), filters)
    except (SearchError, ChromaUnavailable, IndexUnavailable) as exc:
        fail(str(exc))


def remote_answer(
    server: Remote,
    question: str,
    report_ids: list[str],
    previous: list[str],
    mode: str,
    filters: ReportFilter | None = None,
) -> Answer | Comparison:
    """Answer through the server's `POST /api/ask` (or `/api/compare` for mode "compare")."""
    from assistant.remote import RemoteError

    try:
        if mode == "compare":
            return server.compare(question, report_ids, previous, filters)
        return server.ask(question, report_ids, previous, mode, filters)
    except RemoteError as exc:
        fail(str(exc))


@cli.command()
@click.argument("question")
@click.option("--report", "report_ids", multiple=True, metavar="ID", help="Only this report.")
@click.option(
    "--mode",
    type=click.Choice(["extractive", "generative"]),
    default="extractive",
    show_default=True,
)
@click.option("--compare", "side_by_side", is_flag=True, help="One answer per report.")
@click.option("--after", "previous", multiple=True, metavar="QUESTION", help="Earlier question.")
@click.option("--json", "as_json", is_flag=True, help="Print the answer contract as JSON.")
@filter_options
@SERVER
def ask(
    question: str,
    report_ids: tuple[str, ...],
    mode: str,
    side_by_side: bool,
    previous: tuple[str, ...],
    as_json: bool,
    server: str | None,
    **given: Any,
) -> None:
    """Answer QUESTION with quoted, cited sentences (or say the reports don't cover it)."""
    from assistant.questions import QuestionError, clean_question

    try:
        question = clean_question(question)
    except QuestionError as exc:
        fail(str(exc))
    settings = get_settings()
    filters = report_filter(**given)
    how = "compare" if side_by_side else mode
    asked = (question, list(report_ids), list(previous), how, filters)
    if elsewhere := remote(settings, server):
        result = remote_answer(elsewhere, *asked)
    else:
        result = local_answer(settings, *asked)
    print_result(result, as_json)


@cli.command()
@click.option("--topic", default=None, help="Free text, e.g. 'neglect'.")
@click.option("--theme", default=None, help="Words of a section heading, e.g. 'critical moments'.")
@click.option("--report", "report_ids", multiple=True, metavar="ID", help="Only this report.")
@click.option("--n", "count", default=10, show_default=True, help="Number of items, 1-100.")
@click.option("--kinds", default="mcq,tf,cloze,report", show_default=True, help="Comma-separated.")
@click.option(
    "--format",
    "fmt",
    default="json",
    show_default=True,
    metavar="FORMAT",
    help="gift, aiken, moodlexml, csv or json.",
)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write here, not stdout.")
def quiz(
    topic: str | None,
    theme: str | None,
    report_ids: tuple[str, ...],
    count: int,
    kinds: str,
    fmt: str,
    output: Path | None,
) -> None:
    """Build a quiz whose every item cites a passage, in a format learning platforms import."""
    from pydantic import ValidationError

    from assistant.chroma import ChromaUnavailable
    from assistant.quiz.export import FORMATS, export_quiz
    from assistant.quiz.models import QuizRequest
    from assistant.quiz.service import make_quiz
    from assistant.search import SearchError

    if fmt not in FORMATS:
        fail(f"unknown export format {fmt!r}; use one of: {', '.join(FORMATS)}")
    try:
        request = QuizRequest.model_validate(
            {
                "topic": topic,
                "theme": theme,
                "report_ids": list(report_ids),
                "n": count,
                "kinds": [k.strip() for k in kinds.split(",") if k.strip()],
            }
        )
        made = make_quiz(get_settings(), request)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        message = str(first["msg"]).removeprefix("Value error, ")
        fail(f"{where}: {message}" if where else message)
    except (SearchError, ChromaUnavailable) as exc:
        fail(str(exc))
    exported = export_quiz(made, fmt)
    if output:
        output.write_text(exported.text, encoding="utf-8")
        click.echo(f"Wrote {exported.summary()} to {output} ({fmt}).", err=True)
    else:
        click.echo(exported.text, nl=False)
        if exported.left_out:
            click.echo(f"Note: {exported.summary()}.", err=True)
    for line in filter(None, [*made.warnings, made.notice]):
        click.echo(f"Note: {line}", err=True)


@cli.command()
@click.option("--host", default=None, help="Bind address (default from settings: 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (default from settings: 8000).")
@click.option("--no-ui", is_flag=True, help="Serve the API only (/ redirects to /docs).")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="API processes (default from settings: 1); more than 1 needs a Chroma server.",
)
def serve(host: str | None, port: int | None, no_ui: bool, workers: int | None) -> None:
    """Serve the web UI at / and the API under /api on http://HOST:PORT."""
    import uvicorn

    from assistant.app import create_app
    from assistant.store import IndexDamaged, IndexMismatch, IndexUnavailable, open_store

    settings = get_settings()
    workers = workers or settings.workers
    if workers > 1:
        serve_workers(settings, host, port, workers, no_ui)
        return
    try:
        open_store(settings)  # a damaged index stops here with the fix, not at the first request
    except (IndexDamaged, IndexMismatch) as exc:
        fail(str(exc))
    except IndexUnavailable as exc:
        click.echo(f"warning: {exc}; serving anyway (/health reports it)", err=True)
    mount = None
    if not no_ui:
        from ui.mount import mount_ui  # the composition root wires the UI in; assistant never does

        mount = mount_ui
    uvicorn.run(create_app(settings, ui=mount), **uvicorn_options(settings, host, port))


def uvicorn_options(settings: Settings, host: str | None, port: int | None) -> dict[str, Any]:
    """Where and how `serve` listens, one process or several."""
    return {
        "host": host or settings.host,
        "port": port or settings.port,
        "log_level": settings.log_level.lower(),
        "access_log": settings.log_questions,
        "timeout_keep_alive": settings.keep_alive_seconds,
    }


def serve_workers(
    settings: Settings, host: str | None, port: int | None, workers: int, no_ui: bool
) -> None:
    """N API processes sharing one Chroma server; each loads the model and follows the live
    build on its own, so replicas share no session state."""
    import uvicorn

    if not settings.chroma_host:
        fail(
            f"--workers {workers} needs a shared Chroma server: start `chroma run` and set"
            " SAFEGUARDING_CHROMA_HOST (embedded Chroma belongs to one process)"
        )
    if not no_ui:
        click.echo(
            "note: with more than one worker only the API is served: the web UI keeps each"
            " session in one process (serve it with one worker, or behind a sticky proxy)",
            err=True,
        )
    options = uvicorn_options(settings, host, port)
    uvicorn.run("assistant.app:worker_app", factory=True, workers=workers, **options)


@cli.group(name="eval")
def eval_group() -> None:
    """Measure grounding: question sets, metrics, reports (the `eval` package)."""


@eval_group.command(name="run")
@click.option(
    "--set",
    "set_name",
    default="dev",
    show_default=True,
    help="dev, test, reports, or your own .jsonl or .csv file (eval/sets/template.csv).",
)
@click.option("--mode", type=click.Choice(["extractive", "generative"]), default="extractive")
@click.option(
    "--corpus",
    type=click.Choice(["briefings", "large", "live"]),
    default=None,
    help="Index to run on (default: briefings; live for --set reports).",
)
@click.option("--out", "out_dir", type=click.Path(path_type=Path), help="Where reports go.")
@click.option("--baselines", is_flag=True, help="Also score BM25 and a plain llama-index index.")
@click.option(
    "--without-guard",
    "without",
    multiple=True,
    type=click.Choice(["publication", "figure", "gap"]),  # answerability.GUARDS, kept light
    help="Switch a refusal guard off (repeatable), to measure what it contributes.",
)
def eval_run(
    set_name: str,
    mode: str,
    corpus: str | None,
    out_dir: Path | None,
    baselines: bool,
    without: tuple[str, ...],
) -> None:
    """Run a question set and write results.json, report.md and report.html."""
    from datetime import UTC, datetime

    from eval.questions import EvalError, load_questions, set_path

    try:
        load_questions(set_path(set_name))  # a bad file is reported before anything loads
    except EvalError as exc:
        fail(str(exc))
    from assistant.progress import task_progress
    from eval.corpora import CorpusName
    from eval.runner import reports_skip_reason, run_set

    settings = get_settings()
    corpus = corpus or ("live" if set_name == "reports" else "briefings")
    if set_name == "reports" and (reason := reports_skip_reason(settings)):
        click.echo(f"Skipped the reports set: {reason}")
        return
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    name = Path(set_name).stem  # a file's name, not its folders
    out_dir = out_dir or settings.data_dir / "eval-runs" / f"{stamp}-{name}-{mode}"
    try:
        with task_progress("Questions") as progress:
            results = run_set(
                settings,
                set_name,
                mode=mode,
                corpus=cast(CorpusName, corpus),
                out_dir=out_dir,
                baselines=baselines,
                without_guards=frozenset(without),
                announce=click.echo,
                progress=progress,
            )
    except EvalError as exc:
        fail(str(exc))
    from eval.blind import style_table
    from eval.report import fmt

    for key, value in results["metrics"]["overall"].items():
        click.echo(f"{key:<22} {fmt(key, value)}")
    if results["metrics"].get("by_style"):
        click.echo(style_table(results))
    click.echo(f"judge accuracy         {results['run']['judge']['accuracy']}")
    for note in results.get("notes", []):
        click.echo(f"Note: {note}")
    click.echo(f"Reports written to {out_dir}")


@eval_group.command(name="blind")
@click.argument("batch", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--log", is_flag=True, help="Record this run in eval/sets/blind/LOG.md.")
@click.option("--note", default="", help="What the logged row says about the code it ran on.")
def eval_blind(batch: Path, log: bool, note: str) -> None:
    """Run a blind batch and print its figures by style (--log: its first run, for the record)."""
    from eval.blind import log_row, style_table
    from eval.questions import EvalError
    from eval.runner import run_set

    try:
        results = run_set(get_settings(), str(batch), announce=click.echo)
    except EvalError as exc:
        fail(str(exc))
    click.echo(style_table(results))
    if log:
        click.echo(f"Logged: {log_row(batch, results, note)}")


@eval_group.command(name="compare")
@click.argument("run_a", type=click.Path(path_type=Path))
@click.argument("run_b", type=click.Path(path_type=Path))
def eval_compare(run_a: Path, run_b: Path) -> None:
    """Metric deltas between two runs, and the questions whose outcome changed."""
    from eval.compare import compare_runs, load_run

    try:
        click.echo(compare_runs(load_run(run_a), load_run(run_b)))
    except ValueError as exc:
        fail(str(exc))


@eval_group.command(name="judge")
def eval_judge() -> None:
    """The support judge's accuracy on its hand-labelled file, and a threshold sweep."""
    from assistant.embedder import get_embedder
    from eval.judge import judge_accuracy, sweep_threshold

    click.echo(judge_accuracy(get_embedder()))
    for threshold, accuracy in sweep_threshold(get_embedder()):
        click.echo(f"threshold {threshold:.2f}: accuracy {accuracy:.3f}")


@cli.group(name="feedback")
def feedback_group() -> None:
    """Ratings of answers: the operator's summary, and thumbs-down as evaluation drafts."""


@feedback_group.command(name="export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv"]),
    default=None,
    help="Default: csv when -o ends in .csv, else jsonl.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Not stdout.")
def feedback_export(fmt: str | None, output: Path | None) -> None:
    """Thumbs-down answers as draft questions for `eval run --set` (write in each question the
    export could not store, then run it)."""
    from assistant.feedback import feedback_store
    from eval.questions import PLACEHOLDER, dump_questions, feedback_drafts

    fmt = fmt or ("csv" if output and output.suffix.lower() == ".csv" else "jsonl")
    drafts = feedback_drafts(feedback_store(get_settings()).thumbs_down())
    text = dump_questions(drafts, "csv" if fmt == "csv" else "jsonl")
    if output:
        try:  # a BOM so that Excel reads the CSV as UTF-8; the loader drops it
            output.write_text(text, encoding="utf-8-sig" if fmt == "csv" else "utf-8")
        except OSError as exc:
            fail(f"cannot write {output} ({exc.strerror or exc})")
        click.echo(f"Wrote {len(drafts)} draft questions to {output} ({fmt}).", err=True)
    else:
        click.echo(text, nl=False)
    if missing := sum(d["question"] == PLACEHOLDER for d in drafts):
        click.echo(
            f"Note: {missing} of {len(drafts)} drafts have no question (questions are stored only"
            " with SAFEGUARDING_LOG_QUESTIONS=true); write each in place of the placeholder,"
            " using the notes, before `eval run --set`.",
            err=True,
        )


@feedback_group.command(name="summary")
@click.option("--by", type=click.Choice(["day", "week"]), default="week", show_default=True)
@click.option("--periods", type=click.IntRange(1, 366), default=8, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print GET /api/feedback/summary's JSON.")
def feedback_summary(by: str, periods: int, as_json: bool) -> None:
    """Ratings so far, and up, down and the share refused per day or ISO week."""
    from assistant.feedback import feedback_store

    summary = feedback_store(get_settings()).summary(
        by="day" if by == "day" else "week", periods=periods
    )
    if as_json:
        click.echo(summary.model_dump_json(indent=2))
        return

    def share(value: float | None) -> str:
        return "-" if value is None else f"{value:.0%}"

    click.echo(
        f"{summary.total} ratings: {summary.up} up, {summary.down} down;"
        f" {share(summary.refused_share)} of rated answers were refusals"
    )
    click.echo(f"{by:<10}{'up':>5}{'down':>6}{'refused':>9}")
    for row in summary.trend:
        click.echo(f"{row.period:<10}{row.up:>5}{row.down:>6}{share(row.refused_share):>9}")


def main() -> None:
    """Console entry point."""
    cli()
