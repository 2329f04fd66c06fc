"""Faults around the index: damaged files at start-up, and the Chroma server going away."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from assistant.app import create_app
from assistant.cli import cli
from assistant.index_schema import IndexPaths
from assistant.settings import Settings, get_settings
from ingest.pipeline import run_ingest
from tests.indexes import briefing_index
from tests.servers import ChromaServer

QUESTION = {"question": "What is poverty blindness?"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, embedder) -> Settings:
    """One embedded index for the module; each test damages its own copy."""
    return briefing_index(tmp_path_factory.mktemp("faults"), embedder)


@pytest.fixture
def copy(built: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """A private copy of the built index, also named in the environment for the CLI."""
    data = tmp_path / "data"
    shutil.copytree(built.data_dir, data)
    monkeypatch.setenv("SAFEGUARDING_DATA_DIR", str(data))
    monkeypatch.setenv("SAFEGUARDING_CORPUS_DIR", str(built.corpus_dir))
    get_settings.cache_clear()
    yield built.model_copy(update={"data_dir": data})
    get_settings.cache_clear()


def live_build(settings: Settings) -> Path:
    paths = IndexPaths(settings.index_dir)
    return paths.build(paths.live_build_id() or "")


def garble(path: Path) -> None:
    path.write_bytes(b"\x00garbage\xff" * 64)


DAMAGE = {
    "passages deleted": lambda b: (b / "passages.jsonl").unlink(),
    "passages garbled": lambda b: garble(b / "passages.jsonl"),
    "sentence vectors garbled": lambda b: garble(b / "sentences.npy"),
    "bm25 deleted": lambda b: shutil.rmtree(b / "bm25"),
    "chroma deleted": lambda b: shutil.rmtree(b / "chroma"),
    "chroma database garbled": lambda b: garble(b / "chroma" / "chroma.sqlite3"),
    "manifest garbled": lambda b: garble(b / "manifest.json"),
}


@pytest.mark.slow
@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_index_gives_the_fix_not_a_traceback(copy, damage):
    DAMAGE[damage](live_build(copy))
    runner = CliRunner()
    served = runner.invoke(cli, ["serve"])
    assert served.exit_code == 1
    assert "safeguarding ingest" in served.output and "Traceback" not in served.output
    assert len(served.output.strip().splitlines()) == 1, served.output
    searched = runner.invoke(cli, ["search", "neglect"])
    assert searched.exit_code == 1 and "safeguarding ingest" in searched.output
    assert isinstance(searched.exception, SystemExit)
    client = TestClient(create_app(copy))
    response = client.post("/api/ask", json=QUESTION)
    assert response.status_code == 503
    assert "safeguarding ingest" in response.json()["detail"]
    health = client.get("/health").json()
    assert health["status"] == "degraded" and "safeguarding ingest" in health["detail"]


@pytest.mark.slow
def test_missing_live_build_says_to_ingest_and_ingest_repairs_it(copy):
    shutil.rmtree(live_build(copy))
    runner = CliRunner()
    searched = runner.invoke(cli, ["search", "neglect"])
    assert searched.exit_code == 1 and "run `safeguarding ingest`" in searched.output
    rebuilt = runner.invoke(cli, ["ingest", "--source", "briefings", "--quiet"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert TestClient(create_app(copy)).post("/api/ask", json=QUESTION).status_code == 200


@pytest.mark.slow
def test_chroma_server_stopped_gives_503_and_recovers_by_itself(settings, embedder, tmp_path):
    chroma = ChromaServer(tmp_path / "chroma-server").start()
    try:
        server = settings.model_copy(
            update={"chroma_host": "127.0.0.1", "chroma_port": chroma.port}
        )
        run_ingest(server, ["briefings"], embedder=embedder, announce=lambda _: None)
        client = TestClient(create_app(server))
        assert client.get("/health").json()["status"] == "ok"
        assert client.post("/api/ask", json=QUESTION).status_code == 200

        chroma.stop()
        health = client.get("/health")
        assert health.status_code == 503
        assert "Chroma server" in health.json()["detail"]
        down = client.post("/api/ask", json=QUESTION)
        assert down.status_code == 503
        assert "does not answer" in down.json()["detail"]
        # a comparison searches each report on its own, exactly, in the local sentence files
        assert client.post("/api/compare", json=QUESTION).status_code == 200
        down = client.post("/api/search", json={"query": "poverty"})
        assert down.status_code == 503 and "Chroma server" in down.json()["detail"]

        chroma.start()
        assert client.get("/health").json()["status"] == "ok"
        answer = client.post("/api/ask", json=QUESTION)
        assert answer.status_code == 200 and answer.json()["citations"]
    finally:
        chroma.stop()
