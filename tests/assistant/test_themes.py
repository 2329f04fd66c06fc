"""Themes found in passages by their terms."""

from __future__ import annotations

import pytest

from assistant.index_schema import Passage
from assistant.themes import THEMES, theme, theme_counts, theme_passages


def passage(pid: str, report: str, text: str, section: str = "") -> Passage:
    return Passage(
        id=pid,
        report_id=report,
        report_title=report,
        section=section,
        page_start=None,
        page_end=None,
        text=text,
    )


PASSAGES = [
    passage("1", "a", "Neglect was present; poverty made it worse."),
    passage("2", "a", "Babies under one were most at risk.", section="Infants"),
    passage("3", "b", "County lines gangs exploit children; exclusion from school follows."),
    passage("4", "b", "Written agreements with parents were relied on."),
]


def test_the_issue_themes_are_all_there():
    labels = {t.label for t in THEMES}
    assert {
        "Neglect",
        "Poverty",
        "Adolescents",
        "Criminal exploitation",
        "Schools and exclusion",
        "Information sharing",
        "Risk assessment",
        "Written agreements",
        "Returning home from care",
        "Babies",
    } == labels


def test_counts_are_passages_per_report():
    counts = theme_counts(PASSAGES, ["a", "b"])
    assert counts["neglect"] == {"a": 1, "b": 0}
    assert counts["criminal-exploitation"] == {"a": 0, "b": 1}
    assert counts["schools-exclusion"] == {"a": 0, "b": 1}
    assert counts["babies"] == {"a": 1, "b": 0}
    assert counts["written-agreements"] == {"a": 0, "b": 1}
    assert counts["information-sharing"] == {"a": 0, "b": 0}


def test_a_cell_lists_the_passages_behind_it():
    assert [p.id for p in theme_passages(PASSAGES, "poverty", "a")] == ["1"]
    assert theme_passages(PASSAGES, "poverty", "b") == []


def test_unknown_theme_names_the_known_ones():
    with pytest.raises(ValueError, match="known: neglect"):
        theme("nope")
