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
from assistant.wording import counted

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
    # "Which report says this?" only where the statement's subject is its report's: the report's
    # other sentences come this much closer to it than any other report's (cosine).
    report_margin: float = 0.08


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


def theme_matches(theme: str, section: str) -> bool:
    """The theme's words are all in one heading of the section's path ("8 Critical moments"
    matches "critical moments"), so every passage under that heading is drawn on."""
    wanted = content_terms(theme)
    return bool(wanted) and any(wanted <= content_terms(h) for h in section.split(" > "))


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
        self._by_report: dict[str, tuple[np.ndarray, list[str]]] | None = None

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

    def distractors(
        self, fact: Fact, passage: Passage, need: int, closest: bool = False
    ) -> list[str] | None:
        """`need` wrong options the passage does not support, or None. `closest` tries first
        the terms whose statement reads nearest the true one (a plausible mistake, not
        nonsense), as a false true/false statement needs; figures keep their nearness order."""
        chosen: list[str] = []
        options = self.pool.candidates(fact, passage.text)
        if closest and not fact.is_figure and options:
            vectors = self.embedder.encode([fact.text, *(fact.filled(o) for o in options)])
            order = np.argsort(-(vectors[1:] @ vectors[0]), kind="stable")
            options = [options[i] for i in order]
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
            theme = request.theme
            found = [p for p in found if theme_matches(theme, p.section)]
        return found, vector

    def sentences(self, request: QuizRequest) -> list[Sentence]:
        """Usable sentences about the subject, best first."""
        passages, vector = self.passages_for(request)
        obvious = content_terms(f"{request.topic or ''} {request.theme or ''}")
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
                # The subject's own words would be the obvious guess for every blank.
                facts = tuple(f for f in facts_in(quote) if not content_terms(f.value) & obvious)
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
                wrong = self.distractors(fact, sentence.passage, 1, closest=True)
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
        """A figure to fill in: a word's blank has synonyms no marker can list in advance."""
        for fact in (f for f in sentence.facts if f.is_figure):
            stem = f"Fill in the blank. {self.label(sentence.passage.report_id)}: {fact.blanked()}"
            if not gives_away(stem, fact.value):
                accepted = cloze_spellings(fact.value)
                return self.item("cloze", sentence, stem, [], fact.value, fact, accepted=accepted)
        return None

    def report_kind(self, sentence: Sentence, balance: Balancer) -> QuizItem | None:
        own = sentence.passage.report_id
        reports = [r for r in self.store.report_ids() if r in self.labels and r != "common-themes"]
        if own not in reports or len(reports) < 2 or self.names_a_report(sentence.text):
            return None
        if not self.belongs_to(sentence, own):
            return None  # general advice any report could give: the answer would not be unique
        for rival in (r for r in reports if r != own):
            hits = self.retriever.run(sentence.text, self.params.rival_passages, [rival])
            if any(self.supports(h.passage, sentence.text) for h in hits):
                return None  # another report says it too: the answer would not be unique
        position = balance.position("report", len(reports), sentence.quote)
        shift = (reports.index(own) - position) % len(reports)
        options = [self.label(r) for r in reports[shift:] + reports[:shift]]
        stem = f"Which report says this? “{sentence.text}”"
        return self.item("report", sentence, stem, options, self.label(own), None)

    def names_a_report(self, text: str) -> bool:
        """The statement names a report (the manifest's names), giving the answer away."""
        knowledge = self.store.knowledge
        named = any(p.search(text) for p in knowledge.report_names.values())
        return named or bool(knowledge.documents and knowledge.documents.search(text))

    def report_vectors(self) -> dict[str, tuple[np.ndarray, list[str]]]:
        """Per report, every sentence vector and its passage id (comparison briefings, which
        belong to no one report, left out)."""
        if self._by_report is None:
            rows: dict[str, tuple[list[np.ndarray], list[str]]] = {}
            for p in self.store.passages:
                if p.report_id in self.labels and p.report_id != "common-themes":
                    vectors, owners = rows.setdefault(p.report_id, ([], []))
                    stored = self.store.sentences(p.id).vectors
                    vectors.append(stored)
                    owners += [p.id] * len(stored)
            self._by_report = {r: (np.vstack(v), o) for r, (v, o) in rows.items()}
        return self._by_report

    def belongs_to(self, sentence: Sentence, report: str) -> bool:
        """The statement's subject is its report's: the report's other passages come closer to
        it than any other report's do, by a margin, so a learner could know which it is."""
        own, rival = -1.0, -1.0
        for r, (vectors, owners) in self.report_vectors().items():
            sims = vectors @ sentence.vector
            if r == report:
                others = [s for s, o in zip(sims, owners, strict=True) if o != sentence.passage.id]
                own = max(others, default=-1.0)
            else:
                rival = max(rival, float(sims.max()))
        return own - rival >= self.params.report_margin

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
            raise NothingToAsk(self.why_nothing(request, len(ranked)))
        warnings = []
        if len(items) < request.n:
            warnings.append(
                f"only {len(items)} of the {request.n} items asked for could be made: of"
                f" {counted(len(ranked), 'usable sentence')} about this subject, no more pass the"
                f" checks for the kinds asked for ({self.kind_names(request)}); ask for more kinds"
                " or a broader subject"
            )
        missing = [KIND_NAMES[k] for k in request.kinds if not any(i.kind == k for i in items)]
        if missing:
            warnings.append(
                f"no {' or '.join(missing)} item could be made about this subject: none of its"
                " sentences has a figure or term with one right answer for that kind"
            )
        return items, warnings

    @staticmethod
    def kind_names(request: QuizRequest) -> str:
        return ", ".join(KIND_NAMES[k] for k in request.kinds)

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

    def why_nothing(self, request: QuizRequest, usable_sentences: int) -> str:
        subject = (
            "this topic" if request.topic else "this theme" if request.theme else "these reports"
        )
        found = (
            f"of {counted(usable_sentences, 'usable sentence')} about it, none passes"
            if usable_sentences
            else "its passages have no sentence that states a finding (they describe sources,"
            " pages or what is uncertain), so none passes"
        )
        return f"nothing to ask about {subject}: {found} the checks for the kinds asked for" + (
            f" ({self.kind_names(request)})"
        )
