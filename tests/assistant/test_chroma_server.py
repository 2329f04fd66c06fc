"""Chroma server mode: the same ingest and search code through a real `chroma run` on loopback."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant.chroma import ChromaUnavailable
from assistant.search import search_passages
from assistant.settings import Settings
from ingest.pipeline import run_ingest

CHROMA = Path(sys.executable).parent / "chroma"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A Chroma server on a free loopback port, stopped after the module."""
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={"ANONYMIZED_TELEMETRY": "False", "PATH": "/usr/bin:/bin"},
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).is_success:
                    break
            except httpx.TransportError:
                time.sleep(0.3)
        else:
            pytest.fail("chroma run did not become ready within 60 s")
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.mark.slow
def test_ingest_and_search_through_chroma_server(settings, embedder, chroma_server):
    server = settings.model_copy(update={"chroma_host": "127.0.0.1", "chroma_port": chroma_server})
    first = run_ingest(server, ["briefings"], embedder=embedder, announce=lambda _: None)
    assert first.manifest.chroma == "server"
    assert not (server.index_dir / "builds" / first.manifest.build_id / "chroma").exists()
    hits = search_passages(server, "what is poverty blindness", k=2)
    assert hits[0].passage.section == "3 Neglect > Poverty blindness"
    # a rebuild switches collections; the older of the two kept builds' collections is dropped
    second = run_ingest(server, ["briefings"], embedder=embedder, announce=lambda _: None)
    third = run_ingest(server, ["briefings"], embedder=embedder, announce=lambda _: None)
    assert third.embedded == 0
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.HttpClient(
        host="127.0.0.1", port=chroma_server, settings=ChromaSettings(anonymized_telemetry=False)
    )
    names = {c.name for c in client.list_collections()}
    assert second.manifest.collection in names and third.manifest.collection in names
    assert first.manifest.collection not in names


def test_unreachable_server_gives_clear_error(settings: Settings, embedder):
    server = settings.model_copy(update={"chroma_host": "127.0.0.1", "chroma_port": free_port()})
    with pytest.raises(ChromaUnavailable, match="cannot reach the Chroma server"):
        run_ingest(server, ["briefings"], embedder=embedder, announce=lambda _: None)
    assert server.index_dir.joinpath("current").exists() is False
