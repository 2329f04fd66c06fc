"""The extractive compose stage: the sentences that answer the question, quoted and cited.

A sentence joins the answer because it answers what was asked, not to fill slots: it must be
close to the best sentence's score, on the question's topic, and of the kind of answer wanted
(once one sentence gives a count, only another count may follow). Chapter pointers and source
notes never lead an answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.answer_schema import Answer, Citation
from assistant.gaps import ASKS_LOCATION
from assistant.index_schema import Passage
from assistant.knowledge import CorpusKnowledge
from assistant.query import Query
from assistant.rerank import Candidate
from assistant.retrieval import ScoredPassage
from assistant.store import IndexStore

REFUSAL = (
    "The three reports don't appear to cover this: no passage in the index answers it. "
    "The nearest passages are listed as related reading, not as an answer."
)
BRIEFING_NOTICE = (
    "These passages come from the project's briefings, compiled from public summaries of the"
    " reports, not from the reports' own text."
)
# Kinds of answer that one sentence gives whole; others (reasons, signs, open questions) may
# take several sentences.
CLOSED = frozenset({"count", "money", "person", "date", "duration", "named"})


@dataclass(frozen=True)
class ComposeParams:
    """When a sentence joins the answer; chosen with `python -m eval.tune` (eval/tuning.jsonl)."""

    max_sentences: int = 4  # an answer a practitioner reads at a glance
    max_per_passage: int = 3  # a briefing section often holds three figures on one subject
    margin: float = 0.35  # later sentences score within this of the first
    min_similarity: float = 0.3  # and are at least this close to the question
    on_topic: float = 0.45  # a later sentence sharing no topic word must be this close
    duplicate_above: float = 0.92  # cosine above which two sentences say the same
    lead_in_words: int = 8  # a sentence this short takes the next one of its passage along
    typed_extra: int = 1  # further sentences of a closed kind once one gives it


def lead_for(passage: Passage, knowledge: CorpusKnowledge) -> str:
    """The label a paragraph of the answer starts with: which report, and if it is a briefing."""
    base = knowledge.lead(passage.report_id, passage.report_title)
    return f"{base} (project briefing):" if passage.source_kind == "briefing" else f"{base}:"


class ExtractiveComposer:
    """Chooses and quotes the answering sentences, or writes the refusal."""

    def __init__(self, store: IndexStore, params: ComposeParams | None = None) -> None:
        self.store = store
        self.params = params or ComposeParams()

    def select(self, query: Query, ranked: list[Candidate]) -> list[Candidate]:
        """The first sentence that may lead, then those that answer the same question."""
        p = self.params
        located = bool(ASKS_LOCATION.search(query.own))
        leaders = [c for c in ranked if located or not c.pointer]
        if not leaders:
            return []
        first = leaders[0]
        closed = query.wanted is not None and query.wanted.kind in CLOSED
        # a question across reports wants the figure (or date, name ...) of each report it names
        across = len(query.named - {self.store.knowledge.across_id})
        extra = p.typed_extra + max(0, across - 1)
        chosen = [first]
        for cand in ranked:
            if len(chosen) == p.max_sentences or cand.score < first.score - p.margin:
                break
            if cand is first or (cand.pointer and not located) or not self.joins(query, cand):
                continue
            if closed and not cand.gives_type:
                continue
            if closed and sum(c.gives_type for c in chosen) > extra:
                break
            if sum(c.passage.id == cand.passage.id for c in chosen) >= p.max_per_passage:
                continue
            if any(float(cand.vector @ c.vector) > p.duplicate_above for c in chosen):
                continue
            chosen.append(cand)
        return self.with_lead_ins_continued(chosen, ranked)

    def added(self, chosen: list[Candidate], more: list[Candidate]) -> list[Candidate]:
        """`chosen` and then those of `more` it lacks (the answer to a second thing asked)."""
        have = {(c.passage.id, c.quote) for c in chosen}
        return chosen + [c for c in more if (c.passage.id, c.quote) not in have]

    def joins(self, query: Query, cand: Candidate) -> bool:
        """On the question's topic: close to it, and sharing a topic word or closer still."""
        p = self.params
        if cand.similarity < p.min_similarity:
            return False
        return bool(query.terms & cand.terms) or cand.similarity >= p.on_topic

    def with_lead_ins_continued(
        self, chosen: list[Candidate], ranked: list[Candidate]
    ) -> list[Candidate]:
        """A short sentence that only leads in ("The three reports look at different units.")
        says nothing alone: the sentence after it in its passage follows it into the answer."""
        if not self.params.lead_in_words:
            return chosen
        by_quote = {(c.passage.id, c.quote): c for c in ranked}
        result: list[Candidate] = []
        for cand in chosen:
            result.append(cand)
            if len(cand.quote.split()) > self.params.lead_in_words:
                continue
            texts = self.store.sentences(cand.passage.id).texts(cand.passage)
            at = texts.index(cand.quote) if cand.quote in texts else -1
            follower = (
                by_quote.get((cand.passage.id, texts[at + 1])) if 0 <= at < len(texts) - 1 else None
            )
            if follower is not None and follower not in chosen and follower not in result:
                result.append(follower)
        return result

    def compose(self, query: Query, chosen: list[Candidate], hits: list[ScoredPassage]) -> Answer:
        """Sentences grouped by report (best first), each quoted and numbered."""
        groups: dict[str, list[Candidate]] = {}
        for cand in chosen:
            groups.setdefault(lead_for(cand.passage, self.store.knowledge), []).append(cand)
        paragraphs: list[str] = []
        citations: list[Citation] = []
        for lead, cands in groups.items():
            parts = [lead]
            for cand in cands:
                citations.append(Citation.of(len(citations) + 1, cand.passage, cand.quote))
                parts.append(f"{cand.quote} [{len(citations)}]")
            paragraphs.append(" ".join(parts))
        return Answer(
            question=query.asked,
            answer="\n\n".join(paragraphs),
            refused=False,
            citations=citations,
            query=query.text,
            context=[h.passage.id for h in hits],
        )

    def refuse(self, query: Query, hits: list[ScoredPassage], why: str) -> Answer:
        """The honest "not covered", with the nearest passages as related reading."""
        related: list[Citation] = []
        for h in hits[:3]:
            texts = self.store.sentences(h.passage.id).texts(h.passage)
            if texts:
                related.append(Citation.of(len(related) + 1, h.passage, texts[0]))
        return Answer(
            question=query.asked,
            answer=REFUSAL,
            refused=True,
            related=related,
            query=query.text,
            warnings=[why],
            context=[h.passage.id for h in hits],
        )
