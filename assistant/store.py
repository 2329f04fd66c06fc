"""Reading the live index: passages, their vectors in Chroma, and the BM25 index."""

from __future__ import annotations

import json
import logging
import threading
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from assistant.bm25 import Bm25Index
from assistant.chroma import ChromaUnavailable, chroma_client
from assistant.embedder import EMBEDDER_NAME, embedder_name
from assistant.index_schema import (
    BM25_DIR,
    CHROMA_DIR,
    MANIFEST_FILE,
    PASSAGES_FILE,
    SCHEMA_VERSION,
    SENTENCE_ROWS_FILE,
    SENTENCES_FILE,
    IndexManifest,
    IndexPaths,
    Passage,
    passage_of,
)
from assistant.knowledge import CorpusKnowledge, knowledge_at
from assistant.settings import Settings
from assistant.spelling import Speller
from assistant.text_features import (
    content_terms,
    specific_terms,
    spelled_out,
    words,
)


class IndexUnavailable(Exception):
    """The index cannot be used; the message says why and what to run."""


class IndexNotFound(IndexUnavailable):
    """No index has been built yet."""


class IndexMismatch(IndexUnavailable):
    """The index was built by another embedder or schema version."""


class IndexDamaged(IndexUnavailable):
    """A file of the build is missing or unreadable."""


class VectorsUnreachable(IndexUnavailable):
    """The Chroma server does not answer; requests succeed again once it is back."""


def damaged(build: Path, exc: BaseException) -> IndexDamaged:
    """The one-line reason for an unreadable build, with the fix."""
    what = " ".join(str(exc).split())[:160] or type(exc).__name__
    return IndexDamaged(
        f"{build}: the index is damaged ({type(exc).__name__}: {what});"
        " rebuild it with `safeguarding ingest`"
    )


def read_manifest(build: Path) -> IndexManifest:
    try:
        return IndexManifest.model_validate_json((build / MANIFEST_FILE).read_text("utf-8"))
    except FileNotFoundError as exc:
        raise IndexNotFound(f"{build}: incomplete index build; run `safeguarding ingest`") from exc
    except ValueError as exc:
        raise IndexMismatch(
            f"{build}: unreadable index manifest (built by another version?);"
            " rebuild with `safeguarding ingest`"
        ) from exc


def check_compatible(manifest: IndexManifest, build: Path, embedder: str = EMBEDDER_NAME) -> None:
    """Refuse an index made with another schema, or with another embedder than `embedder`
    (the one that will encode the queries), with the fix in the message."""
    if manifest.schema_version != SCHEMA_VERSION:
        raise IndexMismatch(
            f"{build}: index schema {manifest.schema_version}, this version reads"
            f" {SCHEMA_VERSION} (sentence vectors are now memory-mapped .npy files);"
            " rebuild the index with `safeguarding ingest`"
        )
    if manifest.embedder != embedder:
        raise IndexMismatch(
            f"{build}: index built with embedder {manifest.embedder!r}, queries would be"
            f" encoded with {embedder!r} (SAFEGUARDING_EMBEDDER); set it to match or rebuild"
            " with `safeguarding ingest`"
        )


log = logging.getLogger(__name__)
EXACT_ROWS = 5_000  # a report filter over at most this many passages is searched exactly (20 ms)
# HNSW searches at least this wide (results asked of Chroma): on the large evaluation corpus 200
# missed nearest sentences that 800 found (hit@5 0.866 against 0.890, bench.retrieval_sweep)
MIN_SENTENCES = 800


@dataclass(frozen=True)
class SentenceSet:
    """A passage's sentences: their character spans in its text and their unit vectors."""

    spans: np.ndarray  # (n, 2) start, end
    vectors: np.ndarray  # (n, 384)

    def texts(self, passage: Passage) -> list[str]:
        return [passage.text[a:b] for a, b in self.spans.tolist()]


class IndexStore:
    """One opened, immutable index build."""

    def __init__(self, settings: Settings, build: Path) -> None:
        self.build = build
        self.settings = settings
        self.manifest = read_manifest(build)
        check_compatible(self.manifest, build, embedder_name(settings.embedder))
        try:
            self._load(build)
        except IndexUnavailable:
            raise
        except Exception as exc:  # numpy, json, bm25s and chromadb raise many types
            raise self.chroma_error(exc) if settings.chroma_host else damaged(build, exc) from exc

    def _load(self, build: Path) -> None:
        with (build / PASSAGES_FILE).open(encoding="utf-8") as lines:
            self.passages = [Passage.model_validate(json.loads(line)) for line in lines]
        self.rows = {p.id: i for i, p in enumerate(self.passages)}
        # memory-mapped read-only: workers serving the same build share one copy in the page cache
        vectors = np.asarray(np.load(build / SENTENCES_FILE, mmap_mode="r"))
        rows = np.asarray(np.load(build / SENTENCE_ROWS_FILE, mmap_mode="r"))
        if vectors.ndim != 2 or rows.shape != (len(vectors), 3):
            raise ValueError(f"sentence files disagree: {vectors.shape} vectors, {rows.shape} rows")
        owner, spans = rows[:, 0], np.ascontiguousarray(rows[:, 1:])
        bounds = np.searchsorted(owner, np.arange(len(self.passages) + 1))
        self._sentences = [
            SentenceSet(spans[a:b], vectors[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)
        ]
        self._vectors, self._bounds = vectors, bounds
        self._terms: dict[int, list[frozenset[str]]] = {}
        self._section_terms: dict[int, frozenset[str]] = {}
        self.bm25 = Bm25Index(build / BM25_DIR, len(self.passages))
        try:
            self.client: Any = chroma_client(self.settings, build / CHROMA_DIR)
        except ChromaUnavailable as exc:
            raise VectorsUnreachable(str(exc)) from exc
        self.collection: Any = self.client.get_collection(self.manifest.collection)
        self.vectors = int(self.collection.count())

    def chroma_error(self, exc: BaseException) -> IndexUnavailable:
        """Why a Chroma call failed: the server is down (transient) or the build is damaged."""
        if self.settings.chroma_host and not self.reachable():
            host = f"{self.settings.chroma_host}:{self.settings.chroma_port}"
            return VectorsUnreachable(
                f"the Chroma server at {host} does not answer; requests succeed again once it is"
                " back (start it with `chroma run`)"
            )
        return damaged(self.build, exc)

    def reachable(self) -> bool:
        """True unless the configured Chroma server fails its heartbeat."""
        if not self.settings.chroma_host:
            return True
        try:
            client = getattr(self, "client", None) or chroma_client(self.settings, Path())
            client.heartbeat()
        except Exception:
            return False
        return True

    def check(self) -> None:
        """Raise VectorsUnreachable when the Chroma server is down (for /health)."""
        if not self.reachable():
            raise self.chroma_error(ConnectionError("heartbeat failed"))

    @property
    def build_id(self) -> str:
        return self.manifest.build_id

    @cached_property
    def vocabulary(self) -> frozenset[str]:
        """Every lower-cased word of the corpus (passage text and headings), and the acronyms
        of the names it spells out."""
        texts = [f"{p.section} {p.text}" for p in self.passages]
        return frozenset(w for text in texts for w in words(text)) | set(self.acronyms)

    @cached_property
    def terms(self) -> frozenset[str]:
        """The content terms (stems) of every word in the vocabulary."""
        return frozenset(content_terms(" ".join(sorted(self.vocabulary))))

    @cached_property
    def acronyms(self) -> dict[str, str]:
        """Each acronym of a name the corpus spells out, with its most frequent spelling."""
        counts = Counter(
            pair for p in self.passages for pair in spelled_out(f"{p.section} {p.text}").items()
        )
        names: dict[str, str] = {}
        for (acronym, name), _ in counts.most_common():
            names.setdefault(acronym, name)
        return names

    @cached_property
    def term_passages(self) -> Counter[str]:
        """In how many passages each content term occurs (for weighting a question's words)."""
        counts: Counter[str] = Counter()
        for p in self.passages:
            counts.update(frozenset().union(*self.sentence_terms(p.id)))
        return counts

    @cached_property
    def speller(self) -> Speller:
        """Corrects a question's typos against the corpus's own words."""
        counts = self.term_passages
        return Speller(self.vocabulary, lambda w: counts.get(next(iter(content_terms(w)), w), 0))

    @cached_property
    def knowledge(self) -> CorpusKnowledge:
        """What the corpus manifest says about the reports (names, leads, glossary)."""
        return knowledge_at(self.settings.manifest_path)

    @cached_property
    def specifics(self) -> frozenset[str]:
        """Every year range and figure the corpus states, normalised."""
        return frozenset(t for p in self.passages for t in specific_terms(p.text))

    def passage(self, passage_id: str) -> Passage | None:
        row = self.rows.get(passage_id)
        return None if row is None else self.passages[row]

    def sentences(self, passage_id: str) -> SentenceSet:
        """The passage's sentences with the vectors computed at ingest."""
        return self._sentences[self.rows[passage_id]]

    def sentence_terms(self, passage_id: str) -> list[frozenset[str]]:
        """Each sentence's content terms (`content_terms`), its acronyms spelled out as they
        were for embedding, worked out once per passage: every answer scores each retrieved
        sentence's words against the question."""
        row = self.rows[passage_id]
        terms = self._terms.get(row)
        if terms is None:
            texts = self._sentences[row].texts(self.passages[row])
            spell = self.knowledge.spell_out
            terms = self._terms[row] = [frozenset(content_terms(spell(t))) for t in texts]
        return terms

    def neighbours(self, passage_id: str) -> tuple[Passage | None, Passage | None]:
        """The passages just before and after this one in the same document."""
        row = self.rows[passage_id]
        doc = self.passages[row].doc_id
        before = self.passages[row - 1] if row > 0 else None
        after = self.passages[row + 1] if row + 1 < len(self.passages) else None
        return (
            before if before and before.doc_id == doc else None,
            after if after and after.doc_id == doc else None,
        )

    def report_ids(self) -> list[str]:
        """The indexed reports in index order (every request checks its ids against them)."""
        return list(self.report_rows)

    @cached_property
    def report_titles(self) -> tuple[str, ...]:
        """The indexed reports' titles, sorted; worked out once, not on every request."""
        rows = self.report_rows.values()
        return tuple(sorted({self.passages[found[0]].report_title for found in rows}))

    @cached_property
    def title_specifics(self) -> frozenset[str]:
        """Periods and figures in the reports' own titles ("2014-17")."""
        return frozenset(t for title in self.report_titles for t in specific_terms(title))

    def section_terms(self, passage_id: str) -> frozenset[str]:
        """The content terms of the passage's heading path, worked out once per passage:
        retrieval scores every fused candidate's heading against the query."""
        row = self.rows[passage_id]
        terms = self._section_terms.get(row)
        if terms is None:
            terms = self._section_terms[row] = frozenset(content_terms(self.passages[row].section))
        return terms

    def dense(
        self,
        vector: np.ndarray,
        k: int,
        report_ids: list[str] | None = None,
        sentences_per_passage: int = 8,
    ) -> list[tuple[str, float]]:
        """Nearest passages by their best sentence's cosine similarity: (id, similarity).
        Asks for `sentences_per_passage` * k sentences (at least MIN_SENTENCES), so that enough
        distinct passages come back and the approximate (HNSW) search looks wide enough not to
        miss the best.
        `report_ids` None searches every report; an empty list, none."""
        if report_ids is not None and not report_ids:
            return []
        if report_ids and len(rows := self.rows_of(report_ids)) <= EXACT_ROWS:
            return self.exact_dense(vector, k, rows)
        where = {"report_id": {"$in": report_ids}} if report_ids else None
        asked = min(max(sentences_per_passage * k, MIN_SENTENCES), self.vectors)
        try:
            result = self.collection.query(
                query_embeddings=[vector.tolist()],
                n_results=asked,
                where=where,
                include=["distances"],  # ids name the passage; metadata would cost 4x the time
            )
        except Exception as exc:  # a stopped server or a damaged embedded store
            raise self.chroma_error(exc) from exc
        if where is None and len(result["ids"][0]) < asked:
            # HNSW stopped short: the query reached a part of the graph cut off from the rest
            # (repeated headers and footers give many equal vectors), so its results are not
            # the nearest (at 1,000 reports: 387 of 2,496 asked, best cosine 0.48 for 0.73)
            log.warning(
                "vector search returned %d of %d: searching exactly", len(result["ids"][0]), asked
            )
            return self.exact_dense(vector, k, np.arange(len(self.passages)))
        best: dict[str, float] = {}
        for vid, dist in zip(result["ids"][0], result["distances"][0], strict=True):
            best.setdefault(passage_of(vid), 1.0 - float(dist))  # results come best first
        return list(best.items())[:k]

    def exact_dense(self, vector: np.ndarray, k: int, rows: np.ndarray) -> list[tuple[str, float]]:
        """`dense` over the given passages' sentence vectors by brute force: exact, and faster
        than Chroma's `where` filter when they are few (that scans metadata: 225 ms a query at
        1,000 reports, against a few ms here)."""
        lengths = self._bounds[rows + 1] - self._bounds[rows]
        rows, lengths = rows[lengths > 0], lengths[lengths > 0]
        if not len(rows):
            return []
        offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        first, last = self._bounds[rows[0]], self._bounds[rows[-1] + 1]
        if last - first == lengths.sum():  # contiguous (one report, or all): a view, no copy
            vectors = self._vectors[first:last]
        else:
            picked = np.repeat(self._bounds[rows] - offsets, lengths) + np.arange(lengths.sum())
            vectors = self._vectors[picked]
        best = np.maximum.reduceat(vectors @ vector, offsets)
        order = np.argsort(-best, kind="stable")[:k]
        return [(self.passages[rows[i]].id, float(best[i])) for i in order]

    def rows_of(self, report_ids: list[str]) -> np.ndarray:
        """The passage rows of these reports, in index order."""
        found = [self.report_rows[r] for r in report_ids if r in self.report_rows]
        return np.sort(np.concatenate(found)) if found else np.zeros(0, dtype=np.intp)

    @cached_property
    def report_rows(self) -> dict[str, np.ndarray]:
        """Each report id's passage rows, so a filter's BM25 mask costs one write per report."""
        rows: dict[str, list[int]] = {}
        for row, passage in enumerate(self.passages):
            rows.setdefault(passage.report_id, []).append(row)
        return {rid: np.array(found, dtype=np.intp) for rid, found in rows.items()}

    def lexical(
        self, query: str, k: int, report_ids: list[str] | None = None
    ) -> list[tuple[str, float]]:
        """Best BM25 matches: (id, score); `report_ids` as for `dense`."""
        mask = None
        if report_ids is not None:
            mask = np.zeros(len(self.passages), dtype=np.float32)
            for rid in report_ids:
                if (rows := self.report_rows.get(rid)) is not None:
                    mask[rows] = 1.0
            if not mask.any():
                return []
        return [(self.passages[row].id, score) for row, score in self.bm25.query(query, k, mask)]


_lock = threading.Lock()
_open: dict[str, IndexStore] = {}


def open_store(settings: Settings) -> IndexStore:
    """The live build, opened once per process and reopened when `current` changes."""
    paths = IndexPaths(settings.index_dir)
    attempts = 3
    while True:
        build_id = paths.live_build_id()
        if build_id is None:
            raise IndexNotFound(
                f"no index in {settings.index_dir}; build one with `safeguarding ingest`"
            )
        try:
            return _opened(settings, paths, build_id)
        except IndexUnavailable:
            attempts -= 1
            # an ingest may have switched builds and pruned this one while it opened
            if attempts == 0 or paths.live_build_id() == build_id:
                raise


def _opened(settings: Settings, paths: IndexPaths, build_id: str) -> IndexStore:
    key = f"{paths.root.resolve()}::{build_id}::{settings.chroma_host}"
    with _lock:
        if key not in _open:
            store = IndexStore(settings, paths.build(build_id))
            _open.clear()
            _open[key] = store
        return _open[key]
