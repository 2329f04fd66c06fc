"""The rerank stage: every sentence of the retrieved passages, scored against the analysed question.

`SentenceReranker` scores with the sentence vectors stored at ingest (cosine to the question),
the share of the topic's content words a sentence uses, the passage's retrieval rank and whether
the sentence gives the kind of answer asked for. A cross-encoder would be another `Reranker`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from assistant.answer_type import gives
from assistant.gaps import LOCATION, PAGE
from assistant.index_schema import Passage
from assistant.query import Query
from assistant.retrieval import ScoredPassage
from assistant.store import IndexStore
from assistant.text_features import overlap


@dataclass(frozen=True)
class RerankParams:
    """Weights of the sentence score; chosen with `python -m eval.tune` (log: eval/tuning.jsonl)."""

    min_words: int = 5  # shorter sentences are headings or fragments, never an answer
    lexical_weight: float = 0.25  # times the share of the topic's words the sentence uses
    rank_weight: float = 0.15  # divided by the passage's retrieval rank
    type_bonus: float = 0.4  # for giving the kind of answer asked for (a count, a reason ...)
    across_bonus: float = 0.2  # the comparison briefing's sentences, for questions across reports
    named_bonus: float = 0.1  # sentences of the reports the question names, when it names any
    own_weight: float = 0.3  # share of a follow-up's own embedding in the similarity
    repeat_penalty: float = 0.3  # a sentence the previous answer quoted, unless it has new words
    topic_weight: float = 0.3  # share of the topic's own embedding in the similarity (tuning.jsonl)
    context_weight: float = 0.8  # times the previous sentence's similarity, when that is higher


@dataclass(frozen=True)
class Candidate:
    """A sentence of a retrieved passage with its score."""

    passage: Passage
    quote: str
    vector: np.ndarray
    similarity: float  # cosine to the question (blended with a follow-up's own words)
    score: float
    terms: frozenset[str]  # the sentence's content terms, as the store keeps them
    rank: int  # its passage's retrieval rank, from 1
    gives_type: bool  # gives the kind of answer the question wants
    pointer: bool  # only says where something is ("Chapter 3 starts on page 54")


class Reranker(Protocol):
    """The rerank stage: candidate sentences, best first."""

    def rerank(self, query: Query, hits: list[ScoredPassage]) -> list[Candidate]: ...


class SentenceReranker:
    """Scores the sentences of the retrieved passages with the vectors stored at ingest."""

    def __init__(self, store: IndexStore, params: RerankParams | None = None) -> None:
        self.store = store
        self.params = params or RerankParams()

    def rerank(self, query: Query, hits: list[ScoredPassage]) -> list[Candidate]:
        p = self.params
        across = self.store.knowledge.across_id
        found: list[Candidate] = []
        for rank, hit in enumerate(hits, start=1):
            asked_across = across in query.named and hit.passage.report_id == across
            bonus = p.across_bonus if asked_across else 0.0
            bonus += p.named_bonus if hit.passage.report_id in query.named else 0.0
            found += self.passage_candidates(query, hit.passage, rank, bonus)
        return sorted(found, key=lambda c: -c.score)

    def passage_candidates(
        self, query: Query, passage: Passage, rank: int, bonus: float
    ) -> list[Candidate]:
        p = self.params
        sentences = self.store.sentences(passage.id)
        texts = sentences.texts(passage)
        if not texts:
            return []
        sims = sentences.vectors @ query.vector
        if p.topic_weight:  # the words naming a report pull towards sentences about the report
            sims = (1 - p.topic_weight) * sims + p.topic_weight * (
                sentences.vectors @ query.topic_vector
            )
        if query.own_vector is not None:
            sims = (1 - p.own_weight) * sims + p.own_weight * (sentences.vectors @ query.own_vector)
        # a sentence read after the one before it ("Two new themes stood out: ..." after "Many
        # themes repeat from earlier analyses") answers what that one is about
        inherited = np.concatenate(([0.0], p.context_weight * sims[:-1]))
        found = []
        knowledge = self.store.knowledge
        for text, sim, before, vector, terms in zip(
            texts,
            sims,
            inherited,
            sentences.vectors,
            self.store.sentence_terms(passage.id),
            strict=True,
        ):
            if len(text.split()) < p.min_words or is_source_note(text):
                continue
            # the sentence's acronyms spelled out as the question's are: "75% of the SCRs" gives
            # a share of "serious case reviews"
            typed = query.wanted is not None and gives(
                query.wanted, query.own, knowledge.spell_out(text)
            )
            score = float(max(sim, before)) + p.lexical_weight * overlap(query.terms, terms) + bonus
            score += p.rank_weight / rank + (p.type_bonus if typed else 0.0)
            if query.previous_answer and text in query.previous_answer:
                score -= 0 if query.own_terms & terms else p.repeat_penalty
            pointer = is_pointer(text)
            found.append(
                Candidate(passage, text, vector, float(sim), score, terms, rank, typed, pointer)
            )
        return found


def is_pointer(sentence: str) -> bool:
    """Says where things are, not what they say: "Chapter 3 starts on page 54", or a list of
    sections with their pages."""
    return bool(LOCATION.search(sentence)) or len(PAGE.findall(sentence)) >= 2


def is_source_note(sentence: str) -> bool:
    """A note of where a paragraph came from ("(Sources: ...)"): provenance, never an answer."""
    return sentence.lstrip().startswith("(Source")
