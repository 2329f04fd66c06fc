"""Chunking: sentence-aligned, section-bounded, balanced, stable ids, exact pages."""

from __future__ import annotations

from ingest.chunk import ChunkParams, ChunkSource, chunk_blocks
from ingest.document import Block

SOURCE = ChunkSource("doc", "triennial-2014-17", "Title", "report", "https://example.org/r.pdf")
PARAMS = ChunkParams(min_words=150, max_words=300, overlap_words=30)


def sentences(n: int, tag: str) -> str:
    line = "Sentence {}{} talks about neglect and the child's needs here."
    return " ".join(line.format(tag, i) for i in range(n))


def test_long_section_splits_into_balanced_sentence_aligned_passages():
    blocks = [
        Block(sentences(30, "a"), "3 Neglect", page=54, physical_page=56),
        Block(sentences(30, "b"), "3 Neglect", page=55, physical_page=57),
    ]
    passages = chunk_blocks(blocks, SOURCE, PARAMS)
    words = [len(p.text.split()) for p in passages]
    assert len(passages) == 3  # 600 words -> three passages of about 200, not 300+300+rest
    assert all(150 <= w <= 300 for w in words), words
    assert all(p.text.endswith("here.") and p.text.startswith("Sentence") for p in passages)
    assert passages[0].page_start == 54 and passages[-1].page_end == 55
    assert passages[0].url == "https://example.org/r.pdf#page=56"
    # small overlap: the next passage starts with the previous one's last sentences (<= 30 words)
    for before, after in zip(passages, passages[1:], strict=False):
        first_sentence = after.text.split(". ")[0] + "."
        assert first_sentence in before.text
        shared = before.text[before.text.index(first_sentence) :]
        assert after.text.startswith(shared)
        assert 0 < len(shared.split()) <= 30


def test_passages_never_cross_sections():
    blocks = [Block(sentences(5, "a"), "1 Intro", 1), Block(sentences(5, "b"), "2 Method", 2)]
    passages = chunk_blocks(blocks, SOURCE, PARAMS)
    assert [p.section for p in passages] == ["1 Intro", "2 Method"]
    assert "b0" not in passages[0].text and "a4" not in passages[1].text


def test_ids_are_stable_and_depend_on_text_and_source():
    blocks = [Block(sentences(40, "a"), "3 Neglect", 54)]
    first = [p.id for p in chunk_blocks(blocks, SOURCE, PARAMS)]
    again = [p.id for p in chunk_blocks(blocks, SOURCE, PARAMS)]
    other = ChunkSource("other-doc", "triennial-2014-17", "Title", "report")
    assert first == again
    assert len(set(first)) == len(first)
    assert not set(first) & {p.id for p in chunk_blocks(blocks, other, PARAMS)}


def test_repeated_identical_text_gets_distinct_ids():
    blocks = [Block("Same words.", "A", 1), Block("Other.", "B", 1), Block("Same words.", "A", 2)]
    passages = chunk_blocks(blocks, SOURCE, PARAMS)
    assert len({p.id for p in passages}) == 3


def test_paragraph_breaks_kept_inside_a_passage():
    blocks = [Block("First paragraph.", "A", 1), Block("Second paragraph.", "A", 1)]
    (passage,) = chunk_blocks(blocks, SOURCE, PARAMS)
    assert passage.text == "First paragraph.\n\nSecond paragraph."
    assert passage.ordinal == 0
