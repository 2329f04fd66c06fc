"""Sentence vectors for a build's passages, streamed from passages.jsonl to sentences.npy.

Passages unchanged since the live build take its vectors; the others' sentences are encoded in
fixed chunks of CHUNK_SENTENCES, in passage order. The chunks do not depend on where a run
stopped, so a resumed build encodes the same texts together and gets the same vectors; the
count of chunks written is recorded after each one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.embedder import Embedder
from assistant.index_schema import (
    PASSAGES_FILE,
    SENTENCE_ROWS_FILE,
    SENTENCES_FILE,
    Passage,
)
from assistant.progress import ProgressFn
from assistant.sentences import sentence_spans
from ingest.npy_rows import NpyRows, create
from ingest.previous import PreviousBuild
from ingest.work import BuildWork

CHUNK_SENTENCES = 2048  # encoded between two progress records (about 10-20 s on two cores)


@dataclass(frozen=True)
class Embedded:
    """What the stage encoded itself (the rest was reused)."""

    passages: int
    sentences: int


def iter_passages(path: Path) -> Iterator[Passage]:
    """The passages of a build's passages.jsonl, one at a time."""
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            yield Passage.model_validate(json.loads(line))


def write_sentence_rows(build: Path, dimension: int, previous: PreviousBuild | None) -> int:
    """Each sentence's passage row and span (sentence_rows.npy) and a zeroed vectors file;
    returns the number of passages. Passages of the live build keep its spans (splitting is
    a third of the time of adding ten reports to a thousand otherwise)."""
    parts = [np.zeros((0, 3), dtype=np.int32)]
    passages = 0
    for row, passage in enumerate(iter_passages(build / PASSAGES_FILE)):
        spans = previous.sentence_spans(passage.id) if previous else None
        if spans is None:
            spans = np.array(sentence_spans(passage.text), dtype=np.int32).reshape(-1, 2)
        parts.append(np.column_stack([np.full(len(spans), row, dtype=np.int32), spans]))
        passages = row + 1
    rows = np.concatenate(parts)
    np.save(build / SENTENCE_ROWS_FILE, rows)
    create(build / SENTENCES_FILE, len(rows), dimension)
    return passages


def passage_bounds(rows: np.ndarray, passages: int) -> np.ndarray:
    """Sentence rows [bounds[r], bounds[r + 1]) belong to passage row r."""
    return np.searchsorted(rows[:, 0], np.arange(passages + 1))


class _Chunker:
    """Collects sentences to encode and writes each full chunk, skipping those written."""

    def __init__(self, work: BuildWork, out: NpyRows, embedder: Embedder) -> None:
        self.work, self.out, self.embedder = work, out, embedder
        self.done = work.count("embedded")  # chunks already written by an earlier run
        self.index = 0
        self.rows: list[int] = []
        self.texts: list[str] = []

    def add(self, row: int, text: str) -> None:
        self.rows.append(row)
        self.texts.append(text)
        if len(self.rows) == CHUNK_SENTENCES:
            self.flush()

    def flush(self) -> None:
        if self.rows and self.index >= self.done:
            self.out.write_runs(np.array(self.rows), self.encode_unique(self.texts))
            self.work.set_count("embedded", self.index + 1)
        self.index += bool(self.rows)
        self.rows, self.texts = [], []

    def encode_unique(self, texts: list[str]) -> np.ndarray:
        """Each distinct text encoded once (headers, footers and repeated lines recur)."""
        unique = list(dict.fromkeys(texts))
        vectors = self.embedder.encode(unique)
        where = {text: row for row, text in enumerate(unique)}
        return vectors[[where[text] for text in texts]]


def embed_stage(
    work: BuildWork,
    previous: PreviousBuild | None,
    embedder: Embedder,
    pages: int,
    progress: ProgressFn | None = None,
) -> Embedded:
    """Fill sentences.npy: reused vectors copied, new sentences encoded chunk by chunk."""
    if work.done("embedded"):
        counts = work.load("embedded")
        return Embedded(counts["passages"], counts["sentences"])
    if not work.done("rows"):
        passages = write_sentence_rows(work.build, embedder.dimension, previous)
        work.save("rows", {"passages": passages})
        work.mark("rows")
    rows = np.load(work.build / SENTENCE_ROWS_FILE)
    bounds = passage_bounds(rows, work.load("rows")["passages"])
    out = NpyRows(work.build / SENTENCES_FILE)
    chunker = _Chunker(work, out, embedder)
    new_passages = new_sentences = 0
    for row, passage in enumerate(iter_passages(work.build / PASSAGES_FILE)):
        start, end = int(bounds[row]), int(bounds[row + 1])
        reused = previous.sentence_vectors(passage.id, end - start) if previous else None
        if reused is not None:
            out.write_runs(np.arange(start, end), reused)
        else:
            new_passages += 1
            new_sentences += end - start
            for at in range(start, end):
                chunker.add(at, passage.text[rows[at, 1] : rows[at, 2]])
        if row % 50 == 0:
            report(progress, start, len(rows), pages)
    chunker.flush()
    report(progress, len(rows), len(rows), pages)
    work.save("embedded", {"passages": new_passages, "sentences": new_sentences})
    work.mark("embedded")
    return Embedded(new_passages, new_sentences)


def report(progress: ProgressFn | None, done: int, total: int, pages: int) -> None:
    """Sentences done of the total, with the pages that share stands for."""
    if progress:
        share = done / total if total else 1.0
        progress(done, total, label="Embedding sentences", pages=pages * share)
