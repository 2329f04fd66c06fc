"""Chunking: sentence-aligned passages of about 150-300 words that never cross a section.

Sentences come from the shared splitter (llama-index Punkt). The packing is hand-rolled rather
than llama-index's SentenceSplitter because every sentence must keep its page number, so each
passage gets exact page_start/page_end, and because sections are balanced into even passages
instead of leaving a short remainder.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import groupby

from assistant.index_schema import Passage, SourceKind, passage_id
from assistant.sentences import split_sentences
from ingest.document import Block


@dataclass(frozen=True)
class ChunkParams:
    min_words: int = 150
    max_words: int = 300
    overlap_words: int = 30


@dataclass(frozen=True)
class ChunkSource:
    """Who the passages belong to: filled into every passage of one document."""

    doc_id: str
    report_id: str
    report_title: str
    kind: SourceKind
    url: str | None = None  # base address; reports get "#page=N" appended


@dataclass(frozen=True)
class _Sentence:
    text: str
    page: int | None
    physical_page: int | None
    block: int
    words: int


def _sentences(blocks: list[tuple[int, Block]]) -> list[_Sentence]:
    out: list[_Sentence] = []
    for index, block in blocks:
        for sentence in split_sentences(block.text):
            words = sentence.split()
            # An over-long "sentence" (a table row run, a list without stops) is cut by words.
            for start in range(0, len(words), 120):
                piece = " ".join(words[start : start + 120])
                size = len(piece.split())
                out.append(_Sentence(piece, block.page, block.physical_page, index, size))
    return out


def _pack(sentences: list[_Sentence], params: ChunkParams) -> list[list[_Sentence]]:
    """Group sentences into balanced chunks, each next chunk starting with a small overlap."""
    total = sum(s.words for s in sentences)
    step = params.max_words - params.overlap_words  # new words a passage can add after overlap
    target = total / max(1, math.ceil(max(total - params.overlap_words, 1) / step))
    chunks: list[list[_Sentence]] = []
    current: list[_Sentence] = []
    fresh: list[_Sentence] = []  # the sentences of `current` that are not overlap
    for sentence in sentences:
        size = sum(s.words for s in current)
        fresh_words = sum(s.words for s in fresh)
        if fresh and (size + sentence.words > params.max_words or fresh_words >= target):
            chunks.append(current)
            current, fresh = _overlap(current, params.overlap_words), []
        current.append(sentence)
        fresh.append(sentence)
    if chunks and sum(s.words for s in fresh) < params.min_words / 3:
        chunks[-1].extend(fresh)  # too small to stand alone: finish the previous passage
    elif fresh:
        chunks.append(current)
    return chunks


def _overlap(chunk: list[_Sentence], words: int) -> list[_Sentence]:
    """The trailing sentences of `chunk` that fit in `words` (possibly none)."""
    tail: list[_Sentence] = []
    for sentence in reversed(chunk):
        if sum(s.words for s in tail) + sentence.words > words:
            break
        tail.insert(0, sentence)
    return tail


def _text(chunk: list[_Sentence]) -> str:
    parts: list[str] = []
    for prev, sentence in zip([None, *chunk[:-1]], chunk, strict=True):
        if prev is not None:
            parts.append("\n\n" if prev.block != sentence.block else " ")
        parts.append(sentence.text)
    return "".join(parts)


def _url(source: ChunkSource, physical_page: int | None) -> str | None:
    if not source.url or source.kind != "report" or physical_page is None:
        return source.url
    return f"{source.url}#page={physical_page}"


def chunk_blocks(blocks: list[Block], source: ChunkSource, params: ChunkParams) -> list[Passage]:
    """Passages for one document, in reading order, with stable ids."""
    passages: list[Passage] = []
    seen: dict[str, int] = {}
    indexed = list(enumerate(blocks))
    for section, run in groupby(indexed, key=lambda item: item[1].section):
        for chunk in _pack(_sentences(list(run)), params):
            text = _text(chunk)
            pages = [s.page for s in chunk if s.page is not None]
            first_physical = next((s.physical_page for s in chunk if s.physical_page), None)
            occurrence = seen.get(f"{section}\x1f{text}", 0)
            seen[f"{section}\x1f{text}"] = occurrence + 1
            passages.append(
                Passage(
                    id=passage_id(source.doc_id, section, text, occurrence),
                    report_id=source.report_id,
                    report_title=source.report_title,
                    section=section,
                    page_start=min(pages) if pages else None,
                    page_end=max(pages) if pages else None,
                    text=text,
                    url=_url(source, first_physical),
                    source_kind=source.kind,
                    doc_id=source.doc_id,
                    ordinal=len(passages),
                )
            )
    return passages
