"""What the index says it does not hold: gaps the briefings declare, chapters known only by where
they start, and the reports' own wording when only paraphrasing briefings are indexed.

Each of these makes a near-miss passage look like an answer ("Chapter 14, on data collection,
starts on page 41" for "what did the review find about data collection?"); quoting it would
answer another question, so the answerer refuses and says why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Set as AbstractSet

from assistant.text_features import content_terms, overlap

# Sentences in which a briefing says the public summaries do not give something: quoting one is
# the honest "the reports (as summarised) don't say", so the answer becomes a refusal.
GAP = re.compile(
    r"\b(?:do|does|did) not (?:give|report|say|state|show|name|include|describe)|"
    r"\bnot (?:found|known|confirmed|available|reported|visible|given)\b|\bnot seen\b(?! before)|"
    r"could not see|\bunknown\b",
    re.IGNORECASE,
)
# "Chapter 14 of the review, on data collection, starts on page 41 of the report."
LOCATION = re.compile(r"\b(?:starts?|begins?) on page \d+", re.IGNORECASE)
PAGE = re.compile(r"\bpages? \d+", re.IGNORECASE)
ASKS_LOCATION = re.compile(
    r"\b(?:pages?|chapters?|sections?|where in|starts?|begins?|contents)\b", re.IGNORECASE
)
# A request for the reports' own words, which paraphrasing briefings cannot give.
VERBATIM = re.compile(
    r"\b(?:word[- ]for[- ]word|verbatim|(?:exact|precise|actual|full|original) "
    r"(?:wording|words|text|phrasing|language)|in full|quote)\b",
    re.IGNORECASE,
)


def declares_gap(sentence: str) -> bool:
    return bool(GAP.search(sentence))


CLAUSE = re.compile(r";\s+|:\s+|,\s+but\s+")


def gap_about(sentence: str, topic_terms: AbstractSet[str]) -> bool:
    """Whether the sentence's gap is about the topic: "The government replied with a letter from
    three departments; the content of that letter was not confirmed" answers "which departments
    replied?" in the clause before the gap, so it declares no gap for that question."""
    clauses = CLAUSE.split(sentence)
    gap = " ".join(c for c in clauses if declares_gap(c))
    rest = " ".join(c for c in clauses if not declares_gap(c))
    if not gap:
        return False
    terms = content_terms(rest)
    return not terms or overlap(topic_terms, content_terms(gap)) >= overlap(topic_terms, terms)


def asks_verbatim(question: str) -> bool:
    return bool(VERBATIM.search(question))


def located_only(question: str, best: str, passage_sentences: Iterable[str]) -> bool:
    """Whether the sentence that best matches a question's topic only says where the chapter on
    it starts, in a passage that says nothing else than where it is and that its content is not
    summarised, and the question does not ask where."""
    if ASKS_LOCATION.search(question) or not LOCATION.search(best):
        return False
    sentences = [s for s in passage_sentences if not s.startswith("(Source")]
    gaps = [s for s in sentences if declares_gap(s)]
    return bool(gaps) and all(s in gaps or LOCATION.search(s) for s in sentences)
