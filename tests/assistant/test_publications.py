"""Questions about another publication are told apart from questions about the three reports."""

import pytest

from assistant.knowledge import knowledge_at
from assistant.publications import other_annual_report
from assistant.publications import other_publication as other_of
from assistant.settings import PROJECT_ROOT

KNOWLEDGE = knowledge_at(PROJECT_ROOT / "corpus" / "manifest.toml")


def other_publication(question: str) -> str | None:
    """Against the real manifest: its titles, publishers and names are the indexed reports'."""
    return other_of(question, KNOWLEDGE)


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
        "Did the Child Safeguarding Practice Review Panel say babies were most at risk?",
        "What did the DfE report say about neglect?",
    ],
)
def test_the_three_reports_are_not_another_publication(question: str) -> None:
    assert other_publication(question) is None


def test_announcing_or_publishing_another_publication_is_not_asking_what_it_says() -> None:
    assert (
        other_publication("how long had the Panel run when it announced its SUDI review?") is None
    )
    assert other_publication("when did DfE commission the Jay Review?") is None
    assert other_publication("what did the Panel's SUDI review find?") == "Panel's SUDI review"


OWN = ("The Child Safeguarding Practice Review Panel: Annual Report 2018 to 2019",)


@pytest.mark.parametrize(
    ("question", "name"),
    [
        ("what about in the Panel's 2020 annual report?", "Panel's 2020 annual report"),
        ("In the Panel's second annual report, which themes came up?", "second annual report"),
        ("what did the annual report for 2021-22 say?", "annual report for 2021-22"),
        ("what does the latest annual report say about neglect?", "latest annual report"),
    ],
)
def test_a_later_annual_report_is_another_publication(question: str, name: str) -> None:
    assert other_annual_report(question, OWN) == name


@pytest.mark.parametrize(
    "question",
    [
        "what did the Panel's 2018-19 annual report say about babies?",
        "what did the annual report 2018 to 2019 find?",
        "what did the Panel's March 2020 annual report say?",
        "what did the 2019 annual report find about teenagers?",
        "what did the Panel's first annual report say?",
        "what did the Panel's annual report say about rapid reviews?",
    ],
)
def test_the_indexed_annual_report_is_not_another(question: str) -> None:
    assert other_annual_report(question, OWN) is None


def test_without_an_indexed_annual_report_only_editions_count() -> None:
    assert other_annual_report("what did the 2020 annual report say?", ()) is None
    assert other_annual_report("what did the second annual report say?", ()) is not None
