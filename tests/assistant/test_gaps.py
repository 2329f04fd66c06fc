"""Pointer and gap sentences are recognised (they never lead an answer, nor become quiz items)."""

import pytest

from assistant.gaps import ASKS_LOCATION, GAP, LOCATION


@pytest.mark.parametrize(
    ("sentence", "gap"),
    [
        ("The public summaries used for this briefing do not report the review's findings.", True),
        ("Whether Edward Timpson signed the foreword is not confirmed.", True),
        ("The number of rapid reviews about teenagers is unknown.", True),
        ("Such risks had not been seen before in the earlier analyses.", False),
        ("Neglect was present in about three-quarters of the reviews.", False),
    ],
)
def test_declared_gaps(sentence: str, gap: bool) -> None:
    assert bool(GAP.search(sentence)) is gap


def test_a_chapter_pointer_and_a_question_asking_where() -> None:
    assert LOCATION.search("Chapter 14, on data collection, starts on page 41 of the report.")
    assert not LOCATION.search("Data were collected in 41 areas.")
    assert ASKS_LOCATION.search("on what page does the data collection chapter start?")
    assert not ASKS_LOCATION.search("what did it find about data collection?")
