"""The live build, read for what a new build can take from it: unchanged documents' passages
(no parse), unchanged passages' vectors (no embedding) and its Chroma store (no re-insert)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from assistant.index_schema import (
    CHROMA_DIR,
    PASSAGES_FILE,
    SENTENCE_ROWS_FILE,
    SENTENCES_FILE,
    IndexManifest,
    IndexPaths,
    SourceRecord,
)
from assistant.store import IndexUnavailable, check_compatible, read_manifest
from ingest.npy_rows import NpyRows


@dataclass
class PassageIndex:
    """Where each passage and each document's run of passages sit in passages.jsonl."""

    rows: dict[str, int] = field(default_factory=dict)  # passage id -> row
    report: list[str] = field(default_factory=list)  # row -> report id
    docs: dict[str, tuple[int, int]] = field(default_factory=dict)  # doc id -> byte range


def index_passages(path: Path) -> PassageIndex:
    """One pass over a passages file; only ids and offsets are kept."""
    found = PassageIndex()
    offset = 0
    with path.open("rb") as lines:
        for row, line in enumerate(lines):
            item = json.loads(line)
            found.rows[item["id"]] = row
            found.report.append(item["report_id"])
            start, _ = found.docs.get(item["doc_id"], (offset, offset))
            found.docs[item["doc_id"]] = (start, offset + len(line))
            offset += len(line)
    return found


class PreviousBuild:
    """A compatible live build (same schema and embedder); `open` gives None otherwise."""

    def __init__(self, build: Path, manifest: IndexManifest) -> None:
        self.build = build
        self.manifest = manifest
        self.records = {(r.sha256, r.source_key): r for r in manifest.sources if r.source_key}

    @classmethod
    def open(cls, paths: IndexPaths, embedder: str) -> PreviousBuild | None:
        live = paths.live_build_id()
        if live is None:
            return None
        build = paths.build(live)
        try:  # the store's own reading and compatibility check
            manifest = read_manifest(build)
            check_compatible(manifest, build, embedder)
        except (IndexUnavailable, OSError):
            return None  # unreadable or incompatible: build everything again
        return cls(build, manifest)

    @property
    def build_id(self) -> str:
        return self.build.name

    @cached_property
    def passages(self) -> PassageIndex:
        return index_passages(self.build / PASSAGES_FILE)

    @cached_property
    def vectors(self) -> NpyRows:
        """The sentence vectors, read by rows (not mapped: the reader's memory stays small)."""
        return NpyRows(self.build / SENTENCES_FILE)

    @cached_property
    def sentence_rows(self) -> np.ndarray:
        """(passage row, start, end) of each sentence (12 bytes a sentence, held)."""
        return np.load(self.build / SENTENCE_ROWS_FILE)

    @cached_property
    def bounds(self) -> np.ndarray:
        """Sentence rows [bounds[r], bounds[r + 1]) belong to passage row r."""
        owner = self.sentence_rows[:, 0]
        return np.searchsorted(owner, np.arange(len(self.passages.report) + 1))

    def sentence_spans(self, passage_id: str) -> np.ndarray | None:
        """The passage's sentence spans as split before (the id fixes the text, so they hold)."""
        row = self.passages.rows.get(passage_id)
        if row is None:
            return None
        return self.sentence_rows[int(self.bounds[row]) : int(self.bounds[row + 1]), 1:]

    def passage_reports(self) -> dict[str, str]:
        """Each passage id with its report id."""
        report = self.passages.report
        return {pid: report[row] for pid, row in self.passages.rows.items()}

    def reusable(self, sha256: str, source_key: str) -> SourceRecord | None:
        """The record of the same file ingested the same way, if this build has one."""
        return self.records.get((sha256, source_key))

    def doc_lines(self, doc_id: str) -> list[bytes]:
        """The document's passage lines, as stored."""
        start, end = self.passages.docs.get(doc_id, (0, 0))
        with (self.build / PASSAGES_FILE).open("rb") as lines:
            lines.seek(start)
            return lines.read(end - start).splitlines(keepends=True)

    def sentence_vectors(self, passage_id: str, spans: int) -> np.ndarray | None:
        """The passage's stored sentence vectors when it has `spans` of them."""
        row = self.passages.rows.get(passage_id)
        if row is None:
            return None
        start, end = int(self.bounds[row]), int(self.bounds[row + 1])
        return self.vectors.read(start, end) if end - start == spans else None

    def chroma_dir(self) -> Path | None:
        """The embedded Chroma store to copy, or None (server collections are not copied)."""
        path = self.build / CHROMA_DIR
        return path if self.manifest.chroma == "embedded" and path.is_dir() else None
