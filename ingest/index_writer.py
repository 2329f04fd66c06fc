"""Write a complete index build beside the live one, then switch to it atomically.

The build goes in stages (embed, BM25, Chroma, manifest), each recorded in its work folder as
it finishes, so a killed ingest resumes at the stage it stopped in. Embeddings of passages
whose id is already in the live build are reused, so an unchanged source is never embedded
twice. A failed build is removed and the live index is untouched.
"""

from __future__ import annotations

import errno
import logging
import os
import secrets
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

from assistant.bm25 import build_bm25
from assistant.chroma import chroma_client
from assistant.embedder import Embedder
from assistant.index_schema import (
    BM25_DIR,
    COLLECTION_PREFIX,
    MANIFEST_FILE,
    PASSAGES_FILE,
    IndexManifest,
    IndexPaths,
    embedding_text,
)
from assistant.progress import ProgressFn
from assistant.settings import Settings
from ingest.chroma_stage import chroma_stage
from ingest.embed_stage import embed_stage, iter_passages
from ingest.errors import IngestError
from ingest.parse_stage import ParsedSources
from ingest.previous import PreviousBuild
from ingest.work import BuildWork, write_atomic

log = logging.getLogger(__name__)


def drop_collection(settings: Settings, collection: str) -> None:
    """Remove a server-side collection (embedded collections go with their build folder)."""
    if not settings.chroma_host:
        return
    try:
        chroma_client(settings, Path()).delete_collection(collection)
    except Exception as exc:  # cleanup is best effort; the build is already switched or discarded
        log.warning("could not drop Chroma collection %s: %s", collection, exc)


def switch_live(paths: IndexPaths, build_id: str) -> None:
    """Point `current` at the new build in one atomic rename."""
    tmp = paths.root / f".current.{build_id}"
    try:
        tmp.write_text(build_id + "\n", encoding="utf-8")
        os.replace(tmp, paths.current_file)
    finally:
        tmp.unlink(missing_ok=True)


def prune_builds(settings: Settings, paths: IndexPaths, keep: set[str]) -> None:
    """Delete builds other than `keep` (the new one and the one it replaced)."""
    for build in paths.builds.iterdir():
        if build.name in keep or not build.is_dir():
            continue
        manifest = build / MANIFEST_FILE
        if manifest.exists():
            try:
                old = IndexManifest.model_validate_json(manifest.read_text())
                if old.chroma == "server":
                    drop_collection(settings, old.collection)
            except ValueError:
                pass
        shutil.rmtree(build, ignore_errors=True)


def disk_full(exc: BaseException) -> bool:
    """True when `exc`, or what caused it, says the disk (or a file-size limit) is full."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            return True
        text = str(seen).lower()
        if "no space left" in text or "disk is full" in text:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def new_build_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)


def build_lexical(work: BuildWork) -> None:
    """The BM25 index, from the passages streamed off disk."""
    if work.done("bm25"):
        return
    target = work.build / BM25_DIR
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir()
    build_bm25((embedding_text(p) for p in iter_passages(work.build / PASSAGES_FILE)), target)
    work.mark("bm25")


def write_index(
    settings: Settings,
    work: BuildWork,
    parsed: ParsedSources,
    embedder: Embedder,
    previous: PreviousBuild | None,
    progress: ProgressFn | None = None,
) -> IndexManifest:
    """Embed, index and write the manifest of a build whose passages.jsonl is written; the
    switch is left to the caller."""
    started = time.perf_counter()
    if work.complete:
        return IndexManifest.model_validate_json((work.build / MANIFEST_FILE).read_text())
    if settings.chroma_host:
        chroma_client(settings, Path())  # fails fast if the server is down
    embedded = embed_stage(work, previous, embedder, parsed.pages, progress)
    build_lexical(work)
    collection = chroma_stage(settings, work, previous, progress)
    manifest = IndexManifest(
        build_id=work.build_id,
        built_at=datetime.now(UTC),
        embedder=embedder.name,
        dimension=embedder.dimension,
        chunking={
            "min_words": settings.chunk_min_words,
            "max_words": settings.chunk_max_words,
            "overlap_words": settings.chunk_overlap_words,
        },
        corpus=parsed.corpus,  # type: ignore[arg-type]
        sources=parsed.records,
        passages=parsed.passages,
        collection=collection,
        chroma="server" if settings.chroma_host else "embedded",
        seconds=round(time.perf_counter() - started, 2),
        embedded_passages=embedded.passages,
        embedded_sentences=embedded.sentences,
    )
    write_atomic(work.build / MANIFEST_FILE, manifest.model_dump_json(indent=2))
    return manifest


def discard(settings: Settings, work: BuildWork) -> None:
    """Remove a failed build and its server collection (the live index is untouched)."""
    shutil.rmtree(work.build, ignore_errors=True)
    drop_collection(settings, f"{COLLECTION_PREFIX}-{work.build_id}")


def space_error(settings: Settings) -> IngestError:
    return IngestError(
        f"no space left on the device holding {settings.data_dir} while writing the new"
        " index; free some space and run `safeguarding ingest` again"
    )
