"""Word-level features for answering and the support judge: content words, numbers, negation."""

from __future__ import annotations

import re
from functools import lru_cache

WORD = re.compile(r"[A-Za-z][A-Za-z'-]*|\d+(?:[.,]\d+)*%?")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NEGATION_WORDS = """not no never none nobody nothing neither nor without cannot n't isn't wasn't
weren't aren't don't doesn't didn't won't fail failed fails lack lacked"""
_STOP_WORDS = """a about above after again against all also am an and any are as at be because been
before being below between both but by can could did do does doing down during each few for from
further had has have having he her here hers herself him himself his how i if in into is it its
itself just me more most my myself of off on once only or other our ours ourselves out over own
same she should so some such than that the their theirs them themselves then there these they
this those through to too under until up very was we were what when where which while who whom
why will with would you your yours yourself yourselves say says said tell told find found report
reports review reviews please much many one ever according"""
NEGATIONS = frozenset(_NEGATION_WORDS.split())
STOPWORDS = frozenset(_STOP_WORDS.split())


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    import Stemmer

    return Stemmer.Stemmer("english")


def words(text: str) -> list[str]:
    """Lower-cased word and number tokens."""
    return [w.lower().strip("'-") for w in WORD.findall(text)]


def content_terms(text: str) -> set[str]:
    """Stemmed content words and numbers (stop words dropped)."""
    kept = [w for w in words(text) if w and w not in STOPWORDS and w not in NEGATIONS]
    return set(_stemmer().stemWords(kept))


def numbers(text: str) -> set[str]:
    """Numbers as written, thousands separators removed ("1,500" -> "1500")."""
    return {n.replace(",", "") for n in NUMBER.findall(text)}


def has_negation(text: str) -> bool:
    return any(w in NEGATIONS for w in words(text))


def overlap(part: set[str], whole: set[str]) -> float:
    """Share of `part` found in `whole` (1.0 for an empty part)."""
    return len(part & whole) / len(part) if part else 1.0
