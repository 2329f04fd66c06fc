"""A build's Chroma collection: a copy of the live one with only the changes applied, or a
new collection filled in large batches.

Copying the live build's embedded store and adding the new sentences is what keeps adding ten
reports to a thousand fast: inserting every old vector again costs far more (bench/ingest.py).
A Chroma server's collections cannot be copied, so there a new one is filled. Vectors are
upserted in batches whose count is recorded, so a resumed build adds only what is missing.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import numpy as np

from assistant.chroma import chroma_client
from assistant.index_schema import (
    CHROMA_DIR,
    COLLECTION_PREFIX,
    PASSAGES_FILE,
    SENTENCE_ROWS_FILE,
    SENTENCES_FILE,
    vector_id,
)
from assistant.progress import ProgressFn
from assistant.settings import Settings
from ingest.embed_stage import iter_passages, passage_bounds
from ingest.npy_rows import NpyRows
from ingest.previous import PreviousBuild
from ingest.work import BuildWork

MAX_BATCH = 5000  # vectors per Chroma call; larger batches add faster (bench/ingest.py)
SQLITE_FILE = "chroma.sqlite3"


def copy_store(source: Path, target: Path) -> None:
    """Copy an embedded Chroma folder: its SQLite database through SQLite's backup (a
    consistent copy even while the live build is being read), the segment files as files."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(f"{SQLITE_FILE}*"))
    with (
        closing(sqlite3.connect(source / SQLITE_FILE)) as src,
        closing(sqlite3.connect(target / SQLITE_FILE)) as dst,
    ):
        src.backup(dst)


def start_collection(
    settings: Settings, work: BuildWork, previous: PreviousBuild | None
) -> dict[str, Any]:
    """Decide once how this build's collection starts, and put that start in place."""
    if work.done("chroma_base"):
        return dict(work.load("chroma_base"))
    source = previous.chroma_dir() if previous and not settings.chroma_host else None
    target = work.build / CHROMA_DIR
    base: dict[str, Any]
    if source is not None and previous is not None:
        copy_store(source, target)
        base = {"collection": previous.manifest.collection, "copied_from": previous.build_id}
    else:
        name = f"{COLLECTION_PREFIX}-{work.build_id}"
        client = chroma_client(settings, target)
        client.get_or_create_collection(  # a killed run may have created it already
            name, embedding_function=None, metadata={"hnsw:space": "cosine"}
        )
        base = {"collection": name, "copied_from": None}
    work.save("chroma_base", base)
    work.mark("chroma_base")
    return base


def batches(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def new_vectors(work: BuildWork, kept: dict[str, str]) -> Iterator[tuple[str, str, str, int]]:
    """(vector id, passage id, report id, sentence row) of every sentence to add: all those
    of passages the base collection lacks (`kept`: its passages with their report)."""
    rows = np.load(work.build / SENTENCE_ROWS_FILE)
    bounds = passage_bounds(rows, work.load("rows")["passages"])
    for row, passage in enumerate(iter_passages(work.build / PASSAGES_FILE)):
        if kept.get(passage.id) == passage.report_id:
            continue
        for n, at in enumerate(range(int(bounds[row]), int(bounds[row + 1]))):
            yield vector_id(passage.id, n), passage.id, passage.report_id, at


def stale_vectors(previous: PreviousBuild, current: dict[str, str]) -> Iterator[str]:
    """Vector ids of the copied collection whose passage (with its report) is gone."""
    report = previous.passages.report
    for pid, row in previous.passages.rows.items():
        if current.get(pid) != report[row]:
            count = int(previous.bounds[row + 1] - previous.bounds[row])
            yield from (vector_id(pid, n) for n in range(count))


def current_passages(work: BuildWork) -> dict[str, str]:
    return {p.id: p.report_id for p in iter_passages(work.build / PASSAGES_FILE)}


def chroma_stage(
    settings: Settings,
    work: BuildWork,
    previous: PreviousBuild | None,
    progress: ProgressFn | None = None,
) -> str:
    """Fill the build's collection; returns its name."""
    base = start_collection(settings, work, previous)
    if work.done("chroma"):
        return str(base["collection"])
    client = chroma_client(settings, work.build / CHROMA_DIR)
    coll = client.get_collection(base["collection"])
    step = max(1, min(int(client.get_max_batch_size()), MAX_BATCH))
    copied = previous if base["copied_from"] else None
    kept = copied.passage_reports() if copied else {}
    vectors = NpyRows(work.build / SENTENCES_FILE)
    done = work.count("chroma")
    total = sum(1 for _ in new_vectors(work, kept)) if progress else 0
    for index, batch in enumerate(batches(new_vectors(work, kept), step)):
        if index < done:
            continue
        coll.upsert(
            ids=[item[0] for item in batch],
            embeddings=vectors.read_rows(np.array([item[3] for item in batch])),
            metadatas=[{"passage_id": item[1], "report_id": item[2]} for item in batch],
        )
        work.set_count("chroma", index + 1)
        if progress:
            progress(min(total, (index + 1) * step), total, label="Writing vectors")
    if copied is not None:
        for ids in batches(stale_vectors(copied, current_passages(work)), step):
            coll.delete(ids=ids)
    work.mark("chroma")
    return str(base["collection"])
