"""Typos in a question, corrected against the corpus's own words ("neglet" -> "neglect").

A word the corpus never uses, and that is no everyday word either (the embedding model's own
vocabulary decides), that is one edit (a letter added, dropped, changed, or two swapped)
from a word it does use is read as that word; ties go to the word more passages use. Two edits
turned real words into others ("criminally" -> "criminal"), so one is the limit. Hand-rolled:
an edit distance over a few hundred words of the same initial is far cheaper than loading a
spelling library's lexicon, and only the corpus's words matter here.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Container, Iterable

# Words of five letters or more; a capitalised one only at the start (else it is likely a name).
WORD = re.compile(r"(?<![\w'-])(?:(?<=^)[A-Z]|[a-z])[a-z]{4,}(?![\w'-])")


def edits(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (a swap of neighbours is one edit), capped at limit+1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], previous2[j - 2] + 1)
        if min(row) > limit:
            return limit + 1
        previous2, previous = previous, row
    return previous[-1]


class Speller:
    """Corrects words against a vocabulary, indexed by initial letter."""

    def __init__(self, vocabulary: Iterable[str], frequency: Callable[[str], int]) -> None:
        self.known = frozenset(vocabulary)
        self.frequency = frequency
        self.cache: dict[str, str | None] = {}
        self.by_initial: dict[str, list[str]] = defaultdict(list)
        for word in self.known:
            if word.isalpha() and len(word) >= 4:
                self.by_initial[word[0]].append(word)

    def correct(self, word: str) -> str | None:
        """The corpus word meant, or None when the word is known or nothing is close."""
        lowered = word.lower()
        if lowered in self.known:
            return None
        limit = 1
        scored = [
            (d, -self.frequency(w), w)
            for w in self.by_initial.get(lowered[0], [])
            if (d := edits(lowered, w, limit)) <= limit
        ]
        return min(scored)[2] if scored else None

    def run(self, text: str, common: Container[str] = ()) -> str:
        """The text with each misspelt word replaced by the corpus word it was meant to be; words
        in `common` (an everyday vocabulary) are never corrected: "funding" is not "finding"."""

        def fix(match: re.Match[str]) -> str:
            word = match.group(0)
            if word.lower() in common:
                return word
            if word not in self.cache:
                self.cache[word] = self.correct(word) if len(self.cache) < 50000 else None
            return self.cache[word] or word

        return WORD.sub(fix, text)
