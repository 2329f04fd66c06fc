"""The topic drops the words that name a report and keeps what the question is about."""

import pytest

from assistant.topic import focus_words, topic


def test_report_names_are_dropped() -> None:
    assert topic("what did the triennial find about teenagers who go missing?") == (
        "what did about teenagers who go missing"
    )
    assert "exploitation review" not in topic(
        "what does the criminal exploitation review say about school exclusion?"
    )
    assert "reports" not in topic("what do the three reports say about babies at risk?")


def test_topic_words_that_also_name_a_report_stay() -> None:
    assert "rapid review" in topic("what exactly is a rapid review?")
    assert "serious case reviews" in topic("what share of serious case reviews involved neglect?")


def test_a_question_about_the_report_itself_is_kept_whole() -> None:
    question = "who wrote the triennial analysis?"
    assert topic(question) == question


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("what did the triennial recommend about restraint in homes?", {"restraint": "restraint"}),
        (
            "what did it find about private fostering arrangements?",
            {"private": "private fostering arrangements"},
        ),
        ("what training must foster carers complete?", {"training": "training"}),
        ("how much pupil premium do schools get?", {"pupil": "pupil premium"}),
        ("roughly what proportion of the SCRs featured neglect?", {}),  # the kind of answer
        ("what hours does the team work?", {}),
        ("how much money did the government promise?", {}),
        ("what did the Panel say?", {}),
    ],
)
def test_the_focus_is_the_noun_the_question_turns_on(question, expected):
    assert focus_words(question) == expected
