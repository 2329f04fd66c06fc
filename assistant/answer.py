"""Extractive answers: chosen sentences of retrieved passages, quoted word for word and cited.

No language model: every sentence shown is an exact substring of the passage it cites, so the
answer is grounded by construction. When no passage is good enough, the answer is a refusal
with the nearest passages offered as related reading.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from assistant.answer_schema import Answer, Citation
from assistant.answer_type import answer_type, gives
from assistant.embedder import Embedder
from assistant.followup import Turn, embedding_text, expand
from assistant.gaps import asks_verbatim, declares_gap, gap_about, located_only
from assistant.index_schema import Passage
from assistant.publications import other_annual_report, other_publication
from assistant.retrieval import (
    ACROSS_REPORT,
    ANSWER_RETRIEVAL,
    HybridRetriever,
    ScoredPassage,
    named_reports,
)
from assistant.store import IndexStore
from assistant.text_features import (
    asks_for_quantity,
    content_terms,
    has_quantity,
    key_terms,
    names,
    overlap,
    specific_terms,
    with_acronyms_spelled_out,
    words,
)
from assistant.topic import focus_words, topic

REFUSAL = (
    "The three reports don't appear to cover this: no passage in the index answers it. "
    "The nearest passages are listed as related reading, not as an answer."
)
BRIEFING_NOTICE = (
    "These passages come from the project's briefings, compiled from public summaries of the"
    " reports, not from the reports' own text."
)
# Fixed connecting phrases, one per report: labels, never claims of their own.
LEADS = {
    "triennial-2014-17": "The triennial analysis of serious case reviews 2014-17",
    "panel-annual-2018-19": "The Panel's annual report 2018 to 2019",
    "hard-to-escape": '"It was hard to escape" (criminal exploitation review)',
    "common-themes": "Across the three reports",
}


@dataclass(frozen=True)
class AnswerParams:
    """Tuned on eval/sets/dev.jsonl with `python -m eval.tune` (2026-11-26): margin 0.2 and
    rank_weight 0.15 raised dev fact recall from 0.614 to 0.686 and refusal F1 from 0.640 to
    0.667 against margin 0.12 and rank_weight 0.05. refuse_below 0.35 and 0.40 differ by one
    question each way (false refusals 0.017 vs 0.034, false answers 0.467 vs 0.400); 0.35 keeps
    the higher fact recall (0.686 vs 0.669). type_bonus (answer_type.py) swept 0-0.6 on dev: 0
    -> 0.3 -> 0.4 gave fact recall 0.686 -> 0.805 -> 0.805 and refusal F1 0.769 -> 0.769 ->
    0.815; 0.6 changed nothing more; it replaced the earlier figure_bonus (0.1). Later the same
    day, margin swept 0.2/0.4/0.6/1.0 (max_sentences 5): dev fact recall (tune's measure) 0.763
    /0.771/0.811/0.811, refusal unchanged; max_sentences 6 lowered refusal F1 to 0.839. Word
    overlap against the topic (topic.py) instead of the whole query: 0.754 -> 0.763; a topic
    embedding blended into the similarity changed nothing on dev, so it is not computed. With the
    wider margin, off-topic sentences (cosine 0.15-0.2) could trail an answer on a small corpus;
    min_similarity 0 / 0.2 / 0.25 / 0.3 / 0.35 gave dev fact recall 0.831 / 0.831 / 0.831 / 0.822
    / 0.805 (0.35 also doubled false answers), so 0.25 drops them at no cost on dev. Session 4,
    on dev with 11 more questions (eval.tune's measure, refused answerables count 0):
    max_per_passage 2 / 3 / 4 gave 0.812 / 0.828 / 0.828 (a briefing section often holds three
    figures, e.g. deaths, babies, known to services); own_weight 0 / 0.3 / 0.5 with own_terms 3
    gave 0.828 / 0.844 / 0.844, and nothing with own_terms 99 (only the embedding or only the
    words changes nothing). Refusal F1 0.936 throughout. Demoting sentences the previous answer
    gave (0.3-1.0) lowered it to 0.797-0.812: a follow-up's answer is often already there.
    With the comparison briefing favoured in retrieval for questions across reports (0.875 ->
    0.880), across_bonus 0 / 0.1 / 0.2 / 0.3 gave 0.880 / 0.880 / 0.888 / 0.888. Tried and
    reverted: refusing when two or more question words absent from the corpus are far (word
    cosine < 0.45) from every word of the answer; dev refusal F1 0.906 -> 0.982, but on test it
    refused three answerable questions in practitioners' own words ("big idea behind", "reflect
    the switch"); dev-099..101 now hold questions of that kind. lead_in_words 0 / 6 / 8 / 10
    gave dev fact recall 0.899 / 0.899 / 0.904 / 0.904. unrelated_below 0 / 0.45 / 0.5 / 0.55 /
    0.6 gave dev refusal F1 0.906 / 0.926 / 0.945 / 0.945 / 0.945, no false refusal; 0.5, the
    lowest of the plateau, leaves answers in synonyms alone when they are close in meaning.
    Session 5, on dev with 103 questions: kept_meaning_below 0 / 0.7 / 0.75 / 0.8 / 0.85 / 0.9 /
    0.95 gave refusal F1 0.945 / 0.964 / 0.982 / 1.0 / 1.0 / 1.0 / 0.983 (0.95 refused an
    answerable question); 0.8 is the lowest of the plateau."""

    candidates: int = 8
    max_sentences: int = 5
    max_per_passage: int = 3
    min_similarity: float = 0.25  # a sentence after the first must be at least this close
    min_words: int = 5
    margin: float = 0.6  # keep sentences scoring within this of the best
    lexical_weight: float = 0.25
    rank_weight: float = 0.15
    refuse_below: float = 0.35  # best sentence similarity under which nothing answers
    duplicate_above: float = 0.92
    type_bonus: float = 0.4  # for sentences giving the kind of answer asked for (answer_type)
    gap_lead: float = 0.05  # a "not in the summaries" sentence must lead others by this to refuse
    # A follow-up that names its own topic ("and how many were known to social services?") is
    # matched on its own words and, for this share of the similarity, on its own embedding, so
    # the sentences answering the previous turn do not win again.
    own_weight: float = 0.3
    own_terms: int = 3
    unrelated_below: float = 0.5  # refuse under this when no answering sentence shares a word
    lead_in_words: int = 8  # a sentence this short takes the next one of its passage along
    across_bonus: float = 0.2  # for the comparison briefing's sentences, asked across reports
    kept_meaning_below: float = 0.8  # see `ExtractiveAnswerer.mostly_unknown`


@dataclass(frozen=True)
class Candidate:
    passage: Passage
    quote: str
    vector: np.ndarray
    similarity: float
    score: float
    terms: frozenset[str]  # the sentence's content terms, as the store keeps them


def missing_specifics(question: str, corpus: frozenset[str]) -> set[str]:
    """The question's year ranges and figures that the corpus never states: the question is
    about another period or publication (2009-11, the 482 notifications of a later report)."""
    return specific_terms(question) - corpus


def unknown_names(question: str, vocabulary: frozenset[str]) -> set[str]:
    """Names and acronyms in the question that occur nowhere in the corpus (GDPR, Scotland)."""
    return {n for n in names(question) if n not in vocabulary and n.rstrip("s") not in vocabulary}


def gives_figure(query: str, sentence: str) -> bool:
    """Whether a sentence answers a how-many question: a figure the question did not already
    state, next to one of the harm types or groups the question names ("teenagers")."""
    asked = specific_terms(query)
    figures = specific_terms(sentence) - asked
    if not figures and not (has_quantity(sentence) and not any(c.isdigit() for c in sentence)):
        return False
    named = key_terms(query)
    return not named or bool(named & key_terms(sentence))


def lead_for(passage: Passage) -> str:
    base = LEADS.get(passage.report_id, passage.report_title)
    return f"{base} (project briefing):" if passage.source_kind == "briefing" else f"{base}:"


class ExtractiveAnswerer:
    """Answers a question from one index build without a language model."""

    def __init__(
        self, store: IndexStore, embedder: Embedder, params: AnswerParams | None = None
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.params = params or AnswerParams()
        self.retriever = HybridRetriever(store, embedder, ANSWER_RETRIEVAL)

    @cached_property
    def report_titles(self) -> list[str]:
        return sorted({p.report_title for p in self.store.passages})  # a few, whatever the size

    @cached_property
    def title_specifics(self) -> frozenset[str]:
        """Periods in the reports' own titles ("2014-17"): naming one doesn't narrow a question."""
        return frozenset(t for title in self.report_titles for t in specific_terms(title))

    def candidates(
        self,
        question: str,
        query: str,
        vector: np.ndarray,
        hits: list[ScoredPassage],
        alone: np.ndarray | None = None,
    ) -> list[Candidate]:
        """Every sentence of the retrieved passages, scored against the query; word overlap
        counts only the topic's words, not the words that name a report (topic.py)."""
        own_terms = content_terms(topic(question))  # the same as the query's unless a follow-up
        terms = (
            own_terms if len(own_terms) >= self.params.own_terms else content_terms(topic(query))
        )
        wanted = answer_type(question)
        p = self.params
        across = ACROSS_REPORT in named_reports(query)
        found: list[Candidate] = []
        for rank, hit in enumerate(hits, start=1):
            bonus = p.across_bonus if across and hit.passage.report_id == ACROSS_REPORT else 0.0
            sentences = self.store.sentences(hit.passage.id)
            texts = sentences.texts(hit.passage)
            sims = sentences.vectors @ vector if len(texts) else np.zeros(0)
            if alone is not None and len(texts):
                sims = (1 - p.own_weight) * sims + p.own_weight * (sentences.vectors @ alone)
            sentence_terms = self.store.sentence_terms(hit.passage.id)
            for text, sim, svec, own in zip(
                texts, sims, sentences.vectors, sentence_terms, strict=True
            ):
                if len(text.split()) < p.min_words or text.startswith("(Source"):
                    continue
                lexical = overlap(terms, own) if terms else 0.0
                score = float(sim) + p.lexical_weight * lexical + p.rank_weight / rank + bonus
                if gives(wanted, question, text):
                    score += p.type_bonus
                found.append(Candidate(hit.passage, text, svec, float(sim), score, own))
        return sorted(found, key=lambda c: -c.score)

    def select(self, ranked: list[Candidate]) -> list[Candidate]:
        """The best sentences: close to the top score, at most a few per passage, no repeats."""
        p = self.params
        chosen: list[Candidate] = []
        per_passage: dict[str, int] = {}
        for cand in ranked:
            if len(chosen) == p.max_sentences or cand.score < ranked[0].score - p.margin:
                break
            if chosen and cand.similarity < p.min_similarity:
                continue
            if per_passage.get(cand.passage.id, 0) >= p.max_per_passage:
                continue
            if any(float(cand.vector @ c.vector) > p.duplicate_above for c in chosen):
                continue
            chosen.append(cand)
            per_passage[cand.passage.id] = per_passage.get(cand.passage.id, 0) + 1
        return chosen

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

    def compose(self, question: str, chosen: list[Candidate]) -> tuple[str, list[Citation]]:
        """Group the sentences by report (best first), each quoted and numbered."""
        groups: dict[str, list[Candidate]] = {}
        for cand in chosen:
            groups.setdefault(lead_for(cand.passage), []).append(cand)
        paragraphs: list[str] = []
        citations: list[Citation] = []
        for lead, cands in groups.items():
            parts = [lead]
            for cand in cands:
                citations.append(Citation.of(len(citations) + 1, cand.passage, cand.quote))
                parts.append(f"{cand.quote} [{len(citations)}]")
            paragraphs.append(" ".join(parts))
        return "\n\n".join(paragraphs), citations

    def refusal_reason(
        self, question: str, query: str, ranked: list[Candidate], hits: list[ScoredPassage]
    ) -> str | None:
        """Why nothing retrieved answers the question, or None when something does."""
        evidence = max([c.similarity for c in ranked[:1]] + [h.similarity for h in hits[:1]])
        if not ranked or evidence < self.params.refuse_below:
            return "no passage is close enough to the question"
        unknown = unknown_names(question, self.store.vocabulary)
        focus = focus_words(question)
        unknown |= {phrase for word, phrase in focus.items() if self.never_used(word)}
        missing = missing_specifics(question, self.store.specifics)
        if unknown or missing:
            return f"the reports in the index don't mention {', '.join(sorted(unknown | missing))}"
        publication = other_publication(question) or other_annual_report(
            question, self.report_titles
        )
        if publication:
            return f"the question asks about another publication ({publication}), not the reports"
        if asks_verbatim(question) and all(h.passage.source_kind == "briefing" for h in hits):
            return (
                "the index holds briefings that paraphrase the reports, not the reports' own"
                " wording; ingest the reports (`safeguarding fetch`) to quote them"
            )
        best = self.select(ranked)
        terms = content_terms(topic(query))
        if self.declared_gap(question, terms, best, ranked):
            return "the sources say this is not in the public summaries of the reports"
        if self.shares_nothing(terms, best):
            return "no passage close to it shares a word with what it asks about"
        if unused := self.mostly_unknown(topic(query), best):
            return f"the reports in the index never use {', '.join(unused)}, which it turns on"
        if asks_for_quantity(question) and not any(
            self.answers_figure(question, query, c) for c in best
        ):
            return "the question asks for a figure and no passage close to it gives one for it"
        if unanswered := self.unmatched_specifics(question, best):
            return f"no passage about {', '.join(sorted(unanswered))} answers it"
        return None

    def declared_gap(
        self, question: str, terms: set[str], best: list[Candidate], ranked: list[Candidate]
    ) -> bool:
        """Whether the sources say the answer is not summarised: the best sentence says so and
        leads the others, or the sentence closest to the topic (`terms`) only locates its
        chapter."""
        others = [c.score for c in ranked if not declares_gap(c.quote)]
        lead = best[0].score - others[0] if others else 1.0
        if gap_about(best[0].quote, terms) and lead > self.params.gap_lead:
            return True
        closest = max(best, key=lambda c: overlap(terms, c.terms))
        texts = self.store.sentences(closest.passage.id).texts(closest.passage)
        return located_only(question, closest.quote, texts)

    def shares_nothing(self, terms: set[str], best: list[Candidate]) -> bool:
        """No answering sentence uses a word of the question's topic (`terms`) and none is more
        than loosely similar: "female genital mutilation" answered from sentences about the
        triennial."""
        if not terms or max(c.similarity for c in best) >= self.params.unrelated_below:
            return False
        return not any(terms & c.terms for c in best)

    def mostly_unknown(self, text: str, best: list[Candidate]) -> list[str]:
        """The words of `text` the corpus never uses, when they carry much of its meaning (the
        text without them is under `kept_meaning_below` cosine of it) and no answering sentence
        is more than loosely similar: "care home fees" answered from sentences about care.
        Words in everyday language ("in a nutshell, who tends to hurt the babies?") carry
        little of a question's meaning, or are answered by close synonyms; empty otherwise."""
        if max(c.similarity for c in best) >= self.params.unrelated_below:
            return []
        unknown = [w for w in dict.fromkeys(words(text)) if self.never_used(w)]
        if not unknown:
            return []
        pattern = r"\b(?:" + "|".join(re.escape(w) for w in unknown) + r")\b"
        rest = re.sub(pattern, " ", text, flags=re.IGNORECASE)
        whole, kept = self.embedder.encode([text, rest])
        return unknown if float(whole @ kept) < self.params.kept_meaning_below else []

    def never_used(self, word: str) -> bool:
        """A content word the corpus never uses in any form (nor any part of it, if hyphenated)."""
        terms = content_terms(word.replace("-", " "))
        return bool(terms) and not terms & self.store.terms and word not in self.store.vocabulary

    @staticmethod
    def answers_figure(question: str, query: str, candidate: Candidate) -> bool:
        """A figure for the counted noun ("404 children"), a length of time for a duration, or,
        when the question names neither ("how often"), a new figure next to the groups it
        names."""
        wanted = answer_type(question)
        if wanted is not None and wanted.kind == "duration":
            return gives(wanted, question, candidate.quote)  # "seven years" in foster care
        if wanted is None or not (
            wanted.kind == "money" or wanted.kind == "count" and wanted.nouns
        ):
            return gives_figure(query, candidate.quote)
        named = key_terms(query)
        return gives(wanted, question, candidate.quote) and (
            not named or bool(named & key_terms(candidate.quote))
        )

    def unmatched_specifics(self, question: str, best: list[Candidate]) -> set[str]:
        """Periods and figures the question states that none of the answering sentences mention:
        "neglect in the 2011-14 reviews" is not answered by a passage about 2014-17."""
        stated = specific_terms(question) - self.title_specifics
        found = {t for c in best for t in specific_terms(c.quote)}
        return stated - found

    def refuse(self, question: str, query: str, hits: list[ScoredPassage], why: str) -> Answer:
        related = [
            Citation.of(n, h.passage, self.store.sentences(h.passage.id).texts(h.passage)[0])
            for n, h in enumerate(hits[:3], start=1)
            if self.store.sentences(h.passage.id).texts(h.passage)
        ]
        return Answer(
            question=question,
            answer=REFUSAL,
            refused=True,
            related=related,
            query=query,
            warnings=[why],
        )

    def run(
        self,
        question: str,
        report_ids: list[str] | None = None,
        history: list[Turn] | None = None,
    ) -> Answer:
        """A cited extractive answer, or a refusal when the reports don't answer it."""
        started = time.perf_counter()
        asked = question  # the answer carries the question as asked
        question = with_acronyms_spelled_out(question, self.store.acronyms)
        query = expand(question, history or [])
        text = embedding_text(question, history or [])
        follow_up = (
            text != question and len(content_terms(topic(question))) >= self.params.own_terms
        )
        vectors = self.embedder.encode([text, question] if follow_up else [text])
        hits = self.retriever.run(query, self.params.candidates, report_ids, vectors[0])
        retrieved = time.perf_counter()
        alone = vectors[1] if follow_up else None
        ranked = self.candidates(question, query, vectors[0], hits, alone)
        why = self.refusal_reason(question, query, ranked, hits)
        if why:
            answer = self.refuse(asked, query, hits, why)
        else:
            chosen = self.with_lead_ins_continued(self.select(ranked), ranked)
            text, citations = self.compose(question, chosen)
            briefing = any(c.source_kind == "briefing" for c in citations)
            answer = Answer(
                question=asked,
                answer=text,
                refused=False,
                citations=citations,
                query=query,
                notice=BRIEFING_NOTICE if briefing else None,
            )
        if answer.refused and any(h.passage.source_kind == "briefing" for h in hits):
            answer.notice = BRIEFING_NOTICE
        answer.timings_ms = {
            "retrieve": round((retrieved - started) * 1000, 1),
            "answer": round((time.perf_counter() - retrieved) * 1000, 1),
        }
        return answer
