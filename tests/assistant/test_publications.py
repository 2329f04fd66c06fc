"""Questions about another publication are told apart from questions about the three reports."""

import pytest

from assistant.publications import other_publication


@pytest.mark.parametrize(
    ("question", "name"),
    [
        ("What did the Jay Review in 2024 conclude about exploited children?", "Jay Review"),
        ("what did the Panel's SUDI review find about the babies who died?", "Panel's SUDI review"),
        ("What did the HMICFRS inspection say about county lines?", "HMICFRS inspection"),
        ("what did the Welsh Senedd's report recommend?", "Welsh Senedd's report"),
    ],
)
def test_another_publication_is_named(question: str, name: str) -> None:
    assert other_publication(question) == name


@pytest.mark.parametrize(
    "question",
    [
        "what did the Panel's annual report say about babies with non-accidental injuries?",
        "how long is the triennial report, page-wise?",
        "what does the exploitation review say about school exclusion?",
        "how does the foreword to It was hard to escape describe criminal exploitation?",
        "what did the 2014-17 review find about neglect?",
        "Review the findings on neglect for me",
        "what was the theme of the Panel's first national review?",
        "what exactly is a rapid review?",
    ],
)
def test_the_three_reports_are_not_another_publication(question: str) -> None:
    assert other_publication(question) is None
