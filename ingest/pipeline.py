"""The ingest entry point: sources -> parsed documents -> passages -> a switched-in index."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.embedder import Embedder, get_embedder
from assistant.index_schema import SCHEMA_VERSION, IndexManifest, IndexPaths
from assistant.progress import ProgressFn
from assistant.settings import Settings
from assistant.wording import counted
from ingest.bounded_parse import ParseLimits
from ingest.chunk import ChunkParams
from ingest.errors import IngestError
from ingest.index_writer import (
    discard,
    disk_full,
    new_build_id,
    prune_builds,
    space_error,
    switch_live,
    write_index,
)
from ingest.lock import ingest_lock
from ingest.parse_stage import ParsedSources, file_sha256, parse_stage, source_key
from ingest.previous import PreviousBuild
from ingest.sources import SourceFile, resolve_sources
from ingest.work import BuildWork, ingest_key


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


def hash_files(files: list[SourceFile]) -> list[str]:
    """Each file's sha256 ("" when unreadable: its parse then says why)."""
    hashes = []
    for source in files:
        try:
            hashes.append(file_sha256(source.path))
        except OSError:
            hashes.append("")
    return hashes


def describe(
    settings: Settings, corpus: str, files: list[SourceFile], hashes: list[str], embedder: str
) -> dict[str, object]:
    """Everything that decides a build's content: an ingest with the same description resumes
    the unfinished build it left."""
    return {
        "schema": SCHEMA_VERSION,
        "corpus": corpus,
        "embedder": embedder,
        "chunking": [settings.chunk_min_words, settings.chunk_max_words],
        "overlap": settings.chunk_overlap_words,
        "sources": [
            [str(f.path), f.kind, f.report_id, h] for f, h in zip(files, hashes, strict=True)
        ],
        "keys": [source_key(f, chunk_params(settings)) for f in files],
        "chroma": [settings.chroma_host, settings.chroma_port],
        "live": IndexPaths(settings.index_dir).live_build_id(),
    }


def chunk_params(settings: Settings) -> ChunkParams:
    return ChunkParams(
        settings.chunk_min_words, settings.chunk_max_words, settings.chunk_overlap_words
    )


def run_ingest(
    settings: Settings,
    names: list[str],
    *,
    embedder: Embedder | None = None,
    announce: Callable[[str], None] = print,
    progress: ProgressFn | None = None,
) -> IngestSummary:
    """Index the named sources (default: downloaded reports, else briefings) and switch. An
    unfinished build of the same ingest (killed, interrupted) is resumed where it stopped."""
    started = time.perf_counter()
    corpus, files = resolve_sources(settings, names)
    announce(f"Indexing the {corpus} corpus: {counted(len(files), 'file')}")
    embedder = embedder or get_embedder()
    with ingest_lock(settings.index_dir, announce):
        parsed, manifest = build_and_switch(settings, corpus, files, embedder, announce, progress)
    for reason in parsed.skipped:
        announce(f"Skipped {reason}")
    return IngestSummary(
        corpus=corpus,
        documents=len(parsed.records),
        pages=parsed.pages,
        passages=parsed.passages,
        embedded=manifest.embedded_passages,
        seconds=time.perf_counter() - started,
        manifest=manifest,
        skipped=parsed.skipped,
    )


def build_and_switch(
    settings: Settings,
    corpus: str,
    files: list[SourceFile],
    embedder: Embedder,
    announce: Callable[[str], None],
    progress: ProgressFn | None,
) -> tuple[ParsedSources, IndexManifest]:
    """Build (or resume) the index of `files`, make it live and prune older builds."""
    paths = IndexPaths(settings.index_dir)
    paths.builds.mkdir(parents=True, exist_ok=True)
    previous_id = paths.live_build_id()
    hashes = hash_files(files)
    key = ingest_key(describe(settings, corpus, files, hashes, embedder.name))
    work = BuildWork.open(paths, key, new_build_id())
    if work.resumed:
        announce(f"Resuming the unfinished build {work.build_id}")
    try:
        parsed, manifest = build(settings, work, corpus, files, hashes, embedder, progress)
        switch_live(paths, work.build_id)
    except Exception as exc:  # an interrupt (Ctrl-C) keeps the work for the next run
        discard(settings, work)
        if disk_full(exc):
            raise space_error(settings) from exc
        raise
    work.finish()
    prune_builds(settings, paths, keep={work.build_id, previous_id or work.build_id})
    return parsed, manifest


def build(
    settings: Settings,
    work: BuildWork,
    corpus: str,
    files: list[SourceFile],
    hashes: list[str],
    embedder: Embedder,
    progress: ProgressFn | None,
) -> tuple[ParsedSources, IndexManifest]:
    """Parse, embed and index into the work build, stage by stage."""
    previous = PreviousBuild.open(IndexPaths(settings.index_dir), embedder.name)
    limits = ParseLimits.from_settings(settings)
    parsed = parse_stage(
        work,
        corpus,
        files,
        hashes,
        chunk_params(settings),
        limits,
        previous,
        settings.parse_workers,
        progress,
    )
    if not parsed.passages:
        raise IngestError("; ".join(parsed.skipped) or "no passages: the sources contain no text")
    return parsed, write_index(settings, work, parsed, embedder, previous, progress)
