"""The text of one review: sentences, a case vignette, a timeline and recommendations, written
from its themes' vocabulary so that reports on different themes read differently."""

from __future__ import annotations

import random

from bench.library.plan import PANEL, ReviewPlan
from bench.library.vocabulary import Theme, Vocabulary

THEME_SHARE = 0.7  # share of sentences drawn from the current chapter's theme
TIMELINE_ROWS = 6


class Prose:
    """Writes one report's sentences; `theme` is the chapter being written."""

    def __init__(self, plan: ReviewPlan, vocab: Vocabulary) -> None:
        self.plan, self.vocab = plan, vocab
        self.themes = [vocab.theme(key) for key in plan.themes]
        self.theme = self.themes[0]

    def slots(self, rng: random.Random, theme: Theme) -> dict[str, str]:
        """Values for every template slot, drawn for one sentence."""
        agencies = theme.agencies + self.vocab.agencies
        first, second = rng.sample(agencies, 2)
        return {
            "harm": rng.choice(theme.harms),
            "sign": rng.choice(theme.signs),
            "place": rng.choice(theme.places),
            "agency": first,
            "agency2": second,
            "area": self.plan.area,
            "year": str(self.plan.published.year - rng.randint(1, 3)),
            "professional": rng.choice(self.vocab.professionals),
        }

    def fill(self, rng: random.Random, template: str, theme: Theme | None = None) -> str:
        """The template with its slots filled from `theme` (default: the current one)."""
        return template.format(**self.slots(rng, theme or self.theme))

    def sentence(self, rng: random.Random) -> str:
        """A finding: who found it, what, and when; mostly on the current theme."""
        roll = rng.random()
        theme = self.theme if roll < THEME_SHARE else rng.choice(self.themes)
        clauses = theme.clauses if roll < 0.9 else self.vocab.clauses
        subject = rng.choice(self.vocab.subjects)
        text = f"{subject} {rng.choice(self.vocab.verbs)} {rng.choice(clauses)}"
        return self.fill(rng, text + rng.choice(self.vocab.tails), theme) + "."

    def paragraph(self, rng: random.Random, sentences: int) -> str:
        return " ".join(self.sentence(rng) for _ in range(sentences))

    def opening(self, rng: random.Random) -> str:
        """Why the review was carried out."""
        child, theme = self.plan.child, self.themes[0]
        who = "the Panel" if self.plan.publisher == PANEL else f"the {self.plan.publisher}"
        if self.plan.type in ("SCR", "LCSPR"):
            why = f"This review was commissioned by {who} after {child.label} came to harm."
        else:
            why = f"This report by {who} draws on reviews of children who came to harm."
        return (
            f"{why} {child.label} was {child.age} when {theme.incident}. {self.paragraph(rng, 2)}"
        )

    def method(self, rng: random.Random) -> str:
        return " ".join(rng.sample(self.vocab.method, 3))

    def family_voice(self, rng: random.Random) -> str:
        child = self.plan.child
        return (
            f"{child.name}'s family took part in the review and spoke about the help they had"
            f" received. {self.paragraph(rng, 2)}"
        )

    def vignette(self, rng: random.Random) -> str:
        """The case vignette: a named child, their age, family, the agencies and the harm."""
        child, theme = self.plan.child, self.themes[0]
        agencies = rng.sample(theme.agencies, 3)
        return (
            f"{child.name} ({child.label}) was {child.age} when {theme.incident}."
            f" {child.name} {rng.choice(self.vocab.family)} in {rng.choice(theme.places)}"
            f" in {self.plan.area}."
            f" In the two years before the review the family were known to {agencies[0]},"
            f" {agencies[1]} and {agencies[2]}."
            f" Professionals recorded {rng.choice(theme.signs)} and"
            f" {rng.choice(theme.signs)}, and concerns about {rng.choice(theme.harms)} were"
            f" raised {rng.randint(3, 14)} times."
        )

    def timeline(self, rng: random.Random) -> tuple[tuple[str, ...], ...]:
        """Key events in the year before publication: date, agency, what happened."""
        theme = self.themes[0]
        year = self.plan.published.year - 1
        months = sorted(rng.sample(range(12), TIMELINE_ROWS))
        events = list(theme.events) + [e for t in self.themes[1:] for e in t.events]
        rows = [("Date", "Agency", "What happened")]
        for i, month in enumerate(months):
            agency = rng.choice(theme.agencies + self.vocab.agencies)
            event = events[i] if i < len(theme.events) else rng.choice(events)
            rows.append((f"{self.vocab.months[month]} {year}", _capital(agency), event))
        return tuple(rows)

    def figures(self, rng: random.Random) -> tuple[tuple[str, ...], ...]:
        """Reviews by theme, with each theme's share of them."""
        counts = [(t.title, rng.randint(5, 80)) for t in self.themes]
        counts.append(("Other themes", rng.randint(20, 120)))
        total = sum(n for _, n in counts)
        rows = [("Theme", "Reviews", "Share of reviews")]
        rows += [(title, str(n), f"{round(100 * n / total)}%") for title, n in counts]
        return tuple(rows)

    def recommendations(self, rng: random.Random) -> list[str]:
        """Two recommendations per theme, numbered."""
        chosen = [text for t in self.themes for text in rng.sample(t.recommendations, 2)]
        return [f"Recommendation {i}: {text}" for i, text in enumerate(chosen, start=1)]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
