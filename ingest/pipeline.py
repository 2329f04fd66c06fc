"""The ingest entry point: sources -> parsed documents -> passages -> a switched-in index."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from assistant.embedder import Embedder, get_embedder
from assistant.index_schema import IndexManifest, Passage, SourceRecord
from assistant.settings import Settings
from assistant.wording import counted
from ingest.bounded_parse import ParseLimits, parse_bounded
from ingest.chunk import ChunkParams, ChunkSource, chunk_blocks
from ingest.document import ParsedDocument
from ingest.errors import IngestError
from ingest.index_writer import ProgressFn, write_index
from ingest.sources import SourceFile, resolve_sources, slug


@dataclass
class IngestSummary:
    """What an ingest did, for the closing line."""

    corpus: str
    documents: int
    pages: int
    passages: int
    embedded: int
    seconds: float
    manifest: IndexManifest
    skipped: list[str] = field(default_factory=list)  # one reason per file left out

    def line(self) -> str:
        counts = f"{counted(self.documents, 'document')}, {counted(self.pages, 'page')}"
        passages = f"{counted(self.passages, 'passage')} ({self.embedded} newly embedded)"
        left_out = f"; {counted(len(self.skipped), 'file')} skipped" if self.skipped else ""
        return f"Indexed {counts}, {passages} in {self.seconds:.1f} s{left_out}"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def chunk_source(source: SourceFile, doc: ParsedDocument) -> ChunkSource:
    """Who a document's passages belong to: manifest reports, briefings' front matter, else file."""
    meta = doc.metadata
    if source.report_id:
        return ChunkSource(
            doc_id=source.report_id,
            report_id=source.report_id,
            report_title=source.report_title or doc.title,
            kind=source.kind,
            url=source.url,
        )
    kind = "briefing" if meta.get("kind") == "briefing" else source.kind
    based_on = meta.get("based_on")
    report_id = based_on if isinstance(based_on, str) else slug(source.path.stem)
    return ChunkSource(
        doc_id=str(meta.get("id") or slug(source.path.stem)),
        report_id=report_id,
        report_title=doc.title,
        kind=kind,
    )


@dataclass
class Parsed:
    """Every file's passages and record, and the reason for each file left out."""

    passages: list[Passage] = field(default_factory=list)
    records: list[SourceRecord] = field(default_factory=list)
    pages: int = 0
    skipped: list[str] = field(default_factory=list)


def parse_all(files: list[SourceFile], params: ChunkParams, limits: ParseLimits) -> Parsed:
    """Parse and chunk every file before the index is touched. A file that cannot be parsed
    within the bounds is left out with its reason; the others go on."""
    parsed = Parsed()
    for source in files:
        try:
            doc = parse_bounded(source.path, limits)
        except IngestError as exc:
            parsed.skipped.append(str(exc))
            continue
        owner = chunk_source(source, doc)
        if owner.kind == "briefing" and not doc.metadata.get("notice"):
            raise IngestError(f"{source.path}: a briefing must open with its notice blockquote")
        doc_passages = chunk_blocks(doc.blocks, owner, params)
        if any(r.doc_id == owner.doc_id for r in parsed.records):
            raise IngestError(f"{source.path}: duplicate document id {owner.doc_id!r}")
        parsed.records.append(
            SourceRecord(
                doc_id=owner.doc_id,
                path=str(source.path),
                sha256=file_sha256(source.path),
                report_id=owner.report_id,
                kind=owner.kind,
                pages=doc.page_count,
                passages=len(doc_passages),
            )
        )
        parsed.passages += doc_passages
        parsed.pages += doc.page_count
    return parsed


def run_ingest(
    settings: Settings,
    names: list[str],
    *,
    embedder: Embedder | None = None,
    announce: Callable[[str], None] = print,
    progress: ProgressFn | None = None,
) -> IngestSummary:
    """Index the named sources (default: downloaded reports, else briefings) and switch."""
    started = time.perf_counter()
    corpus, files = resolve_sources(settings, names)
    announce(f"Indexing the {corpus} corpus: {counted(len(files), 'file')}")
    params = ChunkParams(
        settings.chunk_min_words, settings.chunk_max_words, settings.chunk_overlap_words
    )
    parsed = parse_all(files, params, ParseLimits.from_settings(settings))
    for reason in parsed.skipped:
        announce(f"Skipped {reason}")
    if not parsed.passages:
        raise IngestError("; ".join(parsed.skipped) or "no passages: the sources contain no text")
    manifest = write_index(
        settings, parsed.passages, parsed.records, corpus, embedder or get_embedder(), progress
    )
    return IngestSummary(
        corpus=corpus,
        documents=len(parsed.records),
        pages=parsed.pages,
        passages=len(parsed.passages),
        embedded=manifest.embedded_passages,
        seconds=time.perf_counter() - started,
        manifest=manifest,
        skipped=parsed.skipped,
    )
