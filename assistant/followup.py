"""Follow-up questions: which questions lean on earlier turns, and what they refer to.

The rewrite stage (query.py) uses these to make a follow-up standalone: its own words first, then
the person, report or subject of the turns it leans on.
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
THEY = frozenset("they their them theirs".split())  # one person, when the turn before asked who
WHO = re.compile(r"^\W*(?:\w+\W+){0,2}?who\b", re.IGNORECASE)
PRONOUNS = frozenset("it its they them their those these this that he she his her there".split())
DEMONSTRATIVE = re.compile(r"\b(?:those|these)\s+(?!who\b|which\b|that\b)\w+", re.IGNORECASE)
AGREEING = re.compile(
    r"\b(?:agree|agrees|disagree|the same|say so|too|as well|either|also)\b", re.IGNORECASE
)
SHORT = 5  # a question of at most this many words is read as a follow-up when history exists
# a short question led by a preposition and a question word continues the last one ("from how
# many local areas?", "in which year?")
CONTINUING = re.compile(
    r"^\W*(?:from|in|for|by|at|to|with|since|until|of|over|across)\s+"
    r"(?:how|what|which|whom|when|where)\b",
    re.IGNORECASE,
)


# "How many reviews were there, and how many children did they concern?" asks two things
SECOND_QUESTION = re.compile(
    r",?\s+and\s+(?=(?:how|what|who|whom|which|when|where|why)\b)", re.IGNORECASE
)


def question_parts(question: str) -> list[str]:
    """A question that asks two things joined by "and" plus a question word, as two questions;
    the second leans on the first as a follow-up leans on the turn before."""
    parts = [p.strip() for p in SECOND_QUESTION.split(question)]
    if len(parts) < 2 or any(len(p.split()) < 2 for p in parts):
        return [question]
    return parts


class Turn(BaseModel):
    """One earlier exchange in the conversation."""

    question: str = Field(max_length=1000)
    answer: str = Field("", max_length=20000)


def is_follow_up(question: str) -> bool:
    """True for short, conjunction-led or pronoun-led questions that lean on an earlier turn."""
    tokens = words(question)
    content = [t for t in tokens if t not in STOPWORDS]
    if LEADS.match(question) or DEMONSTRATIVE.search(question):
        return True
    if len(tokens) <= 2 * SHORT and AGREEING.search(question):  # "does the annual report agree?"
        return True
    if len(tokens) <= SHORT and len(content) <= 1:  # "how many children?", "who else?"
        return True
    if len(tokens) <= SHORT and CONTINUING.match(question):
        return True
    return any(t in PRONOUNS for t in tokens) and len(content) <= 3


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
    the Panel?" ... "what was his background?" is about Edward Timpson); "they" or "their" too
    when the previous question asked who."""
    if not history:
        return []
    pronouns = set(words(question))
    asked_who = bool(WHO.search(history[-1].question))
    if not (PERSONAL & pronouns or asked_who and THEY & pronouns):
        return []
    answer = history[-1].answer
    names = person_names(answer)
    first = next((m.group(0) for m in NAME.finditer(answer) if m.group(0) in names), None)
    return [first] if first else []
