"""Wrong options of the same type as the answer, none of them stated by the cited passage.

Figures come from the same corpus (other counts or percentages, nearest in size first), topped
up with nearby values in the answer's own format; terms come from the answer's group, nearest
in length first. The builder then keeps only those the support judge rejects.
"""

from __future__ import annotations

import hashlib
import math
import re

from assistant.quiz.facts import TERM_GROUPS, Fact, clean_sentence, figure_facts, synonyms
from assistant.store import IndexStore
from assistant.text_features import content_terms, numbers

# Figures far outside this ratio of the answer are too easy to rule out.
MAX_RATIO = 2.5
PERCENT_STEPS = (-15, -10, -5, 5, 10, 15, 20, -20)
COUNT_FACTORS = (0.6, 0.75, 1.3, 1.5, 0.5, 1.8)


def tie_break(*parts: str) -> str:
    """A deterministic, well-mixed order for equal candidates."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def figure_value(text: str) -> float:
    return float(text.rstrip("%").replace(",", ""))


def decimals(text: str) -> int:
    bare = text.rstrip("%").replace(",", "")
    return len(bare.split(".")[1]) if "." in bare else 0


def format_like(value: float, answer: str) -> str:
    """`value` written as the answer is: same decimals, same % sign, thousands commas alike."""
    places = decimals(answer)
    body = f"{value:,.{places}f}" if "," in answer else f"{value:.{places}f}"
    return body + ("%" if answer.endswith("%") else "")


def synthetic_figures(answer: str) -> list[str]:
    """Plausible neighbours of the answer, in its format (used when the corpus has too few)."""
    value = figure_value(answer)
    if answer.endswith("%"):
        raw = [value + step for step in PERCENT_STEPS]
        return [format_like(v, answer) for v in raw if 0 < v < 100]
    rounded = [round(value * f) for f in COUNT_FACTORS]
    if value >= 20:  # round to the answer's own granularity so no option looks too exact
        unit = 10 if value % 10 == 0 else 1
        rounded = [round(v / unit) * unit for v in rounded]
    return [format_like(v, answer) for v in rounded if v >= 2]


class DistractorPool:
    """Every figure of the corpus by kind, read once per index build."""

    def __init__(self, store: IndexStore) -> None:
        self.figures: dict[str, set[str]] = {"percent": set(), "count": set()}
        for passage in store.passages:
            for quote in store.sentences(passage.id).texts(passage):
                for fact in figure_facts(quote, clean_sentence(quote)):
                    self.figures[fact.kind].add(fact.value)

    def candidates(self, fact: Fact, passage_text: str) -> list[str]:
        """Wrong options to try, best first; none occurs in the passage."""
        found = self.for_figure(fact) if fact.is_figure else self.for_term(fact)
        kept: list[str] = []
        for option in found:
            fresh = option.lower() not in {k.lower() for k in kept}
            if fresh and not self.in_passage(option, fact, passage_text):
                kept.append(option)
        return kept

    @staticmethod
    def in_passage(option: str, fact: Fact, passage_text: str) -> bool:
        """Stated in the passage, or (for terms) sharing a word with the rest of the sentence:
        "the police" next to "policing", "misusing drugs" next to "misusing substances"."""
        if fact.is_figure:
            return option.rstrip("%").replace(",", "") in numbers(passage_text)
        rest = content_terms(fact.blanked(" "))
        lowered = passage_text.lower()
        if option.lower() in lowered or bool(content_terms(option) & rest):
            return True
        # "infants" where the sentence already says "babies" would contradict itself.
        sentence = fact.blanked(" ").lower()
        return any(
            re.search(rf"(?<![\w-]){re.escape(s)}(?![\w-])", sentence) for s in synonyms(option)
        )

    def for_figure(self, fact: Fact) -> list[str]:
        answer = figure_value(fact.value)
        same_shape = [
            f
            for f in self.figures[fact.kind]
            if decimals(f) == decimals(fact.value) and figure_value(f) != answer
        ]
        near = [
            f
            for f in same_shape
            if 1 / MAX_RATIO <= figure_value(f) / answer <= MAX_RATIO and f.rstrip("%") != "0"
        ]
        near.sort(key=lambda f: (abs(math.log(figure_value(f) / answer)), tie_break(f, fact.quote)))
        synthetic = [s for s in synthetic_figures(fact.value) if figure_value(s) != answer]
        return near[:3] + synthetic + near[3:]

    def for_term(self, fact: Fact) -> list[str]:
        group = TERM_GROUPS[fact.kind.removeprefix("term:")]
        answer = fact.value.lower()
        near = synonyms(answer)
        others = [
            t
            for t in group
            if t != answer and t not in answer and answer not in t and t not in near
        ]
        others.sort(key=lambda t: (abs(len(t) - len(answer)) // 4, tie_break(t, fact.quote)))
        if fact.value[:1].isupper():
            others = [t[:1].upper() + t[1:] for t in others]
        return others
