"""A question's topic: the question without the words that only name which report it asks.

"What did the triennial find about teenagers who go missing?" is about teenagers going missing;
ranking sentences against the whole question favours sentences about the triennial itself (its
authors, its page count), which share the report's name and nothing of the topic. The names of
the reports as documents come from the corpus manifest (`documents`); words that also pick out
a report's subject ("rapid reviews", "criminal exploitation") stay, as they are what is asked.
"""

from __future__ import annotations

import re

from assistant.knowledge import EMPTY, CorpusKnowledge
from assistant.text_features import STOPWORDS, words

# Words that may stand before a report's name ("the Panel's first annual report") and the verbs
# that follow it ("... say", "... found"), whichever reports are indexed.
BEFORE = r"(?:(?:the|this|that|its|their|these|those|first|latest|new|(?-i:[A-Z])\w*'s?)\s+)*"
AFTER = (
    r"(?:\s+(?:say|says|said|find|finds|found|report|reported|describe|describes|mention|"
    r"mentions|conclude|concluded))?\b"
)
ANY_REPORTS = re.compile(
    r"\b(?:the|these|those|all|both|each of the|all three|both of the)"
    r"(?: (?:three|two|march 2020|panel'?s?))* reports?\b" + AFTER,
    re.IGNORECASE,
)
FILLER = frozenset(
    "what did does do say says said find found according about anything any in on".split()
)


def without_documents(text: str, knowledge: CorpusKnowledge = EMPTY) -> str:
    """The text without the phrases that name a report as a document."""
    stripped = ANY_REPORTS.sub(" ", text)
    if knowledge.documents is not None:
        named = re.compile(BEFORE + f"(?:{knowledge.documents.pattern})" + AFTER, re.IGNORECASE)
        stripped = named.sub(" ", stripped)
    return re.sub(r"\s+", " ", re.sub(r"\(\s*\)", " ", stripped)).strip(" ,?.")


def topic(question: str, knowledge: CorpusKnowledge = EMPTY) -> str:
    """The question without its report-naming phrases; the question itself when nothing is
    left of substance (a question about a report as a document: "who wrote the triennial?")."""
    stripped = without_documents(question, knowledge)
    substance = [w for w in words(stripped) if w not in STOPWORDS and w not in FILLER]
    return stripped if len(substance) >= 2 else question
