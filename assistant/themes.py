"""Safeguarding themes found in passages by word patterns: the report browser's heatmap.

A passage belongs to a theme when its heading or text uses one of the theme's terms; the counts
are passages, so one long passage that repeats a word counts once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.index_schema import Passage


@dataclass(frozen=True)
class Theme:
    """A named theme and the terms that mark a passage as being about it."""

    id: str
    label: str
    pattern: re.Pattern[str]

    def matches(self, passage: Passage) -> bool:
        return bool(self.pattern.search(f"{passage.section}\n{passage.text}"))


def _theme(theme_id: str, label: str, *terms: str) -> Theme:
    return Theme(theme_id, label, re.compile(r"\b(?:" + "|".join(terms) + r")\b", re.IGNORECASE))


THEMES: tuple[Theme, ...] = (
    _theme("neglect", "Neglect", r"neglect\w*"),
    _theme("poverty", "Poverty", r"poverty", r"deprivation", r"deprived", r"low[- ]income"),
    _theme(
        "adolescents",
        "Adolescents",
        r"adolescen\w*",
        r"teenage\w*",
        r"young people",
        r"older children",
    ),
    _theme(
        "criminal-exploitation",
        "Criminal exploitation",
        r"criminal(?:ly)? exploit\w*",
        r"county lines",
        r"gangs?",
        r"drug[- ]dealing",
    ),
    _theme(
        "schools-exclusion",
        "Schools and exclusion",
        r"schools?",
        r"exclu(?:ded|sions?)",
        r"education",
        r"pupil referral units?",
    ),
    _theme(
        "information-sharing",
        "Information sharing",
        r"information[- ]sharing",
        r"shar(?:e|ed|ing) information",
    ),
    _theme(
        "risk-assessment",
        "Risk assessment",
        r"risk assessments?",
        r"assess(?:ed|ing|ments?)? (?:the )?risks?",
    ),
    _theme(
        "written-agreements",
        "Written agreements",
        r"written agreements?",
        r"safety agreements?",
        r"working agreements?",
    ),
    _theme(
        "returning-home",
        "Returning home from care",
        r"return(?:ed|ing|s)? home",
        r"reunifi\w*",
        r"left care",
    ),
    _theme("babies", "Babies", r"bab(?:y|ies)", r"infants?", r"newborns?", r"under one"),
)


def theme(theme_id: str) -> Theme:
    """The theme with this id; ValueError naming the known ids otherwise."""
    for candidate in THEMES:
        if candidate.id == theme_id:
            return candidate
    raise ValueError(f"unknown theme {theme_id!r}; known: {', '.join(t.id for t in THEMES)}")


def theme_passages(
    passages: list[Passage], theme_id: str, report_id: str | None = None
) -> list[Passage]:
    """The passages (of one report, or all) that are about the theme, in reading order."""
    wanted = theme(theme_id)
    return [
        p for p in passages if (report_id is None or p.report_id == report_id) and wanted.matches(p)
    ]


def theme_counts(passages: list[Passage], report_ids: list[str]) -> dict[str, dict[str, int]]:
    """theme id -> report id -> number of that report's passages about the theme."""
    counts = {t.id: dict.fromkeys(report_ids, 0) for t in THEMES}
    for p in passages:
        if p.report_id not in report_ids:
            continue
        for t in THEMES:
            if t.matches(p):
                counts[t.id][p.report_id] += 1
    return counts
