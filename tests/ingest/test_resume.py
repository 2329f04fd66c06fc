"""A killed ingest resumes where it stopped and ends with the index an uninterrupted run makes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from assistant.chroma import chroma_client
from assistant.index_schema import (
    CHROMA_DIR,
    MANIFEST_FILE,
    PASSAGES_FILE,
    SENTENCE_ROWS_FILE,
    SENTENCES_FILE,
    WORK_DIR,
    IndexManifest,
    IndexPaths,
)
from assistant.settings import Settings
from tests.ingest.report_pdfs import report_folder

# Small steps, so each stage lasts long enough to be killed in: the constants are set in the
# ingest process only, the same for every run compared here.
INGEST = """
import sys
import ingest.chroma_stage, ingest.embed_stage
ingest.embed_stage.CHUNK_SENTENCES = 48
ingest.chroma_stage.MAX_BATCH = 40
from assistant.cli import main
sys.argv = ["safeguarding", "ingest", "--quiet", "--source", sys.argv[1]]
main()
"""


def start(settings: Settings, source: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SAFEGUARDING_DATA_DIR": str(settings.data_dir)}
    env["SAFEGUARDING_CORPUS_DIR"] = str(settings.corpus_dir)
    env["SAFEGUARDING_PARSE_WORKERS"] = "1"
    command = [sys.executable, "-c", INGEST, str(source)]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def work_dir(settings: Settings) -> Path | None:
    builds = IndexPaths(settings.index_dir).builds
    found = (
        [b / WORK_DIR for b in builds.glob("*") if (b / WORK_DIR).is_dir()]
        if builds.exists()
        else []
    )
    return found[0] if found else None


def count(work: Path, name: str) -> int:
    try:
        return int((work / f"{name}.count").read_text())
    except (FileNotFoundError, ValueError):
        return 0


STAGES: dict[str, Callable[[Path], bool]] = {  # the work folder shows the run is inside it
    "parsing": lambda w: (
        len(list((w / "docs").glob("*.jsonl"))) >= 3 and not (w / "passages.done").exists()
    ),
    "embedding": lambda w: count(w, "embedded") >= 2 and not (w / "embedded.done").exists(),
    "chroma": lambda w: count(w, "chroma") >= 2 and not (w / "chroma.done").exists(),
}


def kill_during(settings: Settings, source: Path, stage: str) -> Path:
    """Run ingest until the work folder shows `stage` under way, then SIGKILL it."""
    proc = start(settings, source)
    deadline = time.monotonic() + 300
    while proc.poll() is None and time.monotonic() < deadline:
        work = work_dir(settings)
        if work is not None and STAGES[stage](work):
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            return work
        time.sleep(0.01)
    output = proc.stdout.read().decode() if proc.stdout else ""
    proc.kill()
    raise AssertionError(f"ingest was not caught {stage} (exit {proc.poll()}): {output}")


def finish(settings: Settings, source: Path) -> str:
    proc = start(settings, source)
    output, _ = proc.communicate(timeout=600)
    assert proc.returncode == 0, output.decode()
    return output.decode()


def live(settings: Settings) -> Path:
    paths = IndexPaths(settings.index_dir)
    return paths.build(paths.live_build_id() or "")


def content(build: Path) -> dict[str, object]:
    """What must match between builds: passages, sentence vectors, and the Chroma vectors."""
    manifest = IndexManifest.model_validate_json((build / MANIFEST_FILE).read_text())
    client = chroma_client(Settings(data_dir=build), build / CHROMA_DIR)
    stored = client.get_collection(manifest.collection).get(include=["embeddings"])
    order = np.argsort(stored["ids"])
    return {
        "passages": [json.loads(line) for line in (build / PASSAGES_FILE).open()],
        "vectors": np.load(build / SENTENCES_FILE),
        "rows": np.load(build / SENTENCE_ROWS_FILE),
        "chroma_ids": sorted(stored["ids"]),
        "chroma_vectors": np.asarray(stored["embeddings"])[order],
    }


@pytest.mark.slow
def test_ingest_killed_in_each_stage_resumes_to_the_uninterrupted_index(settings, tmp_path):
    source = report_folder(tmp_path / "pdfs", 8, pages=3)
    reference = settings.model_copy(update={"data_dir": tmp_path / "reference"})
    finish(reference, source)

    work = kill_during(settings, source, "parsing")
    parsed_first = {p.name: p.stat().st_mtime_ns for p in (work / "docs").glob("*.jsonl")}
    work = kill_during(settings, source, "embedding")
    # the resumed run kept what the first had parsed
    kept = {p.name: p.stat().st_mtime_ns for p in (work / "docs").glob("*.jsonl")}
    assert {name: kept[name] for name in parsed_first} == parsed_first
    chunks = count(work, "embedded")
    work = kill_during(settings, source, "chroma")
    assert not (IndexPaths(settings.index_dir).live_build_id())  # nothing half-built went live
    assert count(work, "embedded") >= chunks
    output = finish(settings, source)
    assert "Resuming the unfinished build" in output

    resumed, uninterrupted = content(live(settings)), content(live(reference))
    assert resumed["passages"] == uninterrupted["passages"]
    assert np.array_equal(resumed["rows"], uninterrupted["rows"])  # type: ignore[arg-type]
    assert np.allclose(resumed["vectors"], uninterrupted["vectors"], atol=1e-6)  # type: ignore[arg-type]
    assert resumed["chroma_ids"] == uninterrupted["chroma_ids"]
    assert np.allclose(resumed["chroma_vectors"], uninterrupted["chroma_vectors"], atol=1e-6)  # type: ignore[arg-type]
    assert not (live(settings) / WORK_DIR).exists()
    assert len(list(IndexPaths(settings.index_dir).builds.iterdir())) == 1
