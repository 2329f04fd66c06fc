"""The support judge: does a passage back a sentence? Deterministic and offline.

No NLI model ships offline, so the judge combines the sentence's best embedding similarity to
the passage's sentences with content-word overlap, and vetoes numbers absent from the passage
and a negation that the closest passage sentence does not share. Thresholds are calibrated on
eval/judge/calibration.jsonl; the answering service and the evaluation use this one judge.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assistant.embedder import Embedder
from assistant.sentences import split_sentences
from assistant.text_features import content_terms, has_negation, numbers, overlap


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

    @property
    def reason(self) -> str:
        if self.missing_numbers:
            return f"numbers not in the passage: {', '.join(self.missing_numbers)}"
        if self.negation_mismatch:
            return "negation differs from the passage"
        return f"score {self.score:.2f}"


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
        negation = has_negation(sentence) != has_negation(pieces[best])
        p = self.params
        score = p.similarity_weight * similarity + p.overlap_weight * share
        supported = score >= p.threshold and not missing and not negation
        return Support(supported, score, similarity, share, missing, negation)
