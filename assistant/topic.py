"""A question's topic: the question without the words that only name which report it asks.

"What did the triennial find about teenagers who go missing?" is about teenagers going missing;
ranking sentences against the whole question favours sentences about the triennial itself (its
authors, its page count), which share the report's name and nothing of the topic.
"""

from __future__ import annotations

import re

from assistant.text_features import STOPWORDS, words

# Phrases that name a report as a document. Topic words that also pick out a report ("rapid
# reviews", "criminal exploitation", "serious case reviews") stay: they are what is asked about.
DOCUMENT = re.compile(
    r"(?:\b(?:it was )?hard to escape(?: review)?"
    r"|\b(?:(?:the|this|its|their) )?(?:(?:first|panel'?s?|national|dfe'?s?) )*"
    r"(?:triennial(?: analysis| review| report)?|annual report|(?:criminal )?exploitation review|"
    r"national review|panel report)"
    r"|\b(?:the|these|those|all|both|each of the|all three|both of the)"
    r"(?: (?:three|two|march 2020|panel'?s?))* reports?)\b"
    r"(?: (?:say|says|said|find|finds|found|report|reported|describe|describes|mention|"
    r"mentions|conclude|concluded)\b)?",
    re.IGNORECASE,
)
FILLER = frozenset(
    "what did does do say says said find found according about anything any in on".split()
)


def topic(question: str) -> str:
    """The question without its report-naming phrases; the question itself when nothing is
    left of substance (a question about a report as a document: "who wrote the triennial?")."""
    stripped = re.sub(r"\s+", " ", DOCUMENT.sub(" ", question)).strip(" ,?.")
    substance = [w for w in words(stripped) if w not in STOPWORDS and w not in FILLER]
    return stripped if len(substance) >= 2 else question
