"""Write a complete index build beside the live one, then switch to it atomically.

Embeddings of passages whose id is already in the live build are reused, so an unchanged
source is never embedded twice. A failed build is removed and the live index is untouched.
"""

from __future__ import annotations

import errno
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
    MANIFEST_FILE,
    PASSAGES_FILE,
    SCHEMA_VERSION,
    SENTENCES_FILE,
    IndexManifest,
    IndexPaths,
    Passage,
    SourceRecord,
    embedding_text,
    vector_id,
)
from assistant.sentences import sentence_spans
from assistant.settings import Settings
from ingest.errors import IngestError

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int], None]  # (done, total) passages embedded


def load_reusable(paths: IndexPaths, embedder: Embedder, filename: str) -> dict[str, np.ndarray]:
    """Vectors saved in `filename` of the live build, by passage id, if compatible."""
    live = paths.live_build_id()
    if live is None:
        return {}
    build = paths.build(live)
    try:
        manifest = IndexManifest.model_validate_json((build / MANIFEST_FILE).read_text())
        if manifest.embedder != embedder.name or manifest.schema_version != SCHEMA_VERSION:
            return {}
        ids = [json.loads(line)["id"] for line in (build / PASSAGES_FILE).open(encoding="utf-8")]
        with np.load(build / filename) as saved:
            vectors, owner = saved["vectors"], saved["owner"]
    except (OSError, ValueError, KeyError):
        return {}  # an unreadable live build: embed everything again
    return {pid: vectors[owner == row] for row, pid in enumerate(ids)}


def embed_units(
    passages: list[Passage],
    units: list[list[str]],
    embedder: Embedder,
    reuse: dict[str, np.ndarray],
    batch_size: int,
    progress: ProgressFn | None = None,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Vectors for each passage's units (its sentences), reusing those of unchanged passages:
    the stacked vectors, the passage row of each, and how many passages were new."""
    todo = [i for i, p in enumerate(passages) if p.id not in reuse]
    texts = [(i, text) for i in todo for text in units[i]]
    # Encode in order of length so each batch pads little (measured: bench/ingest.py).
    order = sorted(range(len(texts)), key=lambda j: len(texts[j][1]))
    encoded = np.zeros((len(texts), embedder.dimension), dtype=np.float32)
    step = batch_size * 8
    for start in range(0, len(order), step):
        chunk = order[start : start + step]
        encoded[chunk] = embedder.encode([texts[j][1] for j in chunk])
        if progress:
            progress(min(start + step, len(order)), len(order))
    fresh: dict[int, list[np.ndarray]] = {i: [] for i in todo}
    for (i, _), vector in zip(texts, encoded, strict=True):
        fresh[i].append(vector)
    empty = np.zeros((0, embedder.dimension), dtype=np.float32)
    parts = [
        (np.stack(fresh[i]) if fresh[i] else empty) if i in fresh else reuse[p.id]
        for i, p in enumerate(passages)
    ]
    owner = np.concatenate([np.full(len(v), i, dtype=np.int32) for i, v in enumerate(parts)])
    return np.concatenate(parts).astype(np.float32), owner, len(todo)


def embed_sentences(
    passages: list[Passage],
    embedder: Embedder,
    reuse: dict[str, np.ndarray],
    batch_size: int,
    progress: ProgressFn | None = None,
) -> tuple[dict[str, np.ndarray], int]:
    """Sentence vectors, passage rows and character spans, and how many passages were new."""
    spans = [sentence_spans(p.text) for p in passages]
    units = [[p.text[a:b] for a, b in s] for p, s in zip(passages, spans, strict=True)]
    vectors, owner, embedded = embed_units(passages, units, embedder, reuse, batch_size, progress)
    flat = [span for s in spans for span in s]
    spans_array = np.array(flat, dtype=np.int32).reshape(-1, 2)
    return {"vectors": vectors, "owner": owner, "spans": spans_array}, embedded


def write_chroma(
    client: Any, collection: str, passages: list[Passage], vectors: np.ndarray, owner: np.ndarray
) -> None:
    """Add every sentence vector, tagged with its passage, to a new collection."""
    coll = client.create_collection(
        collection, embedding_function=None, metadata={"hnsw:space": "cosine"}
    )
    step = max(1, min(int(client.get_max_batch_size()), 1000))
    seen: dict[int, int] = {}
    ids: list[str] = []
    for row in owner.tolist():
        seen[row] = seen.get(row, -1) + 1
        ids.append(vector_id(passages[row].id, seen[row]))
    for start in range(0, len(ids), step):
        rows = owner[start : start + step].tolist()
        coll.add(
            ids=ids[start : start + step],
            embeddings=vectors[start : start + step],
            metadatas=[
                {"passage_id": passages[r].id, "report_id": passages[r].report_id} for r in rows
            ],
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
        batch = settings.embed_batch_size
        reuse = load_reusable(paths, embedder, SENTENCES_FILE)
        sentences, embedded = embed_sentences(passages, embedder, reuse, batch, progress)
        with (build / PASSAGES_FILE).open("w", encoding="utf-8") as out:
            for p in passages:
                out.write(p.model_dump_json() + "\n")
        np.savez(
            build / SENTENCES_FILE,
            vectors=sentences["vectors"],
            owner=sentences["owner"],
            spans=sentences["spans"],
        )
        (build / BM25_DIR).mkdir()
        build_bm25([embedding_text(p) for p in passages], build / BM25_DIR)
        write_chroma(client, collection, passages, sentences["vectors"], sentences["owner"])
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
        switch_live(paths, build_id)
    except BaseException as exc:
        shutil.rmtree(build, ignore_errors=True)
        drop_collection(settings, collection)
        if disk_full(exc):
            raise IngestError(
                f"no space left on the device holding {settings.data_dir} while writing the new"
                " index; free some space and run `safeguarding ingest` again"
            ) from exc
        raise
    prune_builds(settings, paths, keep={build_id, previous or build_id})
    return manifest
