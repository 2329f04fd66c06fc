"""The `safeguarding` command, run in-process through click's runner."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from assistant.cli import cli
from assistant.embedder import EMBEDDER_NAME
from assistant.index_schema import MANIFEST_FILE, IndexManifest, IndexPaths, Passage, SourceRecord
from assistant.retrieval import ScoredPassage
from assistant.settings import PROJECT_ROOT, Settings, get_settings
from tests.indexes import briefing_index
from tests.servers import free_port, serve_in_thread


@pytest.mark.slow
def test_ingest_then_search_json(settings, embedder):
    runner = CliRunner()
    result = runner.invoke(cli, ["ingest", "--source", "briefings", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "Indexing the briefings corpus: 2 files" in result.output
    assert "Indexed 2 documents" in result.output
    result = runner.invoke(cli, ["search", "neglect and poverty", "--json", "--k", "3"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert len(rows) == 3
    assert rows[0]["report_id"] == "triennial-2014-17"
    assert rows[0]["section"].startswith("3 Neglect")
    again = runner.invoke(cli, ["ingest", "--if-missing"])
    assert again.exit_code == 0 and "not rebuilding" in again.output


def test_unknown_source_exits_1_with_one_line(settings):
    result = CliRunner().invoke(cli, ["ingest", "--source", "nonsense", "--quiet"])
    assert result.exit_code == 1
    assert result.output.strip().startswith("error: unknown --source 'nonsense'")
    assert "Traceback" not in result.output


def test_search_without_index_exits_1(settings):
    result = CliRunner().invoke(cli, ["search", "neglect"])
    assert result.exit_code == 1
    assert "safeguarding ingest" in result.output


def test_empty_query_is_refused(settings):
    result = CliRunner().invoke(cli, ["search", "  "])
    assert result.exit_code == 1
    assert "empty" in result.output


# -- search output wraps to the terminal ---------------------------------------------------------

THREE_PARAGRAPHS = (
    "Neglect was present in about three-quarters of the serious case reviews analysed, and"
    " poverty makes family life more stressful.\n\nProfessionals can become used to poverty when"
    " they judge risk and need, so warning signs stop registering as concerns.\n\nWarning signs"
    " such as poor hygiene, dirty clothes and poor dental care can be missed."
)


def fake_hits(*_: object, **__: object) -> list[ScoredPassage]:
    """One three-paragraph passage with a long heading, as the index would return it."""
    passage = Passage(
        id="p1",
        report_id="triennial-2014-17",
        report_title="Complexity and challenge: a triennial analysis of SCRs 2014-2017",
        section="3 Neglect > Poverty blindness",
        page_start=54,
        page_end=55,
        text=THREE_PARAGRAPHS,
    )
    return [ScoredPassage(passage, 0.0328, 1, 1)]


def test_search_text_wraps_every_paragraph_to_the_terminal_with_its_indent(settings, monkeypatch):
    monkeypatch.setattr("assistant.search.search_passages", fake_hits)
    result = CliRunner(env={"COLUMNS": "60"}).invoke(cli, ["search", "neglect"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("[1] Complexity and challenge")
    assert max(len(line) for line in lines) <= 60
    body = [line for line in lines[1:] if line]
    assert all(line.startswith("    ") and line[4] != " " for line in body)
    assert " ".join(" ".join(body).split()).endswith("poor dental care can be missed.")
    assert sum(line == "" for line in lines) >= 3  # the paragraphs stay apart


# -- ingest messages ---------------------------------------------------------------------------


def test_missing_source_file_says_it_does_not_exist(settings):
    result = CliRunner().invoke(cli, ["ingest", "--source", "/no/such/file.pdf", "--quiet"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "error: /no/such/file.pdf does not exist; check the path (the live index is unchanged)"
    ]


# -- the model loads only when a command needs it ----------------------------------------------

MODEL = ("torch", "sentence_transformers", "chromadb")
HEAVY = (*MODEL, "assistant.pipeline", "assistant.service")  # the model and the answerer
RUN_CLI = """
import sys
from assistant.cli import main
heavy = sys.argv.pop(1).split(",")
sys.argv[0] = "safeguarding"
try:
    main()
except SystemExit as exc:
    code = exc.code
print("\\nLOADED", code, ",".join(m for m in heavy if m in sys.modules))
"""


def run_cli(
    *args: str, env: dict[str, str] | None = None, heavy: tuple[str, ...] = HEAVY
) -> tuple[int, list[str], str]:
    """Run `safeguarding ARGS` in a fresh interpreter: exit code, which of `heavy` it imported,
    and its output."""
    done = subprocess.run(
        [sys.executable, "-c", RUN_CLI, ",".join(heavy), *args],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env={**os.environ, **(env or {})},
        timeout=300,
    )
    output, _, last = done.stdout.rpartition("\nLOADED ")
    code, _, loaded = last.strip().partition(" ")
    return (
        int(code) if code.isdigit() else 0,
        [m for m in loaded.split(",") if m],
        output + done.stderr,
    )


def fake_live_index(settings) -> None:
    """A live build whose manifest names one report; no vectors, so nothing can be searched."""
    paths = IndexPaths(settings.index_dir)
    build = paths.build("b1")
    build.mkdir(parents=True)
    source = SourceRecord(
        doc_id="d",
        path="d.md",
        sha256="0",
        report_id="hard-to-escape",
        kind="briefing",
        pages=0,
        passages=1,
    )
    manifest = IndexManifest(
        build_id="b1",
        built_at=datetime.now(UTC),
        embedder=EMBEDDER_NAME,
        dimension=384,
        chunking={},
        corpus="briefings",
        sources=[source],
        passages=1,
        collection="passages",
    )
    (build / MANIFEST_FILE).write_text(manifest.model_dump_json(), encoding="utf-8")
    paths.current_file.write_text("b1", encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["--help"], 0, "Usage: safeguarding"),
        (["ask", "--help"], 0, "--server URL"),
        (["search", "--help"], 0, "--server URL"),
        (["ask", ""], 1, "error: the question is empty"),
        (["search", "  "], 1, "error: the query is empty"),
        (["search", "neglect", "--k", "0"], 2, "Invalid value for '--k'"),
        (["ask", "why?", "--mode", "poetic"], 2, "Invalid value for '--mode'"),
        (["ask", "why?", "--report", "nope"], 1, "error: unknown report id 'nope'"),
        (["search", "neglect", "--report", "nope"], 1, "error: unknown report id 'nope'"),
        (["search", "x", "--year-from", "2021", "--year-to", "2019"], 1, "2021 is after year_to"),
        (["ask", "why?", "--type", "nope"], 1, "error: unknown type 'nope'; known types: "),
        (["ask", "why?", "--year-to", "99"], 1, "error: --year-to: Input should be greater"),
    ],
)
def test_help_and_input_errors_never_load_the_model(settings, args, code, says):
    fake_live_index(settings)
    exit_code, loaded, output = run_cli(*args)
    assert (exit_code, loaded) == (code, []), output
    assert says in output and "Traceback" not in output


def test_unreachable_server_is_one_clear_line(settings):
    url = f"http://127.0.0.1:{free_port()}"
    exit_code, loaded, output = run_cli("ask", "What is neglect?", "--server", url)
    assert exit_code == 1 and loaded == []
    assert output.strip().splitlines() == [
        f"error: cannot reach the server at {url} (connection refused); is it running?"
    ]


def test_server_url_must_be_http(settings):
    result = CliRunner().invoke(cli, ["search", "neglect", "--server", "127.0.0.1:8000"])
    assert result.exit_code == 1
    assert "error: --server must be an http:// or https:// URL" in result.output


# -- --server: the same output from a running server ----------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, embedder) -> Iterator[tuple[Settings, str]]:
    """A real briefing index, served on a free loopback port."""
    from assistant.app import create_app

    settings = briefing_index(tmp_path_factory.mktemp("cli-server"), embedder)
    with serve_in_thread(create_app(settings)) as base:
        yield settings, base


def index_env(settings: Settings) -> dict[str, str]:
    return {
        "SAFEGUARDING_DATA_DIR": str(settings.data_dir),
        "SAFEGUARDING_CORPUS_DIR": str(settings.corpus_dir),
    }


def run_locally(settings: Settings, monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    for key, value in index_env(settings).items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    try:
        result = CliRunner(env={"COLUMNS": "80"}).invoke(cli, list(args))
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [
        ("ask", "What is poverty blindness?"),
        ("ask", "What are critical moments?", "--report", "hard-to-escape"),
        ("ask", "What is said about neglect?", "--compare"),
        ("search", "neglect and poverty", "--k", "3"),
        ("search", "critical moments", "--json"),
    ],
)
def test_server_gives_the_local_output_without_loading_the_model(served, monkeypatch, args):
    settings, base = served
    local = run_locally(settings, monkeypatch, *args)
    assert "[1]" in local or '"report_id": ' in local  # something was found to compare
    elsewhere = {"SAFEGUARDING_DATA_DIR": "/nonexistent", "COLUMNS": "80"}
    exit_code, loaded, remote = run_cli(*args, "--server", base, env=elsewhere, heavy=MODEL)
    assert (exit_code, loaded, remote) == (0, [], local)


@pytest.mark.slow
def test_server_url_setting_and_server_errors_are_one_line(served, tmp_path):
    settings, base = served
    env = {"SAFEGUARDING_SERVER_URL": base}
    exit_code, loaded, output = run_cli("ask", "Why?", "--report", "nope", env=env)
    assert (exit_code, loaded) == (1, [])
    [line] = output.strip().splitlines()
    assert line.startswith(f"error: the server at {base} answered 422: unknown report id 'nope'")
    from assistant.app import create_app

    empty = Settings(data_dir=tmp_path / "data", corpus_dir=settings.corpus_dir)
    with serve_in_thread(create_app(empty)) as other:
        exit_code, loaded, output = run_cli("search", "neglect", "--server", other)
    assert (exit_code, loaded) == (1, [])
    [line] = output.strip().splitlines()
    assert line.startswith(f"error: the server at {other} answered 503: no index in ")


# -- feedback export: thumbs-down answers become draft evaluation questions ------------------

ASKED = "What is poverty blindness?"
POVERTY = {
    "passage_id": "triennial-2014-17-0002",
    "report_id": "triennial-2014-17",
    "quote": "Professionals can become used to poverty when they judge risk and need.",
}


def rate_answers(settings: Settings, keep_questions: bool) -> None:
    """A thumbs-down (with its citation and question) and a thumbs-up, as the UI records them."""
    from assistant.feedback import FEEDBACK_FILE, Feedback, FeedbackStore

    store = FeedbackStore(settings.data_dir / FEEDBACK_FILE, keep_questions=keep_questions)
    store.record(Feedback(rating="down", question=ASKED, citations=1, cited=[POVERTY]))
    store.record(Feedback(rating="up", question="a question rated up"))


def invoke(*args: str, logging: bool = False):
    get_settings.cache_clear()
    env = {"SAFEGUARDING_LOG_QUESTIONS": "true" if logging else "false", "COLUMNS": "100"}
    try:
        return CliRunner(env=env).invoke(cli, list(args))
    finally:
        get_settings.cache_clear()


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_export_without_question_logging_writes_a_placeholder_and_the_citations(settings, fmt):
    from eval.questions import PLACEHOLDER

    rate_answers(settings, keep_questions=False)
    result = invoke("feedback", "export", "--format", fmt)
    assert result.exit_code == 0, result.output
    assert PLACEHOLDER in result.stdout and ASKED not in result.stdout
    assert "a question rated up" not in result.stdout
    assert "triennial-2014-17 (triennial-2014-17-0002): “Professionals can become" in result.stdout
    assert "Note: 1 of 1 drafts have no question" in result.stderr
    if fmt == "jsonl":
        [draft] = [json.loads(line) for line in result.stdout.splitlines()]
        assert (draft["id"], draft["answerable"], draft["must_contain"]) == ("feedback-1", True, [])
    else:
        assert result.stdout.splitlines()[0] == (
            "id,question,answerable,must_contain,reports,history,notes"
        )


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_export_with_question_logging_writes_the_question(settings, tmp_path, fmt):
    from eval.questions import load_questions

    rate_answers(settings, keep_questions=True)
    out = tmp_path / f"drafts.{fmt}"
    result = invoke("feedback", "export", "-o", str(out), logging=True)  # format from -o
    assert result.exit_code == 0, result.output
    assert f"Wrote 1 draft questions to {out} ({fmt})." in result.output
    assert "no question" not in result.output
    [draft] = load_questions(out)
    assert (draft.id, draft.question, draft.answerable) == ("feedback-1", ASKED, True)


def test_an_untouched_draft_is_refused_by_eval_run_with_its_row(settings, tmp_path):
    rate_answers(settings, keep_questions=False)
    out = tmp_path / "drafts.csv"
    assert invoke("feedback", "export", "-o", str(out)).exit_code == 0
    result = invoke("eval", "run", "--set", str(out))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.splitlines() == [
        f"error: {out}: 1 problem; fix and load it again:",
        "  row 2: the question is still the placeholder; replace it with the question this"
        " answer was given for (the notes show the answer's citations), or delete the item",
    ]
    assert not (settings.data_dir / "eval").exists()  # refused before any index was built


def test_feedback_summary_prints_the_trend_and_the_share_refused(settings):
    from assistant.feedback import FEEDBACK_FILE, Feedback, FeedbackStore

    store = FeedbackStore(settings.data_dir / FEEDBACK_FILE, keep_questions=False)
    for rating, refused in (("up", False), ("down", True), ("down", False), ("up", False)):
        store.record(Feedback(rating=rating, refused=refused))
    result = invoke("feedback", "summary", "--by", "day", "--periods", "2")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "4 ratings: 2 up, 2 down; 25% of rated answers were refusals"
    assert lines[1].split() == ["day", "up", "down", "refused"]
    assert lines[2].split()[1:] == ["0", "0", "-"] and lines[3].split()[1:] == ["2", "2", "25%"]
    as_json = json.loads(invoke("feedback", "summary", "--json").output)
    assert as_json["refused_share"] == 0.25 and len(as_json["trend"]) == 8


@pytest.mark.slow
def test_a_filled_in_draft_runs_through_eval_run(settings, embedder, tmp_path):
    from eval.questions import PLACEHOLDER

    rate_answers(settings, keep_questions=False)
    out = tmp_path / "drafts.csv"
    assert invoke("feedback", "export", "-o", str(out)).exit_code == 0
    out.write_text(out.read_text("utf-8-sig").replace(PLACEHOLDER, ASKED), encoding="utf-8")
    result = invoke("eval", "run", "--set", str(out), "--out", str(tmp_path / "run"))
    assert result.exit_code == 0, result.output
    assert "Note: retrieval metrics (hit@5, MRR@10, nDCG@10) left out" in result.output
    assert "refusal_correct        1.000" in result.output
    [scored] = json.loads((tmp_path / "run" / "results.json").read_text("utf-8"))["questions"]
    assert (scored["id"], scored["question"], scored["refused"]) == ("feedback-1", ASKED, False)


@pytest.mark.slow
def test_the_shipped_template_runs_green_on_the_briefings(tmp_path, embedder, monkeypatch):
    monkeypatch.setenv("SAFEGUARDING_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SAFEGUARDING_CORPUS_DIR", str(PROJECT_ROOT / "corpus"))
    template = PROJECT_ROOT / "eval" / "sets" / "template.csv"
    result = invoke("eval", "run", "--set", str(template), "--out", str(tmp_path / "run"))
    assert result.exit_code == 0, result.output
    results = json.loads((tmp_path / "run" / "results.json").read_text("utf-8"))
    assert [q["id"] for q in results["questions"]] == ["tpl-1", "tpl-2", "tpl-3", "tpl-4"]
    assert all(q["scores"]["refusal_correct"] for q in results["questions"])
    assert results["metrics"]["overall"]["fact_recall"] == 1.0
    assert "Note: retrieval metrics (hit@5, MRR@10, nDCG@10) left out" in result.output
