"""Sentences that say where things are or what the sources lack, rather than what they say.

"Chapter 14 of the review, on data collection, starts on page 41 of the report" locates a chapter;
"The public summaries do not give the detail" declares a gap. Neither answers a question about the
chapter's content, so such a sentence never leads an answer (compose.py), and the quiz never asks
about one (quiz/facts.py).
"""

from __future__ import annotations

import re

# Sentences in which a briefing says the public summaries do not give something.
GAP = re.compile(
    r"\b(?:do|does|did) not (?:give|report|say|state|show|name|include|describe)|"
    r"\bnot (?:found|known|confirmed|available|reported|visible|given)\b|\bnot seen\b(?! before)|"
    r"could not see|\bunknown\b",
    re.IGNORECASE,
)
# Where a sentence joins what is known to what is not ("a joint letter from three departments; its
# content was not seen"): semicolons, colons, dashes and the conjunctions that start a clause.
CLAUSE = re.compile(
    r";\s+|,\s+(?:but|and|which|while|so)\s+|:\s+|\s+[–-]\s+|,\s+(?=the |its |this |that )"
)
# "Chapter 14 of the review, on data collection, starts on page 41 of the report."
LOCATION = re.compile(r"\b(?:starts?|begins?) on page \d+", re.IGNORECASE)
PAGE = re.compile(r"\bpages? \d+", re.IGNORECASE)
# A question that asks where something is may be answered by a pointer.
ASKS_LOCATION = re.compile(
    r"\b(?:pages?|where in|where (?:does|do|is|are|can)|starts?|begins?|contents)\b",
    re.IGNORECASE,
)
