"""Thumbs up/down on answers, kept in SQLite under the data dir for the operator.

The question text is stored only when the operator turned on SAFEGUARDING_LOG_QUESTIONS;
otherwise a rating keeps only what the answer was (mode, refused, how many citations).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from assistant.settings import Settings

FEEDBACK_FILE = "feedback.sqlite3"
RECENT = 20
SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    mode TEXT NOT NULL,
    refused INTEGER NOT NULL,
    citations INTEGER NOT NULL,
    report_ids TEXT NOT NULL,
    question TEXT
)
"""


class Feedback(BaseModel):
    """One rating of one answer."""

    rating: Literal["up", "down"]
    mode: Literal["extractive", "generative"] = "extractive"
    refused: bool = False
    citations: int = Field(0, ge=0, le=100)
    report_ids: list[str] = Field(default_factory=list, max_length=10)
    question: str | None = Field(None, max_length=1000, description="Kept only when allowed.")


class Tally(BaseModel):
    up: int = 0
    down: int = 0


class FeedbackSummary(BaseModel):
    """What the operator sees at GET /api/feedback/summary."""

    total: int
    up: int
    down: int
    up_share: float | None
    answered: Tally
    refused: Tally
    by_mode: dict[str, Tally]
    questions_stored: bool
    recent_down: list[dict[str, object]]


class FeedbackStore:
    """The SQLite file of ratings; one short connection per call, safe across threads."""

    def __init__(self, path: Path, keep_questions: bool) -> None:
        self.path = path
        self.keep_questions = keep_questions

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, timeout=10)) as db, db:
            db.execute(SCHEMA)
            yield db

    def record(self, feedback: Feedback) -> None:
        """Store one rating (without the question unless the operator allows it)."""
        question = feedback.question if self.keep_questions else None
        row = (
            datetime.now(UTC).isoformat(timespec="seconds"),
            feedback.rating,
            feedback.mode,
            int(feedback.refused),
            feedback.citations,
            ",".join(feedback.report_ids),
            question,
        )
        with self._connect() as db:
            db.execute(
                "INSERT INTO feedback (at, rating, mode, refused, citations, report_ids, question)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                row,
            )

    def summary(self) -> FeedbackSummary:
        """Counts overall, by answered/refused and by mode, and the latest thumbs-down."""
        with self._connect() as db:
            rows = db.execute("SELECT rating, mode, refused FROM feedback").fetchall()
            down = db.execute(
                "SELECT at, mode, refused, citations, question FROM feedback"
                " WHERE rating = 'down' ORDER BY id DESC LIMIT ?",
                (RECENT,),
            ).fetchall()
        answered, refused = Tally(), Tally()
        by_mode: dict[str, Tally] = {}
        for rating, mode, was_refused in rows:
            for tally in (refused if was_refused else answered, by_mode.setdefault(mode, Tally())):
                setattr(tally, rating, getattr(tally, rating) + 1)
        up = answered.up + refused.up
        return FeedbackSummary(
            total=len(rows),
            up=up,
            down=len(rows) - up,
            up_share=round(up / len(rows), 3) if rows else None,
            answered=answered,
            refused=refused,
            by_mode=by_mode,
            questions_stored=self.keep_questions,
            recent_down=[
                {"at": at, "mode": mode, "refused": bool(r), "citations": c, "question": q}
                for at, mode, r, c, q in down
            ],
        )


def feedback_store(settings: Settings) -> FeedbackStore:
    """The store under the data dir, keeping questions only if SAFEGUARDING_LOG_QUESTIONS."""
    return FeedbackStore(settings.data_dir / FEEDBACK_FILE, keep_questions=settings.log_questions)
