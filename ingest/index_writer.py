"""Write a complete index build beside the live one, then switch to it atomically.

Embeddings of passages whose id is already in the live build are reused, so an unchanged
source is never embedded twice. A failed build is removed and the live index is untouched.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from assistant.bm25 import build_bm25
from assistant.chroma import chroma_client
from assistant.embedder import Embedder
from assistant.index_schema import (
    BM25_DIR,
    CHROMA_DIR,
    COLLECTION_PREFIX,
    EMBEDDINGS_FILE,
    MANIFEST_FILE,
    PASSAGES_FILE,
    SCHEMA_VERSION,
    IndexManifest,
    IndexPaths,
    Passage,
    SourceRecord,
)
from assistant.settings import Settings

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int], None]  # (done, total) passages embedded


def embedding_text(passage: Passage) -> str:
    """What is embedded and BM25-indexed: the heading path gives the text its context."""
    return f"{passage.section}\n{passage.text}" if passage.section else passage.text


def load_reusable(paths: IndexPaths, embedder: Embedder) -> dict[str, np.ndarray]:
    """Vectors of the live build by passage id, when it used the same embedder and schema."""
    live = paths.live_build_id()
    if live is None:
        return {}
    build = paths.build(live)
    try:
        manifest = IndexManifest.model_validate_json((build / MANIFEST_FILE).read_text())
        if manifest.embedder != embedder.name or manifest.schema_version != SCHEMA_VERSION:
            return {}
        ids = [json.loads(line)["id"] for line in (build / PASSAGES_FILE).open(encoding="utf-8")]
        vectors = np.load(build / EMBEDDINGS_FILE)
    except (OSError, ValueError, KeyError):
        return {}  # an unreadable live build: embed everything again
    return dict(zip(ids, vectors, strict=False))


def embed_passages(
    passages: list[Passage],
    embedder: Embedder,
    reuse: dict[str, np.ndarray],
    batch_size: int,
    progress: ProgressFn | None = None,
) -> tuple[np.ndarray, int]:
    """One vector per passage (reused where possible) and how many were newly embedded."""
    vectors = np.zeros((len(passages), embedder.dimension), dtype=np.float32)
    todo = [i for i, p in enumerate(passages) if p.id not in reuse]
    for i, p in enumerate(passages):
        if p.id in reuse:
            vectors[i] = reuse[p.id]
    for start in range(0, len(todo), batch_size):
        batch = todo[start : start + batch_size]
        vectors[batch] = embedder.encode([embedding_text(passages[i]) for i in batch])
        if progress:
            progress(min(start + batch_size, len(todo)), len(todo))
    return vectors, len(todo)


def _chroma_metadata(p: Passage) -> dict[str, Any]:
    return {"report_id": p.report_id, "doc_id": p.doc_id, "source_kind": p.source_kind}


def write_chroma(
    client: Any, collection: str, passages: list[Passage], vectors: np.ndarray
) -> None:
    """Add every passage with its vector to a new collection (embedded or on the server)."""
    coll = client.create_collection(
        collection, embedding_function=None, metadata={"hnsw:space": "cosine"}
    )
    step = max(1, min(int(client.get_max_batch_size()), 1000))
    for start in range(0, len(passages), step):
        chunk = passages[start : start + step]
        coll.add(
            ids=[p.id for p in chunk],
            embeddings=vectors[start : start + step],
            documents=[p.text for p in chunk],
            metadatas=[_chroma_metadata(p) for p in chunk],
        )


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
    tmp.write_text(build_id + "\n", encoding="utf-8")
    os.replace(tmp, paths.current_file)


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


def new_build_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)


def write_index(
    settings: Settings,
    passages: list[Passage],
    sources: list[SourceRecord],
    corpus: str,
    embedder: Embedder,
    progress: ProgressFn | None = None,
) -> IndexManifest:
    """Build, verify and switch in a new index; on any failure the live index stays as it was."""
    started = time.perf_counter()
    paths = IndexPaths(settings.index_dir)
    paths.builds.mkdir(parents=True, exist_ok=True)
    previous = paths.live_build_id()
    build_id = new_build_id()
    build = paths.build(build_id)
    collection = f"{COLLECTION_PREFIX}-{build_id}"
    build.mkdir()
    try:
        client = chroma_client(settings, build / CHROMA_DIR)  # fails fast if the server is down
        reuse = load_reusable(paths, embedder)
        vectors, embedded = embed_passages(
            passages, embedder, reuse, settings.embed_batch_size, progress
        )
        with (build / PASSAGES_FILE).open("w", encoding="utf-8") as out:
            for p in passages:
                out.write(p.model_dump_json() + "\n")
        np.save(build / EMBEDDINGS_FILE, vectors)
        (build / BM25_DIR).mkdir()
        build_bm25([embedding_text(p) for p in passages], build / BM25_DIR)
        write_chroma(client, collection, passages, vectors)
        manifest = IndexManifest(
            build_id=build_id,
            built_at=datetime.now(UTC),
            embedder=embedder.name,
            dimension=embedder.dimension,
            chunking={
                "min_words": settings.chunk_min_words,
                "max_words": settings.chunk_max_words,
                "overlap_words": settings.chunk_overlap_words,
            },
            corpus=corpus,  # type: ignore[arg-type]
            sources=sources,
            passages=len(passages),
            collection=collection,
            chroma="server" if settings.chroma_host else "embedded",
            seconds=round(time.perf_counter() - started, 2),
            embedded_passages=embedded,
        )
        (build / MANIFEST_FILE).write_text(manifest.model_dump_json(indent=2), encoding="utf-8")
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        drop_collection(settings, collection)
        raise
    switch_live(paths, build_id)
    prune_builds(settings, paths, keep={build_id, previous or build_id})
    return manifest
