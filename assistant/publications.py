"""Questions about another publication: "what did the Panel's SUDI review find?" asks about a
report the index does not hold, even when the briefings mention that it exists (by its date or
its subject). Quoting the mention would answer a different question, so the answerer refuses."""

from __future__ import annotations

import re

from assistant.retrieval import REPORT_NAMES

# A named publication: one to three words before "review", "report", "inspection" or "inquiry",
# the one just before it a name (capitalised, an acronym or a year): "the Jay Review", "the
# HMICFRS inspection", "the Welsh Senedd's report", "the Panel's SUDI review".
PUBLICATION = re.compile(
    r"\b((?:[\w'’-]+\s+){0,2}(?:[A-Z][\w'’-]*|(?:19|20)\d\d(?:-\d\d)?)\s+"
    r"(?:[Rr]eview|[Rr]eport|[Ii]nspection|[Ii]nquiry))\b(?!s)"
)
# Words before "review"/"report" that name one of the three reports or say whose it is.
OURS = re.compile(
    r"^(?:the|this|that|its|their|first|national|annual|panel'?s?|dfe'?s?|march|2020|"
    r"2018-19|2014-17|scr|triennial|it|was|hard|to|escape|a|an|and|of|in|on)$",
    re.IGNORECASE,
)

LEADING = re.compile(r"^(?:(?:what|did|does|do|was|is|in|the)\s+)+", re.IGNORECASE)


def other_publication(question: str) -> str | None:
    """The name of a publication the question asks about that is none of the three reports."""
    for match in PUBLICATION.finditer(question):
        phrase = match.group(1)
        if any(pattern.search(phrase) for pattern in REPORT_NAMES.values()):
            continue
        qualifiers = phrase.split()[:-1]
        if all(OURS.match(w.strip("'’")) for w in qualifiers):
            continue
        if match.start() == 0 or not qualifiers:  # a capital that only starts the question
            continue
        return LEADING.sub("", phrase)
    return None
