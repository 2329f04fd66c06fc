"""The index's on-disk shape, shared by `ingest` (writes) and `assistant` (reads).

Layout under <data_dir>/index/:
    current                 name of the live build (replaced atomically to switch)
    builds/<build>/         one complete build: manifest.json (written last), passages.jsonl,
                            sentences.npy (sentence vectors), sentence_rows.npy (passage row and
                            character span of each), bm25/, chroma/ (embedded mode); while the
                            build is unfinished, work/ records how far it got (ingest resumes)

The .npy files are plain arrays so that every serving worker memory-maps them read-only.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

SCHEMA_VERSION = 2  # 2: sentence vectors in .npy files (memory-mapped), not sentences.npz
# Passages are embedded sentence by sentence: all-MiniLM-L6-v2 reads only 256 word pieces (about
# 175 words), and sentence vectors serve dense search (a passage scores by its best sentence),
# answer composition and the support judge, so each word is encoded once.
COLLECTION_PREFIX = "passages"


def vector_id(passage_id: str, n: int) -> str:
    """The Chroma id of a passage's n-th sentence vector: it names the passage, so a query
    needs no metadata fetch to know which passage a vector belongs to."""
    return f"{passage_id}:{n}"


def passage_of(vector: str) -> str:
    """The passage id inside a `vector_id`."""
    return vector.rsplit(":", 1)[0]


SourceKind = Literal["report", "briefing", "document"]


def pages_label(start: int | None, end: int | None, kind: SourceKind) -> str:
    """'p. 12', 'pp. 12-13' or '' when the source has no pages. A briefing's `<!-- page: N -->`
    marks where the report's chapter starts, not the quoted sentence's page, so it says that."""
    if start is None:
        return ""
    if kind == "briefing":
        return f"chapter starts on p. {start} of the report"
    if end is None or end == start:
        return f"p. {start}"
    return f"pp. {start}-{end}"


class Passage(BaseModel):
    """One retrievable passage: the contract in ARCHITECTURE.md plus provenance fields."""

    id: str
    report_id: str
    report_title: str
    section: str
    page_start: int | None
    page_end: int | None
    text: str
    url: str | None = None
    source_kind: SourceKind = "document"
    doc_id: str = ""  # the source file's id; passages of one doc share it
    ordinal: int = 0  # position within its document, for neighbouring passages

    @property
    def pages_label(self) -> str:
        return pages_label(self.page_start, self.page_end, self.source_kind)


class SourceRecord(BaseModel):
    """One source file in a build: what it was, its checksum, and how many passages it gave."""

    doc_id: str
    path: str
    sha256: str
    report_id: str
    kind: SourceKind
    pages: int
    passages: int
    source_key: str = ""  # what else decides its passages (owner, chunking): reuse needs both


class IndexManifest(BaseModel):
    """Written last into a build: what produced it, so a reader can refuse a mismatch."""

    schema_version: int = SCHEMA_VERSION
    build_id: str
    built_at: datetime
    embedder: str
    dimension: int
    chunking: dict[str, int]
    corpus: Literal["reports", "briefings", "mixed", "custom"]
    sources: list[SourceRecord]
    passages: int
    collection: str
    chroma: Literal["embedded", "server"] = "embedded"
    seconds: float = 0.0
    embedded_passages: int = Field(0, description="How many passages were embedded (not reused).")
    embedded_sentences: int = Field(0, description="How many sentences were embedded.")


def embedding_text(passage: Passage) -> str:
    """What BM25 indexes: the heading path gives the text its context."""
    return f"{passage.section}\n{passage.text}" if passage.section else passage.text


def passage_id(doc_id: str, section: str, text: str, occurrence: int = 0) -> str:
    """Stable id: the same source and the same text give the same id across builds."""
    key = f"{doc_id}\x1f{section}\x1f{' '.join(text.split())}\x1f{occurrence}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


class IndexPaths:
    """Where each part of the index lives under the data dir."""

    def __init__(self, index_dir: Path) -> None:
        self.root = index_dir
        self.current_file = index_dir / "current"
        self.builds = index_dir / "builds"

    def build(self, build_id: str) -> Path:
        return self.builds / build_id

    def live_build_id(self) -> str | None:
        """The live build's id, or None when no index has been built."""
        try:
            name = self.current_file.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return name or None


MANIFEST_FILE = "manifest.json"
PASSAGES_FILE = "passages.jsonl"
SENTENCES_FILE = "sentences.npy"  # float32 (sentences, dimension), unit vectors
SENTENCE_ROWS_FILE = "sentence_rows.npy"  # int32 (sentences, 3): passage row, start, end
WORK_DIR = "work"
BM25_DIR = "bm25"
CHROMA_DIR = "chroma"
