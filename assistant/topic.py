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


# The noun a question turns on, with the words after it: "what did the triennial say about
# restraint in secure homes", "what training must foster carers complete", "how much pupil
# premium". Words that only say what kind of answer is wanted ("what proportion", "what hours",
# "how much money", "what kind of") are not it.
FOCUS = re.compile(
    r"\b(?:about|what|which|how much)\s+(?:(?:the|a|an|their|its|his|her|kind of|sort of)\s+)?"
    r"([\w'-]+)((?:\s+[\w'-]+){0,2})",
    re.IGNORECASE,
)
ANSWER_WORDS = frozenset(
    """proportion proportions percentage percentages share fraction number numbers kind sort type
    way ways money cost costs amount sum hours days weeks months years time times date dates age
    ages figure figures page pages size length""".split()
)

MODALS = frozenset("must should can could would will might may shall need needs".split())


def focus_words(question: str) -> dict[str, str]:
    """The words a question turns on, lower-cased, each with its phrase ("private" -> "private
    fostering arrangements"), in order (see FOCUS)."""
    found: dict[str, str] = {}
    for match in FOCUS.finditer(question):
        word = match.group(1).lower()
        if word in STOPWORDS or word in FILLER or word in ANSWER_WORDS:
            continue
        phrase = [word]
        for after in match.group(2).split():
            if after.lower() in STOPWORDS or after.lower() in MODALS:
                break
            phrase.append(after)
        found.setdefault(word, " ".join(phrase))
    return found
