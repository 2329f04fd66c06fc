"""Runs replay conversations: a follow-up gets the answers the run gave to its earlier turns."""

from __future__ import annotations

from assistant.followup import Turn
from eval.questions import Question, replay


def question(history: list[Turn]) -> Question:
    return Question(
        id="t-1", question="and who?", kind="follow-up", answerable=True, history=history
    )


def test_a_follow_up_gets_the_answer_the_run_gave_to_its_earlier_turn() -> None:
    replayed = replay(question([Turn(question="Who led it?")]), {"Who led it?": "Dale Simon. [1]"})
    assert [t.answer for t in replayed.history] == ["Dale Simon. [1]"]


def test_written_answers_and_unasked_turns_are_kept() -> None:
    history = [Turn(question="Who led it?", answer="as written"), Turn(question="When?")]
    replayed = replay(question(history), {"Who led it?": "given", "Other?": "x"})
    assert [t.answer for t in replayed.history] == ["as written", ""]
