"""The rewrite stage: a question (and the turns before it) analysed once into a `Query`.

Every later stage (retrieve, rerank, decide, compose) reads the Query instead of deriving its own
view of the question. In extractive mode the rewrite is deterministic: a follow-up keeps its own
words in front, because they are what it asks, and the earlier turns add only what it refers to:
the person ("he"), the report, the group or subject ("those", "them", "and for teenagers?").
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from assistant.answer_type import AnswerType, answer_type
from assistant.embedder import Embedder
from assistant.followup import Turn, is_follow_up, leaning_on, referent
from assistant.knowledge import EMPTY, CorpusKnowledge
from assistant.spelling import Speller
from assistant.text_features import (
    STOPWORDS,
    content_terms,
    names,
    specific_terms,
    with_acronyms_spelled_out,
    words,
    written_out_acronyms,
)
from assistant.topic import topic, without_documents

# Who is asking, said before the question: "As a health visitor, ...", "DSL here - ...".
ROLE = re.compile(
    r"^\s*(?:(?:as|i'?m|i am|we're|we are)\s+(?:an?|the)\s+[^,.;:?]{1,40}?\s*[,:;–-]\s*"
    r"|[\w ]{2,30}?\s+(?:here|asking)\s*[,.:;–-]+\s*)",
    re.IGNORECASE,
)
# A polite wrapper says how it is asked, not what: "Could you tell me ...", "I'd like to know: ...".
POLITE = re.compile(
    r"^\s*(?:please\s*,?\s*)?(?:(?:could|can|would|will) you (?:please )?(?:tell|show|remind) me"
    r"|i'?d like to know|i would like to know|i want to know|do you know|tell me)\b\s*[:,–-]?\s*",
    re.IGNORECASE,
)
FILLER = frozenset("and also so then what about how come same too else".split())


@dataclass(frozen=True)
class Query:
    """One question, analysed once: its standalone text and everything the stages read."""

    asked: str  # as typed
    text: str  # standalone: acronyms spelled out, a follow-up with what it refers to
    own: str  # the new turn alone, acronyms spelled out (== text when not a follow-up)
    follow_up: bool
    topic: str  # `text` without the words that only name a report
    terms: frozenset[str]  # content stems the sentences are matched on
    own_terms: frozenset[str]  # content stems of the new turn's own topic
    about: str  # what the new turn itself asks about (its topic); `topic_vector` embeds it
    topic_words: tuple[str, ...]  # the content words of `about`, unstemmed, in order
    specifics: frozenset[str]
    names: frozenset[str]  # proper nouns and acronyms the new turn names, beyond the corpus's own
    wanted: AnswerType | None
    named: frozenset[str]  # report ids the question names
    vector: np.ndarray = field(repr=False)
    topic_vector: np.ndarray = field(repr=False)  # of the topic the answer's words must carry
    own_vector: np.ndarray | None = field(default=None, repr=False)
    word_vectors: np.ndarray | None = field(default=None, repr=False)  # one per topic word
    previous_answer: str = ""  # what the chat last showed, for spotting a repeated answer


def without_role(text: str) -> str:
    """The question without who is asking ("As a health visitor, ...") or a polite wrapper
    ("Could you tell me ..."), when enough is left."""
    rest = POLITE.sub("", ROLE.sub("", text, count=1), count=1)
    if rest == text or len(rest.split()) < 3:
        return text
    return rest[:1].upper() + rest[1:]


def content_words(text: str) -> list[str]:
    """The content words of a text, lower-cased, in order, once each."""
    kept = [w for w in words(text) if w not in STOPWORDS and w not in FILLER and len(w) > 1]
    return list(dict.fromkeys(kept))


def standalone(own: str, history: list[Turn], knowledge: CorpusKnowledge) -> str:
    """A follow-up with what it refers to after its own words: the person the previous answer
    names (for he/she), then the earlier question's subject. The report an earlier turn named is
    carried by `Query.named` (unless the new turn names its own: "does the annual report
    agree?"), not by its words."""
    earlier = leaning_on(history)
    person = referent(own, history)
    context = [without_documents(q, knowledge) for q in map(without_role, earlier)]
    extra = [w for text in person + context for w in content_words(text)]
    present = set(content_words(own))
    added = [w for w in dict.fromkeys(extra) if w not in present]
    return f"{own.strip().rstrip('?').strip()} ({' '.join(added)})" if added else own


def standalone_text(question: str, history: list[Turn], knowledge: CorpusKnowledge = EMPTY) -> str:
    """The question to search with: itself, or a follow-up made standalone (no embedding)."""
    if not history or not is_follow_up(question):
        return question
    return standalone(question, history, knowledge)


ELLIPTICAL = 2  # a follow-up of this many content words or fewer ("and for teenagers?")
WH = re.compile(r"\b(?:what|who|whom|whose|why|how|when|where|which)\b", re.IGNORECASE)
WHAT_ABOUT = re.compile(r"\b(?:what|how) about\b", re.IGNORECASE)


class QueryRewriter:
    """Builds the Query for a question and its history; word vectors are cached across calls."""

    def __init__(
        self,
        embedder: Embedder,
        acronyms: dict[str, str] | None = None,
        knowledge: CorpusKnowledge = EMPTY,
        own_terms_needed: int = 3,
        speller: Speller | None = None,
    ) -> None:
        self.speller = speller
        self.embedder = embedder
        self.acronyms = acronyms or {}
        self.knowledge = knowledge
        self.own_terms_needed = own_terms_needed

    def spelled(self, text: str) -> str:
        """Without a role prefix, typos corrected, then glossary terms and acronyms the corpus
        spells out followed by their names."""
        text = without_role(text)
        text = self.speller.run(text, self.embedder.vocabulary) if self.speller else text
        return with_acronyms_spelled_out(self.knowledge.spell_out(text), self.acronyms)

    def wanted(self, own: str, history: list[Turn]) -> AnswerType | None:
        """What the question asks for; an elliptical follow-up ("and for teenagers?") asks for
        what the turn before it asked for (a reason, a count)."""
        found = answer_type(own)
        asks = WH.search(WHAT_ABOUT.sub(" ", own))
        if found is None and history and not asks and len(content_words(own)) <= ELLIPTICAL:
            return answer_type(self.spelled(leaning_on(history)[-1]))
        return found

    def run(self, question: str, history: list[Turn] | None = None) -> Query:
        history = history or []
        own = self.spelled(question)
        follow_up = bool(history) and is_follow_up(question)
        text = standalone(own, history, self.knowledge) if follow_up else own
        subject = topic(text, self.knowledge)
        own_terms = frozenset(content_terms(topic(own, self.knowledge)))
        terms = frozenset(content_terms(subject))
        if follow_up and len(own_terms) >= self.own_terms_needed:
            terms = own_terms  # a follow-up that names its own topic is matched on it
        about = topic(own, self.knowledge) if follow_up else subject
        # a report's name is carried by `named`, and a glossary term or acronym by the meaning
        # spelled out after it: neither is a word the answer must use
        glossed = self.knowledge.glossed_words(own) | written_out_acronyms(own, self.acronyms)
        found = content_words(without_documents(about, self.knowledge)) or content_words(about)
        topic_words = tuple(w for w in found if w not in glossed) or tuple(found)
        alone = follow_up and len(own_terms) >= self.own_terms_needed
        vectors = self.embedder.encode([text, about, own] if alone else [text, about])
        earlier = " ".join(leaning_on(history)) if follow_up else text
        named = self.knowledge.named_reports(own) or self.knowledge.named_reports(earlier)
        return Query(
            asked=question,
            text=text,
            own=own,
            follow_up=follow_up,
            topic=subject,
            terms=terms,
            own_terms=own_terms,
            about=about,
            topic_words=topic_words,
            specifics=frozenset(specific_terms(own)),
            names=frozenset(names(own) - glossed - self.knowledge.own_words - STOPWORDS),
            wanted=self.wanted(own, history if follow_up else []),
            named=frozenset(named),
            vector=vectors[0],
            topic_vector=vectors[1],
            own_vector=vectors[2] if alone else None,
            word_vectors=WORD_VECTORS.encode(self.embedder, topic_words),
            previous_answer=history[-1].answer if follow_up else "",
        )


class WordVectors:
    """Unit vectors of single words, each encoded once and then kept (the least recently used
    dropped past `size`); they depend only on the embedding model, so every pipeline shares them."""

    def __init__(self, size: int = 20000) -> None:
        self.size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()  # the server answers several requests at once

    def encode(self, embedder: Embedder, tokens: tuple[str, ...]) -> np.ndarray:
        if not tokens:
            return np.zeros((0, embedder.dimension), dtype=np.float32)
        with self._lock:
            missing = [w for w in dict.fromkeys(tokens) if w not in self._vectors]
        encoded = dict(zip(missing, embedder.encode(missing), strict=True)) if missing else {}
        with self._lock:
            self._vectors.update(encoded)
            found = []
            for word in tokens:
                self._vectors.move_to_end(word)
                found.append(self._vectors[word])
            while len(self._vectors) > self.size:
                self._vectors.popitem(last=False)
        return np.stack(found)


WORD_VECTORS = WordVectors()
