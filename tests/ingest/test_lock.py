"""Two ingests into one index folder: the second waits for the first instead of corrupting it."""

from __future__ import annotations

import threading

import pytest

from assistant.store import open_store
from ingest.lock import ingest_lock
from ingest.pipeline import run_ingest


@pytest.mark.slow
def test_a_second_ingest_waits_for_the_first_and_both_leave_a_working_index(settings, embedder):
    said: list[str] = []
    done = threading.Event()

    def second() -> None:
        run_ingest(settings, ["briefings"], embedder=embedder, announce=said.append)
        done.set()

    with ingest_lock(settings.index_dir, announce=lambda _: None):  # a first ingest holds it
        worker = threading.Thread(target=second)
        worker.start()
        assert not done.wait(2.0)  # it waits while the lock is held
        assert any("waiting for it to finish" in line for line in said)
        assert not (settings.index_dir / "current").exists()
    worker.join(120)
    assert done.is_set()
    run_ingest(settings, ["briefings"], embedder=embedder, announce=lambda _: None)
    store = open_store(settings)
    assert store.passages and store.dense(embedder.encode(["neglect"])[0], 3)
