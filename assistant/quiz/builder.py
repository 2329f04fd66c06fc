"""Quiz generation without a language model: retrieve passages for a topic, a theme or reports,
pick informative sentences, and make items whose answer the cited passage supports and whose
distractors it does not (both decided by the support judge the evaluation uses).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from assistant.answer_schema import Citation
from assistant.embedder import Embedder
from assistant.index_schema import Passage
from assistant.quiz.distractors import DistractorPool, figure_value, tie_break
from assistant.quiz.facts import (
    Fact,
    clean_sentence,
    facts_in,
    informativeness,
    synonyms,
    usable,
)
from assistant.quiz.models import KIND_NAMES, QuizItem, QuizKind, QuizRequest
from assistant.quiz.vectors import CachingEmbedder
from assistant.retrieval import HybridRetriever
from assistant.store import IndexStore
from assistant.support import SupportJudge
from assistant.text_features import content_terms, key_terms

# Words that name a report give the answer to "which report says this?" away.
REPORT_NAMES = re.compile(
    r"triennial|annual report|hard to escape|national review|2014-17|2018 to 2019|2018-19|"
    r"\bSCRs?\b|serious case reviews?|rapid reviews?|\bPanel\b|criminal exploitation review",
    re.IGNORECASE,
)
MCQ_OPTIONS = 4
BASE_DIFFICULTY = {"tf": 0.25, "report": 0.4, "mcq": 0.45, "cloze": 0.65}


class NothingToAsk(Exception):
    """No passage about the subject gives a sentence good enough for an item."""


@dataclass(frozen=True)
class QuizParams:
    passages: int = 40  # passages retrieved for a topic
    min_relevance: float = 0.3  # a sentence's cosine similarity to the topic
    relevance_weight: float = 2.0
    duplicate_above: float = 0.85  # sentences this similar to one already asked about are skipped
    rival_passages: int = 3  # passages of each other report checked for "which report"


@dataclass(frozen=True)
class Sentence:
    """A candidate sentence: where it is, what can be asked about it, how good it is."""

    passage: Passage
    quote: str
    text: str
    facts: tuple[Fact, ...]
    score: float
    vector: np.ndarray = field(repr=False, compare=False)


@dataclass
class Balancer:
    """Spreads answer positions (and true/false answers) evenly, deterministically."""

    counts: dict[tuple[str, int], list[int]] = field(default_factory=dict)

    def position(self, group: str, size: int, key: str, commit: bool = True) -> int:
        """The least used position so far for this group of items (ties broken by `key`)."""
        seen = self.counts.setdefault((group, size), [0] * size)
        low = min(seen)
        choices = [i for i, c in enumerate(seen) if c == low]
        pick = choices[int(tie_break(key), 16) % len(choices)]
        if commit:
            seen[pick] += 1
        return pick


def stable_id(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:12]


def source_line(citation: Citation) -> str:
    """'Title, Section, p. 12' for feedback."""
    return citation.reference().split("] ", 1)[1]


def place(answer: str, wrong: list[str], position: int) -> list[str]:
    options = list(wrong)
    options.insert(position, answer)
    return options


def gives_away(stem: str, answer: str) -> bool:
    """The answer is readable elsewhere in the stem."""
    return bool(re.search(rf"(?<![\w-]){re.escape(answer)}(?![\w-])", stem, re.IGNORECASE))


def cloze_spellings(value: str) -> list[str]:
    """Accepted answers for a blank: '75%' also as '75 per cent' and '75'; a term's synonyms."""
    if value.endswith("%"):
        bare = value[:-1]
        return [value, f"{bare} per cent", f"{bare} percent", bare]
    if value.replace(",", "").isdigit() and "," in value:
        return [value, value.replace(",", "")]
    return [value, *sorted(synonyms(value))]


class QuizBuilder:
    """Makes quiz items from one index build."""

    def __init__(
        self,
        store: IndexStore,
        embedder: Embedder,
        labels: dict[str, str],
        params: QuizParams | None = None,
    ) -> None:
        self.store = store
        self.embedder = CachingEmbedder(embedder)
        self.labels = labels  # report id -> how stems name it
        self.params = params or QuizParams()
        self.judge = SupportJudge(self.embedder)
        self.retriever = HybridRetriever(store, self.embedder)
        self.pool = DistractorPool(store)
        self._verdicts: dict[tuple[str, str], bool] = {}

    # -- checks -------------------------------------------------------------------------------

    def supports(self, passage: Passage, statement: str) -> bool:
        """The support judge's verdict, with the passage's ingest-time sentence vectors."""
        key = (passage.id, statement)
        if key not in self._verdicts:
            sentences = self.store.sentences(passage.id)
            verdict = self.judge.run(
                statement, passage.text, sentences.texts(passage), sentences.vectors
            )
            self._verdicts[key] = verdict.supported
        return self._verdicts[key]

    def distractors(self, fact: Fact, passage: Passage, need: int) -> list[str] | None:
        """`need` wrong options the passage does not support, or None."""
        chosen: list[str] = []
        options = self.pool.candidates(fact, passage.text)
        self.embedder.prefetch([fact.filled(o) for o in options[: need + 6]])
        for option in options:
            if synonyms(option) & {c.lower() for c in chosen}:
                continue  # two options meaning the same would rule each other out
            if not self.supports(passage, fact.filled(option)):
                chosen.append(option)
                if len(chosen) == need:
                    return chosen
        return None

    # -- sentences ----------------------------------------------------------------------------

    def passages_for(self, request: QuizRequest) -> tuple[list[Passage], np.ndarray | None]:
        """The passages to ask about and, for a topic, its vector."""
        reports = request.report_ids or None
        if request.topic:
            vector = self.embedder.encode([request.topic])[0]
            hits = self.retriever.run(request.topic, self.params.passages, reports, vector)
            found = [h.passage for h in hits]
        else:
            vector = None
            found = [p for p in self.store.passages if not reports or p.report_id in reports]
        if request.theme:
            wanted = content_terms(request.theme)
            found = [p for p in found if wanted <= content_terms(p.section)]
        return found, vector

    def sentences(self, request: QuizRequest) -> list[Sentence]:
        """Usable sentences about the subject, best first."""
        passages, vector = self.passages_for(request)
        found: list[Sentence] = []
        for rank, passage in enumerate(passages):
            stored = self.store.sentences(passage.id)
            sims = stored.vectors @ vector if vector is not None else None
            for i, quote in enumerate(stored.texts(passage)):
                relevance = 1.0 if sims is None else float(sims[i])
                text = clean_sentence(quote)
                if relevance < self.params.min_relevance or not usable(text):
                    continue
                score = informativeness(text) + self.params.relevance_weight * relevance
                score -= 0.001 * rank  # stable: earlier passages first on ties
                facts = tuple(facts_in(quote))
                found.append(Sentence(passage, quote, text, facts, score, stored.vectors[i]))
        return sorted(found, key=lambda s: -s.score)

    # -- items --------------------------------------------------------------------------------

    def label(self, report_id: str) -> str:
        return self.labels.get(report_id, report_id)

    def item(
        self,
        kind: QuizKind,
        sentence: Sentence,
        stem: str,
        options: list[str],
        answer: str,
        fact: Fact | None,
        **extra: object,
    ) -> QuizItem:
        citation = Citation.of(1, sentence.passage, sentence.quote)
        where = source_line(citation)
        right = f"Correct. Source: {where}."
        wrong = f"Not quite: the answer is {answer}. Source: {where}."
        difficulty = self.difficulty(kind, sentence, fact, options, answer)
        tags = [kind, sentence.passage.report_id]
        tags += ["figure" if fact.is_figure else fact.kind.removeprefix("term:")] if fact else []
        tags += sorted(key_terms(sentence.text))[:3]
        return QuizItem(
            id=stable_id(kind, stem),
            kind=kind,
            stem=stem,
            options=options,
            answer=answer,
            answer_index=options.index(answer) if options else None,
            statement=sentence.text,
            feedback_correct=right,
            feedback_incorrect=wrong,
            citation=citation,
            difficulty=difficulty,
            difficulty_label="easy"
            if difficulty < 0.4
            else "medium"
            if difficulty < 0.65
            else "hard",
            tags=list(dict.fromkeys(tags)),
            **extra,  # type: ignore[arg-type]
        )

    @staticmethod
    def difficulty(
        kind: QuizKind, sentence: Sentence, fact: Fact | None, options: list[str], answer: str
    ) -> float:
        """Harder for recall (cloze), exact figures, close figures and long sentences."""
        score = BASE_DIFFICULTY[kind]
        if fact and fact.is_figure:
            score += 0.15
            others = [figure_value(o) for o in options if o != answer and o[:1].isdigit()]
            ratios = [abs(math.log(o / figure_value(answer))) for o in others if o > 0]
            if ratios and min(ratios) < 0.2:
                score += 0.1
        if len(sentence.text.split()) > 30:
            score += 0.1
        return round(min(score, 1.0), 2)

    def mcq(self, sentence: Sentence, balance: Balancer) -> QuizItem | None:
        for fact in sentence.facts:
            stem = f"{self.label(sentence.passage.report_id)}: {fact.blanked()}"
            wrong = (
                None
                if gives_away(stem, fact.value)
                else self.distractors(fact, sentence.passage, MCQ_OPTIONS - 1)
            )
            if wrong:
                options = place(fact.value, wrong, balance.position("mcq", MCQ_OPTIONS, stem))
                return self.item("mcq", sentence, stem, options, fact.value, fact)
        return None

    def true_false(self, sentence: Sentence, balance: Balancer) -> QuizItem | None:
        if not sentence.facts:
            return None
        label = self.label(sentence.passage.report_id)
        truth = balance.position("tf", 2, sentence.quote, commit=False) == 0
        claim, fact = sentence.text, sentence.facts[0]
        if not truth:
            for fact in sentence.facts:
                wrong = self.distractors(fact, sentence.passage, 1)
                if wrong:
                    claim = fact.filled(wrong[0])
                    break
            else:
                return None
        balance.position("tf", 2, sentence.quote)
        stem = f"True or false? {label}: {claim}"
        answer = "True" if truth else "False"
        return self.item("tf", sentence, stem, ["True", "False"], answer, fact)

    def cloze(self, sentence: Sentence, balance: Balancer) -> QuizItem | None:
        for fact in sentence.facts:
            stem = f"Fill in the blank. {self.label(sentence.passage.report_id)}: {fact.blanked()}"
            if not gives_away(stem, fact.value):
                accepted = cloze_spellings(fact.value)
                return self.item("cloze", sentence, stem, [], fact.value, fact, accepted=accepted)
        return None

    def report_kind(self, sentence: Sentence, balance: Balancer) -> QuizItem | None:
        own = sentence.passage.report_id
        reports = [r for r in self.store.report_ids() if r in self.labels and r != "common-themes"]
        if own not in reports or len(reports) < 2 or REPORT_NAMES.search(sentence.text):
            return None
        for rival in (r for r in reports if r != own):
            hits = self.retriever.run(sentence.text, self.params.rival_passages, [rival])
            if any(self.supports(h.passage, sentence.text) for h in hits):
                return None  # another report says it too: the answer would not be unique
        position = balance.position("report", len(reports), sentence.quote)
        shift = (reports.index(own) - position) % len(reports)
        options = [self.label(r) for r in reports[shift:] + reports[:shift]]
        stem = f"Which report says this? “{sentence.text}”"
        return self.item("report", sentence, stem, options, self.label(own), None)

    # -- assembly -----------------------------------------------------------------------------

    def run(
        self, request: QuizRequest, avoid: set[tuple[str, str]] | None = None
    ) -> tuple[list[QuizItem], list[str]]:
        """Up to `request.n` items mixing the requested kinds; none of a (kind, statement) pair in
        `avoid` (to make more items than one quiz holds); warnings say what fell short."""
        ranked = self.sentences(request)
        makers: dict[QuizKind, Callable[[Sentence, Balancer], QuizItem | None]] = {
            "mcq": self.mcq,
            "tf": self.true_false,
            "cloze": self.cloze,
            "report": self.report_kind,
        }
        items = self.assemble(request, ranked, makers, avoid or set())
        if not items:
            raise NothingToAsk(self.why_nothing(request))
        warnings = []
        if len(items) < request.n:
            warnings.append(
                f"only {len(items)} of the {request.n} items asked for could be made: the passages"
                " about this subject hold no more sentences that pass the checks"
            )
        return items, warnings

    def assemble(
        self,
        request: QuizRequest,
        ranked: list[Sentence],
        makers: dict[QuizKind, Callable[[Sentence, Balancer], QuizItem | None]],
        avoid: set[tuple[str, str]],
    ) -> list[QuizItem]:
        """Round-robin over kinds, each taking its best unused sentence; no repeated stems."""
        balance = Balancer()
        made: dict[QuizKind, int] = {k: 0 for k in request.kinds}
        cursor: dict[QuizKind, int] = {k: 0 for k in request.kinds}
        used: set[str] = set()
        asked: list[np.ndarray] = []
        stems: set[str] = set()
        items: list[QuizItem] = []
        active = list(request.kinds)
        while active and len(items) < request.n:
            kind = min(active, key=lambda k: (made[k], request.kinds.index(k)))
            item = None
            while item is None and cursor[kind] < len(ranked):
                sentence = ranked[cursor[kind]]
                cursor[kind] += 1
                if sentence.quote in used or (kind, sentence.text) in avoid:
                    continue
                if self.repeats(sentence, asked):
                    continue
                if cursor[kind] % 16 == 1:  # encode the next sentences in one batch
                    ahead = ranked[cursor[kind] - 1 : cursor[kind] + 15]
                    self.embedder.prefetch([s.text for s in ahead])
                if not self.supports(sentence.passage, sentence.text):
                    continue  # the cleaned sentence must still say what the passage says
                item = makers[kind](sentence, balance)
                if item and " ".join(item.stem.lower().split()) in stems:
                    item = None
            if item is None:
                active.remove(kind)
                continue
            used.add(item.citation.quote)
            asked.append(ranked[cursor[kind] - 1].vector)
            stems.add(" ".join(item.stem.lower().split()))
            made[kind] += 1
            items.append(item)
        return items

    def repeats(self, sentence: Sentence, asked: list[np.ndarray]) -> bool:
        """Nearly the same sentence (from another passage) is already asked about."""
        limit = self.params.duplicate_above
        return any(float(sentence.vector @ v) > limit for v in asked)

    def why_nothing(self, request: QuizRequest) -> str:
        subject = (
            "this topic" if request.topic else "this theme" if request.theme else "these reports"
        )
        kinds = ", ".join(KIND_NAMES[k] for k in request.kinds)
        return (
            f"nothing to ask about {subject}: no passage of the index has a sentence about it"
            f" that passes the checks for the kinds asked for ({kinds})"
        )
