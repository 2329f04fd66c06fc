"""Follow-up questions: expand a short or pronoun-led question with the previous subject.

Deterministic, for extractive mode: "what about for babies?" after "which children were most
at risk?" is searched as "children risk babies": the content words of both questions. Compact
keyword queries match the sentence embeddings better than a question padded with filler words.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from assistant.answer_type import NAME, person_names
from assistant.text_features import STOPWORDS, words

LEADS = re.compile(
    r"^\s*(and|but|also|so|what about|how about|what of|and what|same for|then|why|how come|"
    r"is that|was that|were they|are they|did they|do they|does it|did it|who led it)\b",
    re.IGNORECASE,
)
PERSONAL = frozenset("he his him she her hers".split())
PRONOUNS = frozenset("it its they them their those these this that he she his her there".split())
DEMONSTRATIVE = re.compile(r"\b(?:those|these)\s+(?!who\b|which\b|that\b)\w+", re.IGNORECASE)
SHORT = 5  # a question of at most this many words is read as a follow-up when history exists


class Turn(BaseModel):
    """One earlier exchange in the conversation."""

    question: str = Field(max_length=1000)
    answer: str = Field("", max_length=20000)


def is_follow_up(question: str) -> bool:
    """True for short, conjunction-led or pronoun-led questions that lean on an earlier turn."""
    tokens = words(question)
    if len(tokens) <= SHORT or LEADS.match(question):
        return True
    if DEMONSTRATIVE.search(question):
        return True
    content = [t for t in tokens if t not in STOPWORDS]
    return any(t in PRONOUNS for t in tokens) and len(content) <= 3


def subject(question: str) -> list[str]:
    """The content words of a question, in order, without duplicates."""
    kept = [w for w in words(question) if w not in STOPWORDS and w not in PRONOUNS]
    return list(dict.fromkeys(kept))


def leaning_on(history: list[Turn]) -> list[str]:
    """The earlier questions a follow-up leans on: the last, and the one before if the last was
    itself a follow-up."""
    previous: list[str] = []
    for turn in reversed(history[-2:]):
        previous.insert(0, turn.question)
        if not is_follow_up(turn.question):
            break
    return previous


def referent(question: str, history: list[Turn]) -> list[str]:
    """The person "he" or "her" stands for: the first name the previous answer gives ("who chaired
    the Panel?" ... "what was his background?" is about Edward Timpson)."""
    if not history or not PERSONAL & set(words(question)):
        return []
    answer = history[-1].answer
    names = person_names(answer)
    first = next((m.group(0) for m in NAME.finditer(answer) if m.group(0) in names), None)
    return [first] if first else []


def expand(question: str, history: list[Turn]) -> str:
    """The question to retrieve with: unchanged unless it is a follow-up with history."""
    if not history or not is_follow_up(question):
        return question
    previous = [w for q in leaning_on(history) for w in subject(q)]
    person = [w for name in referent(question, history) for w in words(name)]
    return " ".join(dict.fromkeys(previous + person + subject(question))) or question


def embedding_text(question: str, history: list[Turn]) -> str:
    """The text to embed for a follow-up: the earlier questions and this one as written. The
    keyword form embeds far from the sentences that answer it (dev follow-ups: "who else from the
    Panel helped with it?" was refused), while BM25 and the checks keep the keywords."""
    if not history or not is_follow_up(question):
        return question
    earlier = [q.strip().rstrip("?").strip() for q in leaning_on(history)]
    return "; ".join(earlier + referent(question, history)) + "; " + question
