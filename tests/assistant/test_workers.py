"""`serve --workers 2` on loopback: one Chroma server, two API processes, a load across both and
a re-ingest switch in the middle of it, with no failed request."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant.settings import Settings
from ingest.pipeline import run_ingest
from tests.servers import ChromaServer, free_port, wait_until_up

pytestmark = pytest.mark.slow

SAFEGUARDING = Path(sys.executable).parent / "safeguarding"
QUESTIONS = ("What is poverty blindness?", "Why do critical moments matter?", "neglect")


def workers_of(parent: int) -> list[int]:
    """The worker processes uvicorn spawned under `parent` (not its resource tracker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat[1]) == parent and b"spawn_main" in cmdline:
            found.append(int(entry.name))
    return sorted(found)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.fixture
def on_server(settings: Settings, tmp_path: Path) -> Iterator[Settings]:
    chroma = ChromaServer(tmp_path / "chroma").start()
    try:
        yield settings.model_copy(update={"chroma_host": "127.0.0.1", "chroma_port": chroma.port})
    finally:
        chroma.stop()


@pytest.fixture
def two_workers(on_server: Settings, embedder) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    run_ingest(on_server, ["briefings"], embedder=embedder, announce=lambda _: None)
    port = free_port()
    env = {
        **os.environ,
        "SAFEGUARDING_DATA_DIR": str(on_server.data_dir),
        "SAFEGUARDING_CORPUS_DIR": str(on_server.corpus_dir),
        "SAFEGUARDING_CHROMA_HOST": "127.0.0.1",
        "SAFEGUARDING_CHROMA_PORT": str(on_server.chroma_port),
    }
    command = [str(SAFEGUARDING), "serve", "--workers", "2", "--no-ui", "--port", str(port)]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/health", seconds=240)
        yield f"http://127.0.0.1:{port}", proc
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def load(url: str, stop: threading.Event, statuses: list[int], errors: list[str]) -> None:
    """One client: a new connection per request, so the kernel spreads them over the workers."""
    n = 0
    with httpx.Client(timeout=60, limits=httpx.Limits(max_keepalive_connections=0)) as http:
        while not stop.is_set():
            question = QUESTIONS[n % len(QUESTIONS)]
            n += 1
            try:
                if n % 2:
                    reply = http.post(f"{url}/api/search", json={"query": question, "k": 5})
                else:
                    reply = http.post(f"{url}/api/ask", json={"question": question})
                statuses.append(reply.status_code)
            except httpx.HTTPError as exc:
                errors.append(type(exc).__name__)


def test_two_workers_share_the_load_and_see_a_switch_without_a_failed_request(
    two_workers, on_server, embedder
):
    url, proc = two_workers
    workers = workers_of(proc.pid)
    assert len(workers) == 2, workers
    before = {pid: cpu_seconds(pid) for pid in workers}
    old_build = httpx.get(f"{url}/health").json()["index"]["build"]
    stop, statuses, errors = threading.Event(), [], []
    clients = [threading.Thread(target=load, args=(url, stop, statuses, errors)) for _ in range(8)]
    for client in clients:
        client.start()
    try:
        time.sleep(3)
        again = run_ingest(on_server, ["briefings"], embedder=embedder, announce=lambda _: None)
        time.sleep(5)  # the load goes on across the switch
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=120)
    assert errors == [] and statuses and set(statuses) == {200}, (errors, set(statuses))
    assert again.manifest.build_id != old_build
    builds = {httpx.get(f"{url}/health").json()["index"]["build"] for _ in range(20)}
    assert builds == {again.manifest.build_id}  # every worker serves the new build
    used = {pid: cpu_seconds(pid) - before[pid] for pid in workers}
    assert all(seconds > 0.2 for seconds in used.values()), used  # both took part of the load


def test_more_workers_need_a_chroma_server(settings):
    done = subprocess.run(
        [str(SAFEGUARDING), "serve", "--workers", "2", "--port", str(free_port())],
        env={**os.environ, "SAFEGUARDING_DATA_DIR": str(settings.data_dir)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "needs a shared Chroma server" in done.stderr and "Traceback" not in done.stderr
