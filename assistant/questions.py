"""What a question may be: the one validation shared by the API, the CLI and the UI."""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, Field

MAX_QUESTION_CHARS = 1000


class QuestionError(ValueError):
    """The question cannot be answered as given; the message says why."""


def clean_question(text: str) -> str:
    """The trimmed question, or a QuestionError for empty, too long or control-character text."""
    question = text.strip()
    if not question:
        raise QuestionError("the question is empty")
    if len(question) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"the question is {len(question)} characters; the limit is {MAX_QUESTION_CHARS}"
        )
    if any(unicodedata.category(ch) in ("Cc", "Cs", "Co") and ch not in "\n\t" for ch in question):
        raise QuestionError("the question contains control or binary characters")
    return " ".join(question.split())


Question = Annotated[
    str, AfterValidator(clean_question), Field(description="1-1,000 characters after trimming.")
]
