"""Sentence splitting shared by chunking (ingest) and answering (assistant).

llama-index's Punkt splitter, plus a repair step: Punkt without an abbreviation list splits
after "e.g.", "Dr." and the like, which would cut a quoted sentence in two.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

ABBREVIATIONS = re.compile(
    r"(?:\b(?:e\.g|i\.e|etc|cf|vs|Dr|Mr|Mrs|Ms|Prof|No|Nos|p|pp|para|paras|ch|fig|vol|approx"
    r"|St|Cllr|Rt|Hon|al)\.|\b[A-Z]\.)\s*$"
)


@lru_cache(maxsize=1)
def _punkt() -> Callable[[str], list[str]]:
    from llama_index.core.node_parser.text.utils import split_by_sentence_tokenizer

    return split_by_sentence_tokenizer()


def split_sentences(text: str) -> list[str]:
    """Sentences of `text`, whitespace-trimmed, abbreviation splits repaired."""
    pieces = [p.strip() for p in _punkt()(text) if p.strip()]
    sentences: list[str] = []
    for piece in pieces:
        starts_lower = piece[0].islower() or piece[0] in ",;:)"
        if sentences and (ABBREVIATIONS.search(sentences[-1]) or starts_lower):
            sentences[-1] = f"{sentences[-1]} {piece}"
        else:
            sentences.append(piece)
    return sentences


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each sentence in `text`, so quotes are exact substrings."""
    spans: list[tuple[int, int]] = []
    cursor = 0
    for sentence in split_sentences(text):
        start = text.find(sentence, cursor)  # most sentences are verbatim: no regex to compile
        if start >= 0:
            spans.append((start, start + len(sentence)))
            cursor = start + len(sentence)
            continue
        pattern = r"\s+".join(re.escape(word) for word in sentence.split())  # a repaired split
        match = re.compile(pattern).search(text, cursor)
        if match is None:  # cannot happen for the splitter's own output; skip defensively
            continue
        spans.append((match.start(), match.end()))
        cursor = match.end()
    return spans
