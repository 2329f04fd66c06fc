"""Whether an answer covers what a question brings that the corpus never says.

"What did the triennial say about female genital mutilation?" shares "triennial" with many
sentences, so similarity alone answers it; but "female", "genital" and "mutilation" occur nowhere
in the corpus and nothing in the chosen sentences means anything close. A single such word is
common in answerable questions (practitioners' own words: "mum", "spot", "supposed"), so it takes
two before the answerer refuses.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from assistant.text_features import NEGATIONS, STOPWORDS, words
from assistant.topic import FILLER, topic

Encode = Callable[[list[str]], np.ndarray]


def new_words(question: str, vocabulary: frozenset[str]) -> list[str]:
    """The question's topic words that occur nowhere in the corpus (plural or singular)."""
    found = (
        w
        for w in words(topic(question))
        if len(w) > 2 and not w.isdigit() and w not in STOPWORDS | FILLER | NEGATIONS
    )
    return [
        w for w in dict.fromkeys(found) if w not in vocabulary and w.rstrip("s") not in vocabulary
    ]


class WordCoverage:
    """Question words that no word of the answer comes close to, by word-embedding cosine; word
    vectors are cached, as the corpus's words recur from answer to answer."""

    def __init__(self, encode: Encode, close: float) -> None:
        self.encode = encode
        self.close = close
        self._vectors: dict[str, np.ndarray] = {}

    def corpus_vectors(self, tokens: list[str]) -> np.ndarray:
        """Vectors of the corpus's words, kept (the corpus bounds them; questions' words are
        encoded each time, so no user input grows the cache)."""
        missing = [t for t in tokens if t not in self._vectors]
        if missing:
            self._vectors.update(zip(missing, self.encode(missing), strict=True))
        return np.stack([self._vectors[t] for t in tokens])

    def uncovered(self, asked: list[str], sentences: list[str]) -> list[str]:
        """The asked words whose nearest word in the sentences is under `close`."""
        answer = sorted({w for s in sentences for w in words(s) if len(w) > 2} - STOPWORDS)
        if not asked or not answer:
            return list(asked)
        nearest = (self.encode(asked) @ self.corpus_vectors(answer).T).max(axis=1)
        return [w for w, sim in zip(asked, nearest, strict=True) if sim < self.close]
