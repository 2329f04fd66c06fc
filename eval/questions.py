"""Question sets (eval/sets/*.jsonl): loading with errors that name the file and line."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from assistant.followup import Turn

SETS_DIR = Path(__file__).resolve().parent / "sets"
Kind = Literal["factual", "thematic", "cross-report", "follow-up", "unanswerable"]


class EvalError(Exception):
    """A question file or run cannot be used; the message names the file and line."""


class Gold(BaseModel):
    report: str
    section: str = ""
    anchor: str = ""
    pages: list[int] | None = None


class Question(BaseModel):
    id: str
    question: str
    kind: Kind
    answerable: bool
    reports: list[str] = Field(default_factory=list)
    must_contain: list[str] = Field(default_factory=list)
    gold: list[Gold] = Field(default_factory=list)
    history: list[Turn] = Field(default_factory=list)
    style: str = ""  # blind batches: plain, conversation, practitioner or near-domain


def replay(
    question: Question, given: dict[str, str], ask: Callable[[str], str] | None = None
) -> Question:
    """The question with each earlier turn's empty answer filled in with the answer this run gave
    to that turn's question, as the chat sends the answers it showed. An earlier turn the set
    does not ask on its own line is asked first (with `ask`), as a user would have."""
    for turn in question.history:
        if ask is not None and not turn.answer and turn.question not in given:
            given[turn.question] = ask(turn.question)
    history = [
        t
        if t.answer or t.question not in given
        else Turn(question=t.question, answer=given[t.question])
        for t in question.history
    ]
    return question.model_copy(update={"history": history})


def load_questions(path: Path) -> list[Question]:
    """Every question in a JSON Lines file; EvalError names the first bad line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalError(f"{path}: cannot read the question file ({exc})") from exc
    questions = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            questions.append(Question.model_validate(json.loads(line)))
        except (json.JSONDecodeError, ValidationError) as exc:
            first = str(exc).splitlines()[0]
            raise EvalError(f"{path}:{number}: malformed question ({first})") from exc
    if not questions:
        raise EvalError(f"{path}: no questions")
    return questions


def set_path(name: str) -> Path:
    """eval/sets/<name>.jsonl, or the path itself when given one."""
    path = Path(name)
    return path if path.suffix == ".jsonl" else SETS_DIR / f"{name}.jsonl"
