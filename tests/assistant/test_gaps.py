"""The answerer recognises what the index says it does not hold."""

import pytest

from assistant.gaps import asks_verbatim, declares_gap, gap_about, located_only
from assistant.text_features import content_terms

CHAPTER = "Chapter 14 of the review, on data collection, starts on page 41 of the report."
GAP = "The public summaries used for this briefing do not report the review's findings on it."


@pytest.mark.parametrize(
    ("sentence", "gap"),
    [
        (GAP, True),
        ("The full text of the national recommendations was not available to this project.", True),
        ("the wording of the recommendations was not visible in the public summaries", True),
        ("The review found that children's services usually coordinated the response.", False),
        ("Parents were not told about the meeting.", False),
        ("The ages of the cohort were not given in the public summaries.", True),
        ("The review's own definition of a critical moment was not seen.", True),
        ("Its claim that the finding was not seen before is its own reading.", False),
    ],
)
def test_declared_gaps(sentence: str, gap: bool) -> None:
    assert declares_gap(sentence) is gap


@pytest.mark.parametrize(
    ("question", "verbatim"),
    [
        ("Can you quote the national recommendations?", True),
        ("give me the verbatim text of the key messages", True),
        ("what is the exact wording of the recommendations?", True),
        ("what did the Panel say, word for word?", True),
        ("What exact number of serious case reviews were there?", False),
        ("what did the Panel say about written agreements?", False),
    ],
)
def test_verbatim_requests(question: str, verbatim: bool) -> None:
    assert asks_verbatim(question) is verbatim


def test_a_chapter_known_only_by_its_page_does_not_answer_what_it_found() -> None:
    question = "what did the review find about data collection?"
    assert located_only(question, CHAPTER, [CHAPTER, GAP, "(Source: contents list.)"])


def test_it_answers_where_the_chapter_starts() -> None:
    assert not located_only("on what page does the data collection chapter start?", CHAPTER, [GAP])


def test_a_located_chapter_with_a_summary_is_not_a_gap() -> None:
    summary = "On the lead agency, the review found that children's services coordinated it."
    assert not located_only(
        "what did it find about data collection?", CHAPTER, [CHAPTER, summary, GAP]
    )
    assert not located_only("what did it find about the lead agency?", CHAPTER, [CHAPTER, summary])
    assert not located_only("what did it find about the lead agency?", summary, [summary, GAP])


TOPIC = content_terms("which government departments signed the reply?")


def test_a_gap_in_another_clause_does_not_hide_the_answer() -> None:
    sentence = (
        "The government replied with a letter from the Department for Education and the Home "
        "Office; the content of that letter was not confirmed."
    )
    assert not gap_about(sentence, TOPIC)
    assert gap_about("The content of the government's reply was not confirmed.", TOPIC)
    assert not gap_about("The government replied with a letter.", TOPIC)
