"""The decide stage: does what was retrieved answer the question? One calibrated decision.

A logistic regression over a few continuous signals that don't depend on the corpus (how close
the best sentence and passage are, how much of the question the passages cover, whether dense and
BM25 retrieval agree, whether the periods and names the question uses are there) gives the
chance that the question is answered. It is fitted on labelled questions by `python -m
eval.fit_answerability`, which chooses the threshold on held-out folds and writes
`answerability.json` beside this file.

Guards refuse what the signals cannot see: another publication ("the Jay Review"), a figure
asked for that no chosen sentence gives (or only another report's), and an answer whose lead
sentence is closest to the question where it says the sources lack it. Each guard is one class
that can be switched off, so its contribution is measured on the blind batches (`eval run
--without-guard NAME`). A guard for the reports' exact wording changed nothing there and was
removed.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from assistant.embedder import Embedder
from assistant.gaps import CLAUSE, GAP
from assistant.index_schema import Passage
from assistant.publications import other_annual_report, other_publication
from assistant.query import Query
from assistant.rerank import Candidate
from assistant.retrieval import ScoredPassage
from assistant.store import IndexStore
from assistant.text_features import content_terms, specific_terms

MODEL_FILE = Path(__file__).with_name("answerability.json")
FEATURES = (
    "best_similarity",  # cosine of the closest retrieved sentence to the question
    "passage_similarity",  # cosine of the best passage (its closest window) to the question
    "coverage",  # weighted share of the question's words the top passages use (or near-synonyms)
    "kept_meaning",  # cosine of the topic to itself without the words the answer doesn't use
    "agreement",  # share of the top 5 passages that both dense and BM25 rank in their top 10
    "specifics_found",  # share of the years and periods the question states found in the answer
    "names_found",  # share of the names and acronyms the question uses found in the top passages
)
PERIOD = re.compile(r"^(?:19|20)\d\d(?:-\d\d)?$")  # "2009-11", "2020" as specific_terms gives them
TOP_SENTENCES = 10  # the sentences near-synonyms are looked for in
TOP_PASSAGES = 3  # the passages whose words count as covering the question
NEAR = 0.5  # a word this close to a sentence counts as used by it, for kept_meaning


def near_words(word_vectors: np.ndarray, candidates: Sequence[Candidate]) -> np.ndarray:
    """For each word, its highest cosine to any candidate sentence (0 when there are none)."""
    if not len(candidates) or not len(word_vectors):
        return np.zeros(len(word_vectors))
    vectors = np.stack([c.vector for c in candidates])
    return np.asarray((word_vectors @ vectors.T).max(axis=1), dtype=float)


def weighted_cover(
    stems: list[str], weights: np.ndarray, used: set[str], near: np.ndarray
) -> float:
    """Weighted share of the words used (1 each) or, failing that, near (their cosine)."""
    per_word = np.array([1.0 if s in used else float(n) for s, n in zip(stems, near, strict=True)])
    return float((per_word * weights).sum() / weights.sum()) if len(stems) else 1.0


def without_words(text: str, unused: list[str]) -> str:
    pattern = r"\b(?:" + "|".join(re.escape(w) for w in unused) + r")\b"
    return re.sub(pattern, " ", text, flags=re.IGNORECASE)


def features(
    query: Query,
    hits: Sequence[ScoredPassage],
    ranked: Sequence[Candidate],
    chosen: Sequence[Candidate],
    store: IndexStore,
    encode: Callable[[list[str]], np.ndarray],
) -> dict[str, float]:
    """The signals the decision rests on, each in [0, 1] or close to it. Words are weighted by
    how rare they are in the corpus (a word no passage uses weighs most)."""
    words = list(query.topic_words)
    stems = [next(iter(content_terms(w)), w) for w in words]
    counts, total = store.term_passages, max(1, len(store.passages))
    weights = np.array([math.log((total + 1) / (counts.get(s, 0) + 0.5)) for s in stems])
    vectors = query.word_vectors if query.word_vectors is not None else np.zeros((0, 1))
    in_top: set[str] = set()
    for hit in hits[:TOP_PASSAGES]:
        in_top = in_top.union(*store.sentence_terms(hit.passage.id), context_terms(hit.passage))
    in_answer: set[str] = set().union(*(c.terms for c in chosen))
    for passage in {c.passage.id: c.passage for c in chosen}.values():
        in_answer |= context_terms(passage)
    near_top = near_words(vectors, ranked[:TOP_SENTENCES])
    near_answer = near_words(vectors, chosen)
    unused = [
        w
        for w, s, n in zip(words, stems, near_answer, strict=True)
        if s not in in_answer and n < NEAR
    ]
    kept = 1.0
    if unused:
        rest = without_words(query.about, unused)
        if content_terms(rest):
            kept = float(encode([rest])[0] @ query.topic_vector)
        elif query.follow_up:  # "and over what period?" means little alone: judge the whole
            kept = float(encode([without_words(query.text, unused)])[0] @ query.vector)
        else:
            kept = 0.0
    both = [h for h in hits[:5] if (h.dense_rank or 99) <= 10 and (h.lexical_rank or 99) <= 10]
    # periods only: a figure a question states is mostly its context ("of the 538 notifications")
    # or a paraphrase ("12 months"), while a period says which time or publication is meant;
    # one in a report's own title ("2014-17") doesn't narrow the question
    stated = {t for t in query.specifics if PERIOD.match(t)} - store.title_specifics
    found = {t for c in chosen for t in specific_terms(c.quote)}
    return {
        "best_similarity": max((c.similarity for c in ranked), default=0.0),
        "passage_similarity": max((h.similarity for h in hits[:TOP_PASSAGES]), default=0.0),
        "coverage": weighted_cover(stems, weights, in_top, near_top),
        "kept_meaning": kept,
        "agreement": len(both) / min(5, len(hits)) if hits else 0.0,
        "specifics_found": len(stated & found) / len(stated) if stated else 1.0,
        "names_found": share_found(query.names, in_top),
    }


def context_terms(passage: Passage) -> set[str]:
    """The words a sentence is read under: its heading ("Panel members" says who they are) and
    its document's title ("the review" in a report on criminal exploitation is that review)."""
    return content_terms(passage.section) | content_terms(passage.report_title)


def share_found(names: frozenset[str], terms: set[str]) -> float:
    """Share of the names whose stem is among the terms (1 when there are none)."""
    if not names:
        return 1.0
    return sum(next(iter(content_terms(n)), n) in terms for n in names) / len(names)


@dataclass(frozen=True)
class AnswerabilityModel:
    """Standardised features, weights and the refusal threshold of the fitted regression."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float  # refuse when the probability is under this
    fitted: dict[str, object]  # what it was fitted on, and its held-out figures

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> AnswerabilityModel:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            features=tuple(data["features"]),
            mean=tuple(data["mean"]),
            scale=tuple(data["scale"]),
            coef=tuple(data["coef"]),
            intercept=float(data["intercept"]),
            threshold=float(data["threshold"]),
            fitted=dict(data.get("fitted", {})),
        )

    def save(self, path: Path = MODEL_FILE) -> None:
        data = {
            "features": list(self.features),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "coef": list(self.coef),
            "intercept": self.intercept,
            "threshold": self.threshold,
            "fitted": self.fitted,
        }
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")

    def probability(self, values: dict[str, float]) -> float:
        z = self.intercept + sum(
            w * (values[f] - m) / s
            for f, m, s, w in zip(self.features, self.mean, self.scale, self.coef, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-z))


@lru_cache(maxsize=4)
def default_model(path: Path = MODEL_FILE) -> AnswerabilityModel:
    return AnswerabilityModel.load(path)


class Guard(Protocol):
    """A check that refuses what the signals cannot see; None when it has nothing to say."""

    name: str

    def check(
        self, query: Query, hits: Sequence[ScoredPassage], chosen: Sequence[Candidate]
    ) -> str | None: ...


class OtherPublicationGuard:
    """A question about a publication the index does not hold ("the Jay Review", "the Panel's
    second annual report"), which a passage mentioning it would seem to answer."""

    name = "publication"

    def __init__(self, store: IndexStore) -> None:
        self.store = store

    def check(
        self, query: Query, hits: Sequence[ScoredPassage], chosen: Sequence[Candidate]
    ) -> str | None:
        found = other_publication(query.asked, self.store.knowledge) or other_annual_report(
            query.asked, self.store.report_titles
        )
        return (
            f"the question asks about another publication ({found}), not the reports"
            if found
            else None
        )


class MissingFigureGuard:
    """A question asking for a figure (how many, how much, when, how long) that no chosen
    sentence gives: the passages are on its topic but say nothing of the amount, so the topic
    signals would answer it with the wrong thing. Open and named-thing questions are left to the
    model: their answers are too varied to recognise."""

    name = "figure"
    KINDS = {"count": "figure", "money": "amount", "date": "date", "duration": "length of time"}

    def __init__(self, store: IndexStore) -> None:
        self.store = store

    def check(
        self, query: Query, hits: Sequence[ScoredPassage], chosen: Sequence[Candidate]
    ) -> str | None:
        kind = query.wanted.kind if query.wanted else None
        if kind not in self.KINDS or any(
            c.gives_type and self.of_named(c, query.named) for c in chosen
        ):
            return None
        return f"the passages found are on its topic but give no {self.KINDS[kind]} for it"

    def of_named(self, candidate: Candidate, named: frozenset[str]) -> bool:
        """Whether the sentence can give a figure of the reports the question names: it is from
        one of them, or names one ("the triennial is 277 pages" is no page count of the Panel's
        annual report)."""
        if not named or candidate.passage.report_id in named:
            return True
        return bool(self.store.knowledge.named_reports(candidate.quote) & named)


class DeclaredGapGuard:
    """The sentence that would lead the answer says the sources lack what is asked: of its
    clauses, the one closest to the question is a declared gap ("What did the letter commit
    to?" against "...; its content was not seen"). The gap is the honest answer: a refusal."""

    name = "gap"

    def __init__(self, encode: Callable[[list[str]], np.ndarray]) -> None:
        self.encode = encode

    def check(
        self, query: Query, hits: Sequence[ScoredPassage], chosen: Sequence[Candidate]
    ) -> str | None:
        lead = chosen[0].quote if chosen else ""
        if not GAP.search(lead):
            return None
        clauses = [c for c in CLAUSE.split(lead) if c.strip()]
        closest = clauses[int(np.argmax(self.encode(clauses) @ query.topic_vector))]
        if not GAP.search(closest):
            return None
        return "the passages found say that their sources do not give it"


GUARDS = ("publication", "figure", "gap")


@dataclass(frozen=True)
class Decision:
    answerable: bool
    probability: float
    why: str | None  # the reason shown with a refusal
    values: dict[str, float]


class AnswerabilityDecider:
    """Guards first, then the calibrated model."""

    def __init__(
        self,
        store: IndexStore,
        embedder: Embedder,
        model: AnswerabilityModel | None = None,
        without: frozenset[str] = frozenset(),
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.model = model or default_model()
        guards: list[Guard] = [
            OtherPublicationGuard(store),
            MissingFigureGuard(store),
            DeclaredGapGuard(embedder.encode),
        ]
        self.guards = [g for g in guards if g.name not in without]

    def features(
        self,
        query: Query,
        hits: Sequence[ScoredPassage],
        ranked: Sequence[Candidate],
        chosen: Sequence[Candidate],
    ) -> dict[str, float]:
        encode = self.embedder.encode
        return features(query, hits, ranked, chosen, self.store, encode)

    def run(
        self,
        query: Query,
        hits: Sequence[ScoredPassage],
        ranked: Sequence[Candidate],
        chosen: Sequence[Candidate],
    ) -> Decision:
        values = self.features(query, hits, ranked, chosen)
        probability = self.model.probability(values)
        if not hits or not chosen:
            return Decision(False, 0.0, "no passage is close enough to the question", values)
        for guard in self.guards:
            if why := guard.check(query, hits, chosen):
                return Decision(False, probability, why, values)
        if probability < self.model.threshold:
            return Decision(False, probability, self.explain(query, values, probability), values)
        return Decision(True, probability, None, values)

    def explain(self, query: Query, values: dict[str, float], probability: float) -> str:
        """The refusal's reason in words, with the weakest signal named."""
        weakest = "they share little of what it asks about"
        if values["names_found"] < 1:
            weakest = "they don't mention every name it uses"
        elif values["specifics_found"] < 1:
            weakest = "none mentions the period or figure it names"
        elif values["kept_meaning"] < 0.8:
            weakest = "they leave out words that carry its meaning"
        elif values["best_similarity"] < 0.5:
            weakest = "none is close to it in meaning"
        return (
            f"the passages found don't answer it closely enough: {weakest}"
            f" (confidence {probability:.2f}, below {self.model.threshold:.2f})"
        )
