"""What each report of the library is: its metadata, themes, child and length, drawn from a seed.

Planning is cheap and sequential, so the whole library follows from one seed whatever order the
worker processes then lay the reports out in.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, replace
from datetime import date

from bench.library.vocabulary import Theme, Vocabulary

REPORT_TYPES = ("SCR", "LCSPR", "national review", "annual report")
YEARS = (2015, 2025)  # first and last year of publication
PAGES = (10, 40)  # physical pages of one report, cover and contents included
THEMES_PER_REPORT = (2, 4)
LETTERS = "ABCDEFGHJKLMNPRSTWXYZ"  # pseudonym letters (no I, O, Q, U, V: easily misread)
LCSPR_START = date(2019, 6, 29)  # local reviews commissioned from then on are LCSPRs
PARTNERSHIPS_START = date(2019, 9, 29)  # safeguarding partners replaced the LSCBs
PANEL = "Child Safeguarding Practice Review Panel"
DFE = "Department for Education"
NATIONAL_AREA = "England"
PARTNERSHIP, BOARD = "Safeguarding Children Partnership", "Local Safeguarding Children Board"
KIND_WEIGHTS = {"local": 78, "national review": 10, "annual report": 12}
TYPE_LABELS = {
    "SCR": "Serious case review",
    "LCSPR": "Local child safeguarding practice review",
    "national review": "National review",
    "annual report": "Annual report",
}


@dataclass(frozen=True)
class Child:
    """The child a report's case vignette is about (a pseudonym, as real reviews use)."""

    name: str
    letter: str
    age: str  # "14 years old", "3 months old"

    @property
    def label(self) -> str:
        """How titles name the child: "Child T", or "Baby T" for a baby."""
        return f"{'Baby' if 'month' in self.age else 'Child'} {self.letter}"


@dataclass(frozen=True)
class ReviewPlan:
    """One report of the library: manifest metadata plus what its text is about."""

    id: str
    title: str
    short_title: str
    publisher: str
    published: date
    type: str
    area: str
    themes: tuple[str, ...]
    child: Child
    reviewer: str
    pages: int
    seed: int  # the layout's own random stream

    @property
    def filename(self) -> str:
        return f"{self.id}.pdf"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def plan_library(
    count: int, seed: int, vocab: Vocabulary, pages: tuple[int, int] = PAGES
) -> list[ReviewPlan]:
    """`count` distinct reports of `pages` (min, max) pages each, the same for the same seed."""
    rng = random.Random(seed)
    titles: set[str] = set()
    return [_plan(i, rng, vocab, titles, pages) for i in range(count)]


def _plan(
    i: int, rng: random.Random, vocab: Vocabulary, titles: set[str], pages: tuple[int, int]
) -> ReviewPlan:
    published = date(rng.randint(*YEARS), rng.randint(1, 12), rng.randint(1, 28))
    kind = rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()))[0]
    themes = tuple(rng.sample([t.key for t in vocab.themes], rng.randint(*THEMES_PER_REPORT)))
    theme = vocab.theme(themes[0])
    child = _child(rng, vocab, theme)
    for _ in range(20):  # a title already taken: another area, child letter or case count
        report_type, publisher, area = _who(kind, published, rng.choice(vocab.areas), rng)
        cases = rng.randint(8, 60)
        title, short = _titles(report_type, publisher, area, child, theme, published, cases)
        if title not in titles:
            break
        child = replace(child, letter=rng.choice(LETTERS))
    for suffix in (f" ({published:%B %Y})", f" (report {i + 1})"):
        if title in titles:
            title, short = title + suffix, short + suffix
    titles.add(title)
    return ReviewPlan(
        id=f"{slug(report_type)}-{published.year}-{slug(area)}-{i + 1:04d}",
        title=title,
        short_title=short,
        publisher=publisher,
        published=published,
        type=report_type,
        area=area,
        themes=themes,
        child=child,
        reviewer=f"{rng.choice(vocab.first_names)} {rng.choice(vocab.surnames)}",
        pages=rng.randint(*pages),
        seed=rng.getrandbits(32),
    )


def _child(rng: random.Random, vocab: Vocabulary, theme: Theme) -> Child:
    years = rng.randint(*theme.ages)
    age = f"{rng.randint(1, 11)} months old" if years == 0 else f"{years} years old"
    return Child(rng.choice(vocab.first_names), rng.choice(LETTERS), age)


def _who(kind: str, published: date, area: str, rng: random.Random) -> tuple[str, str, str]:
    """Type, publisher and area: SCRs before mid-2019 and LCSPRs after, boards then partnerships."""
    local = f"{area} {PARTNERSHIP if published >= PARTNERSHIPS_START else BOARD}"
    if kind == "local":
        return ("SCR" if published < LCSPR_START else "LCSPR"), local, area
    if kind == "national review":
        panel = published.year >= 2019 and rng.random() < 0.8
        return "national review", PANEL if panel else DFE, NATIONAL_AREA
    if published.year >= 2019 and rng.random() < 0.25:
        return "annual report", PANEL, NATIONAL_AREA
    return "annual report", local, area


def _titles(
    report_type: str,
    publisher: str,
    area: str,
    child: Child,
    theme: Theme,
    published: date,
    cases: int,
) -> tuple[str, str]:
    """The title and short title a report of this type would carry."""
    year = published.year
    if report_type in ("SCR", "LCSPR"):
        label = TYPE_LABELS[report_type].lower()
        return f"{area} {label}: {child.label}", f"{area} {report_type}: {child.label}"
    if report_type == "national review":
        heading = theme.headings[year % len(theme.headings)]
        return f"{heading}: learning from {cases} reviews", f"{heading} ({year}, {cases} reviews)"
    who = "Panel" if publisher == PANEL else area
    return (
        f"{publisher}: annual report {year - 1} to {year}",
        f"{who} annual report {year - 1}-{year % 100:02d}",
    )
