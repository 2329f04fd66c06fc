"""Ingest under faults: killed mid-way, a full disk, and answering while the index switches."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant.app import create_app
from assistant.index_schema import MANIFEST_FILE, IndexPaths
from assistant.search import search_passages
from assistant.settings import Settings
from bench.library.report_pdf import make_report_pdf
from ingest.errors import IngestError
from ingest.pipeline import run_ingest
from tests.servers import serve_in_thread

SAFEGUARDING = Path(sys.executable).parent / "safeguarding"


def ingest(settings: Settings, embedder, *sources: str):  # type: ignore[no-untyped-def]
    return run_ingest(settings, list(sources), embedder=embedder, announce=lambda _: None)


def build_names(settings: Settings) -> list[str]:
    return sorted(p.name for p in IndexPaths(settings.index_dir).builds.iterdir())


def top_section(settings: Settings) -> str:
    return search_passages(settings, "what is poverty blindness", k=1)[0].passage.section


@pytest.mark.slow
def test_ingest_killed_midway_leaves_the_old_index_serving(settings, embedder, tmp_path):
    ingest(settings, embedder, "briefings")
    paths = IndexPaths(settings.index_dir)
    live = paths.live_build_id()
    (tmp_path / "big").mkdir()
    report = make_report_pdf(tmp_path / "big" / "report.pdf", chapters=3, pages_per_chapter=4)
    env = {**os.environ, "SAFEGUARDING_DATA_DIR": str(settings.data_dir)}
    env["SAFEGUARDING_CORPUS_DIR"] = str(settings.corpus_dir)
    command = [str(SAFEGUARDING), "ingest", "--quiet", "--source", str(report.path.parent)]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while len(build_names(settings)) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)  # the new build is being embedded and written
    assert proc.poll() is None, "ingest finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    assert paths.live_build_id() == live
    orphans = [n for n in build_names(settings) if n != live]
    assert len(orphans) == 1 and not (paths.build(orphans[0]) / MANIFEST_FILE).exists()
    assert top_section(settings) == "3 Neglect > Poverty blindness"

    summary = ingest(settings, embedder, "briefings", str(report.path.parent))
    assert summary.documents == 3
    assert paths.live_build_id() == summary.manifest.build_id != live
    assert orphans[0] not in build_names(settings)  # the half build is swept away


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 6 MB tmpfs mounted for the test (needs root, which CI and the dev machines have)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        if os.environ.get("CI"):
            pytest.fail(f"cannot mount a tmpfs: {done.stderr.decode().strip()}")
        pytest.skip("mounting a tmpfs needs root")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def fill(disk: Path, leave: int) -> Path:
    """Fill the disk up to `leave` free bytes."""
    filler = disk / "filler"
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    filler.write_bytes(b"\0" * max(0, free - leave))
    return filler


@pytest.mark.slow
def test_full_disk_during_ingest_is_a_clear_error_and_the_old_index_stays(
    settings, embedder, tiny_disk
):
    on_disk = settings.model_copy(update={"data_dir": tiny_disk / "data"})
    ingest(on_disk, embedder, "briefings")
    live = IndexPaths(on_disk.index_dir).live_build_id()
    builds = build_names(on_disk)
    filler = fill(tiny_disk, leave=64 * 1024)
    with pytest.raises(IngestError, match="no space left on the device holding") as caught:
        ingest(on_disk, embedder, "briefings")
    assert str(on_disk.data_dir) in str(caught.value)
    assert IndexPaths(on_disk.index_dir).live_build_id() == live
    assert build_names(on_disk) == builds
    assert top_section(on_disk) == "3 Neglect > Poverty blindness"
    filler.unlink()
    assert ingest(on_disk, embedder, "briefings").manifest.build_id != live


@pytest.mark.slow
def test_answers_keep_coming_while_ingest_switches_the_index(settings, embedder):
    ingest(settings, embedder, "briefings")
    statuses: list[int] = []
    builds_seen: set[str] = set()
    stop = threading.Event()

    def ask_loop(base: str) -> None:
        with httpx.Client(base_url=base, timeout=30) as client:
            while not stop.is_set():
                answer = client.post("/api/ask", json={"question": "What is poverty blindness?"})
                statuses.append(answer.status_code)
                builds_seen.add(client.get("/health").json()["index"]["build"])

    with serve_in_thread(create_app(settings)) as base:
        askers = [threading.Thread(target=ask_loop, args=(base,)) for _ in range(4)]
        for thread in askers:
            thread.start()
        try:
            for _ in range(3):  # the third ingest also prunes the first build
                ingest(settings, embedder, "briefings")
                time.sleep(0.5)
        finally:
            stop.set()
            for thread in askers:
                thread.join(timeout=60)
    assert len(statuses) > 20
    assert set(statuses) == {200}, [s for s in statuses if s != 200]
    assert len(builds_seen) >= 3
