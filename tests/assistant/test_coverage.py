"""An answer must come near the words a question brings that the corpus never uses."""

from __future__ import annotations

import pytest

from assistant.coverage import WordCoverage, new_words

VOCABULARY = frozenset("the triennial analysis said about neglect school parents mothers".split())


def test_new_words_are_the_topic_words_the_corpus_never_uses() -> None:
    question = "What did the triennial analysis say about female genital mutilation?"
    assert new_words(question, VOCABULARY) == ["female", "genital", "mutilation"]
    assert new_words("what did the triennial say about schools and neglect?", VOCABULARY) == []
    assert new_words("what did it say about 2019 and 42?", VOCABULARY) == []


@pytest.mark.slow
def test_a_word_of_like_meaning_covers_a_new_word(embedder) -> None:
    coverage = WordCoverage(embedder.encode, close=0.45)
    sentence = "Mothers with mental ill health were part of many of the reviews."
    assert coverage.uncovered(["mum"], [sentence]) == []
    assert coverage.uncovered(["mutilation", "genital"], [sentence]) == ["mutilation", "genital"]
    assert coverage.uncovered(["mum"], []) == ["mum"]


@pytest.mark.slow
def test_only_the_corpus_words_are_kept(embedder) -> None:
    coverage = WordCoverage(embedder.encode, close=0.45)
    coverage.uncovered(["zebra"], ["Parents were seen."])
    assert set(coverage._vectors) == {"parents", "seen"}
