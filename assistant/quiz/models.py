"""The quiz contract: what POST /api/quiz returns, the CLI writes as JSON and the exports read.

An item is always answerable from, and cites, one passage of the index; `statement` is the fact
its right answer asserts, written out in full, which is what the support judge checks.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, model_validator

from assistant.answer_schema import Citation
from assistant.questions import clean_question

QuizKind = Literal["mcq", "tf", "cloze", "report"]
KINDS: tuple[QuizKind, ...] = ("mcq", "tf", "cloze", "report")
KIND_NAMES = {
    "mcq": "multiple choice",
    "tf": "true/false",
    "cloze": "fill in the blank",
    "report": "which report says this?",
}
Difficulty = Literal["easy", "medium", "hard"]
MAX_ITEMS = 100
MAX_TOPIC_CHARS = 200


def clean_topic(text: str) -> str:
    """A topic is validated like a question, but shorter (it travels inside the quiz id)."""
    try:
        topic = clean_question(text)
    except ValueError as exc:
        raise ValueError(str(exc).replace("question", "topic")) from exc
    if len(topic) > MAX_TOPIC_CHARS:
        raise ValueError(f"the topic is {len(topic)} characters; the limit is {MAX_TOPIC_CHARS}")
    return topic


Topic = Annotated[str, AfterValidator(clean_topic)]


class QuizRequest(BaseModel):
    """What to ask about: a topic (free text), a theme (a section heading), reports, or a mix."""

    topic: Topic | None = Field(None, description="Free text, 1-200 characters, e.g. 'neglect'.")
    theme: Topic | None = Field(
        None, description="Words of a section heading, e.g. 'Critical moments'."
    )
    report_ids: list[str] = Field(default_factory=list, max_length=10)
    n: int = Field(10, ge=1, le=MAX_ITEMS, description="How many items, 1-100.")
    kinds: list[QuizKind] = Field(
        default_factory=lambda: list(KINDS), min_length=1, description="Kinds of item to mix."
    )

    @model_validator(mode="after")
    def _needs_subject(self) -> QuizRequest:
        if not (self.topic or self.theme or self.report_ids):
            raise ValueError("give a topic, a theme or at least one report id")
        self.kinds = [k for k in KINDS if k in self.kinds]  # canonical order, no repeats
        return self


class QuizItem(BaseModel):
    """One question, its options and answer, feedback, and the passage it comes from."""

    id: str = Field(description="Stable for the same kind and stem.")
    kind: QuizKind
    stem: str = Field(description="The question as a learner reads it; cloze blanks are _____.")
    options: list[str] = Field(
        description="Choices in display order: 4 for mcq, True/False for tf, the reports for"
        " report, none for cloze."
    )
    answer: str = Field(description="The right option's text, or the cloze answer.")
    answer_index: int | None = Field(description="Position of `answer` in `options` (0-based).")
    accepted: list[str] = Field(
        default_factory=list, description="Cloze only: every accepted spelling, `answer` first."
    )
    statement: str = Field(description="The fact the right answer asserts, in full.")
    feedback_correct: str = Field(description="Shown for the right answer; names the source.")
    feedback_incorrect: str = Field(description="Shown otherwise; gives the answer and source.")
    citation: Citation = Field(description="The passage and the exact sentence quoted from it.")
    difficulty: float = Field(ge=0, le=1, description="Estimated: 0 easiest, 1 hardest.")
    difficulty_label: Difficulty
    tags: list[str] = Field(default_factory=list)
    origin: Literal["extractive", "generative"] = "extractive"


class Quiz(BaseModel):
    """A generated quiz; `id` regenerates it on any replica while the index build is the same."""

    id: str
    request: QuizRequest
    build_id: str
    items: list[QuizItem]
    warnings: list[str] = Field(default_factory=list)
    notice: str | None = Field(None, description="Set when passages come from briefings.")
