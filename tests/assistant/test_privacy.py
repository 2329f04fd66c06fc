"""Question text stays out of every log and every file under the data dir unless the operator
sets SAFEGUARDING_LOG_QUESTIONS=true."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from assistant.app import create_app
from assistant.cli import cli
from assistant.privacy import QUESTION_LOG
from assistant.search import search_passages
from assistant.service import ask, compare
from assistant.settings import Settings
from ingest.pipeline import run_ingest
from tests.servers import free_port, wait_until_up

# One answerable question and one the reports don't cover, each unique to this test.
QUESTIONS = (
    "What is poverty blindness and how could it hide warning signs for Maisie?",
    "Did the reviews look at Zephyrine Quillfeather's school in Penzance?",
)
SAFEGUARDING = Path(sys.executable).parent / "safeguarding"


def through_service(settings: Settings) -> None:
    for question in QUESTIONS:
        ask(settings, question)
        compare(settings, question)
        search_passages(settings, question)


def through_cli() -> str:
    """Run each question through ask, ask --compare and search; the CLI's stderr."""
    runner = CliRunner()
    errors = []
    for question in QUESTIONS:
        for args in (["ask", question], ["ask", "--compare", question], ["search", question]):
            result = runner.invoke(cli, args)
            assert result.exit_code == 0, result.output
            errors.append(result.stderr)
    return "\n".join(errors)


def through_served_api(settings: Settings, log_file: Path) -> None:
    """`safeguarding serve` in its own process with its defaults, stdout and stderr to a file."""
    port = free_port()
    env = {**os.environ, "SAFEGUARDING_DATA_DIR": str(settings.data_dir)}
    env["SAFEGUARDING_CORPUS_DIR"] = str(settings.corpus_dir)
    with log_file.open("wb") as out:
        proc = subprocess.Popen(
            [str(SAFEGUARDING), "serve", "--port", str(port)], env=env, stdout=out, stderr=out
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_up(f"{base}/health", seconds=120)
            for question in QUESTIONS:
                for route in ("/api/ask", "/api/ask/stream", "/api/compare"):
                    response = httpx.post(f"{base}{route}", json={"question": question}, timeout=60)
                    assert response.status_code == 200
                search = httpx.post(f"{base}/api/search", json={"query": question}, timeout=60)
                assert search.status_code == 200
                bad = httpx.post(f"{base}/api/ask", json={"question": question + "\x00"})
                assert bad.status_code == 422
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def files_containing(folder: Path, needles: tuple[str, ...]) -> list[str]:
    found = []
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found += [f"{path}: {n}" for n in needles if n.encode("utf-8") in data]
    return found


@pytest.mark.slow
def test_default_settings_keep_questions_out_of_logs_and_files(
    settings, embedder, caplog, tmp_path
):
    assert settings.log_questions is False
    run_ingest(settings, ["briefings"], embedder=embedder, announce=lambda _: None)
    caplog.set_level(logging.DEBUG)  # stricter than the default INFO: every record is seen
    through_service(settings)
    cli_errors = through_cli()
    server_log = tmp_path / "server.log"
    through_served_api(settings, server_log)

    records = "\n".join(r.getMessage() for r in caplog.records)
    assert len(caplog.records) > 0  # the capture works: libraries do log
    for question in QUESTIONS:
        assert question not in records
        assert question not in cli_errors
        assert question not in server_log.read_text("utf-8", errors="replace")
    assert "Uvicorn running" in server_log.read_text("utf-8")  # the server's log was captured
    assert files_containing(settings.data_dir, QUESTIONS) == []


@pytest.mark.slow
def test_log_questions_true_logs_them(settings, embedder, caplog, monkeypatch):
    monkeypatch.setenv("SAFEGUARDING_LOG_QUESTIONS", "true")
    monkeypatch.setattr(QUESTION_LOG, "handlers", [])  # the CLI's stderr handler goes with the test
    from assistant.settings import get_settings

    get_settings.cache_clear()
    logging_on = settings.model_copy(update={"log_questions": True})
    run_ingest(logging_on, ["briefings"], embedder=embedder, announce=lambda _: None)
    caplog.set_level(logging.INFO)
    through_service(logging_on)
    for question in QUESTIONS:
        assert f"ask: {question}" in caplog.text
        assert f"compare: {question}" in caplog.text
        assert f"search: {question}" in caplog.text
    caplog.clear()
    client = TestClient(create_app(logging_on))
    assert client.post("/api/ask", json={"question": QUESTIONS[0]}).status_code == 200
    assert f"ask: {QUESTIONS[0]}" in caplog.text
    caplog.clear()
    result = CliRunner().invoke(cli, ["ask", QUESTIONS[1]])
    assert result.exit_code == 0
    assert f"ask: {QUESTIONS[1]}" in caplog.text
