"""The support judge: does a passage back a sentence? Deterministic and offline.

No NLI model ships offline, so the judge combines the sentence's best embedding similarity to
the passage's sentences with content-word overlap, and vetoes numbers absent from the passage
and a negation that the closest passage sentence does not share. Thresholds are calibrated on
eval/judge/calibration.jsonl; the answering service and the evaluation use this one judge.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from assistant.embedder import Embedder
from assistant.sentences import split_sentences
from assistant.text_features import (
    ANTONYMS,
    KEY_TERMS,
    QUANTIFIERS,
    content_terms,
    has_negation,
    negated_words,
    numbers,
    overlap,
    proper_nouns,
    words,
)

if TYPE_CHECKING:
    from assistant.index_schema import Passage
    from assistant.store import SentenceSet


@dataclass(frozen=True)
class JudgeParams:
    similarity_weight: float = 0.6
    overlap_weight: float = 0.4
    threshold: float = 0.7


@dataclass(frozen=True)
class Support:
    """The verdict with the evidence behind it."""

    supported: bool
    score: float
    similarity: float
    overlap: float
    missing_numbers: tuple[str, ...]
    negation_mismatch: bool
    new_terms: tuple[str, ...] = ()  # key terms, names, quantifiers or antonyms not in the passage

    @property
    def reason(self) -> str:
        if self.missing_numbers:
            return f"numbers not in the passage: {', '.join(self.missing_numbers)}"
        if self.negation_mismatch:
            return "negation differs from the passage"
        if self.new_terms:
            return f"terms not in the passage: {', '.join(self.new_terms)}"
        return f"score {self.score:.2f}"


def new_terms(sentence: str, passage: str, aligned: str) -> tuple[str, ...]:
    """Words that change a fact: key terms, names and quantifiers absent from the passage, and
    antonyms of words in the closest passage sentence."""
    said = set(words(sentence))
    have = set(words(passage))
    found = {w for w in said & (KEY_TERMS | QUANTIFIERS) if w not in have}
    found |= {n for n in proper_nouns(sentence) if n not in have}
    close = set(words(aligned))
    found |= {w for w in said if ANTONYMS.get(w) in close and w not in close}
    return tuple(sorted(found))


def negation_differs(sentence: str, aligned: str) -> bool:
    """A negation the passage lacks, or a negated passage phrase the sentence states plainly."""
    if has_negation(sentence) and not has_negation(aligned):
        return True
    if has_negation(aligned) and not has_negation(sentence):
        return bool(negated_words(aligned) & set(words(sentence)))
    return False


class SupportJudge:
    """Judges sentence-passage pairs; passage sentence vectors may be passed in to save work."""

    def __init__(self, embedder: Embedder, params: JudgeParams | None = None) -> None:
        self.embedder = embedder
        self.params = params or JudgeParams()

    def run(
        self,
        sentence: str,
        passage: str,
        passage_sentences: list[str] | None = None,
        passage_vectors: np.ndarray | None = None,
    ) -> Support:
        """Whether `passage` supports every claim in `sentence`."""
        pieces = passage_sentences or split_sentences(passage) or [passage]
        vectors = passage_vectors
        if vectors is None or len(vectors) != len(pieces):
            vectors = self.embedder.encode(pieces)
        sims = vectors @ self.embedder.encode([sentence])[0]
        best = int(np.argmax(sims))
        similarity = float(sims[best])
        share = overlap(content_terms(sentence), content_terms(passage))
        missing = tuple(sorted(numbers(sentence) - numbers(passage)))
        negation = negation_differs(sentence, pieces[best])
        changed = new_terms(sentence, passage, pieces[best])
        p = self.params
        score = p.similarity_weight * similarity + p.overlap_weight * share
        supported = score >= p.threshold and not missing and not negation and not changed
        return Support(supported, score, similarity, share, missing, negation, changed)

    def evidence(
        self, claim: str, vector: np.ndarray, passage: Passage, sentences: SentenceSet
    ) -> tuple[str | None, str]:
        """(the passage sentence closest to `claim` if the passage supports it, the reason)."""
        texts = sentences.texts(passage)
        verdict = self.run(claim, passage.text, texts or None, sentences.vectors if texts else None)
        if not verdict.supported:
            return None, verdict.reason
        quote = texts[int(np.argmax(sentences.vectors @ vector))] if texts else passage.text
        return quote, verdict.reason
