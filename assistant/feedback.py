"""Thumbs up/down on answers, kept in SQLite under the data dir for the operator.

The question text is stored only when the operator turned on SAFEGUARDING_LOG_QUESTIONS;
otherwise a rating keeps only what the answer was (mode, refused, its citations: passage id,
report id and quote, which are the corpus's words, not the user's), so a thumbs-down can still be
recognised and turned into an evaluation question (`safeguarding feedback export`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from assistant.settings import Settings

FEEDBACK_FILE = "feedback.sqlite3"
RECENT = 20
MAX_CITED = 20
MAX_QUOTE = 1000
SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    mode TEXT NOT NULL,
    refused INTEGER NOT NULL,
    citations INTEGER NOT NULL,
    report_ids TEXT NOT NULL,
    question TEXT,
    cited TEXT
)
"""
# Columns added since the first release: files made before them get them on first use.
ADDED_COLUMNS = {"cited": "TEXT"}
Period = Literal["day", "week"]


class CitedPassage(BaseModel):
    """One citation of a rated answer: enough to recognise the answer without the question."""

    model_config = ConfigDict(from_attributes=True)  # an answer's Citation can be passed as is

    passage_id: str = Field(max_length=300)
    report_id: str = Field(max_length=100)
    quote: str = ""

    @field_validator("quote")
    @classmethod
    def _shorten(cls, quote: str) -> str:
        return quote[:MAX_QUOTE]


class Feedback(BaseModel):
    """One rating of one answer."""

    rating: Literal["up", "down"]
    mode: Literal["extractive", "generative"] = "extractive"
    refused: bool = False
    citations: int = Field(0, ge=0, le=100)
    report_ids: list[str] = Field(default_factory=list, max_length=10)
    question: str | None = Field(None, max_length=1000, description="Kept only when allowed.")
    cited: list[CitedPassage] = Field(
        default_factory=list,
        description=f"The answer's citations (the first {MAX_CITED} are kept).",
    )

    @field_validator("cited", mode="before")
    @classmethod
    def _first_cited(cls, cited: Any) -> Any:
        return cited[:MAX_CITED] if isinstance(cited, list) else cited


class Rating(BaseModel):
    """A stored rating, as the export reads it back."""

    id: int
    at: str
    rating: Literal["up", "down"]
    mode: str
    refused: bool
    report_ids: list[str]
    question: str | None
    cited: list[CitedPassage]


class Tally(BaseModel):
    up: int = 0
    down: int = 0


class PeriodTally(BaseModel):
    """Ratings in one day or ISO week."""

    period: str = Field(description="'2026-11-26' for a day, '2026-W48' for an ISO week.")
    start: date
    up: int = 0
    down: int = 0
    refused: int = Field(0, description="Ratings of answers that were refusals.")
    refused_share: float | None = None


class FeedbackSummary(BaseModel):
    """What the operator sees at GET /api/feedback/summary."""

    total: int
    up: int
    down: int
    up_share: float | None
    answered: Tally
    refused: Tally
    refused_share: float | None = Field(None, description="Share of rated answers refused.")
    by_mode: dict[str, Tally]
    questions_stored: bool
    recent_down: list[dict[str, object]]
    trend_by: Period = "week"
    trend: list[PeriodTally] = Field(
        default_factory=list, description="The last periods, oldest first, empty ones included."
    )


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def period_start(day: date, by: Period) -> date:
    """The first day of the day or ISO week (Monday) that `day` falls in."""
    return day if by == "day" else day - timedelta(days=day.weekday())


def period_name(start: date, by: Period) -> str:
    if by == "day":
        return start.isoformat()
    year, week, _ = start.isocalendar()
    return f"{year}-W{week:02d}"


def trend(
    rows: list[tuple[str, str, int]], by: Period, periods: int, now: datetime
) -> list[PeriodTally]:
    """Up, down and refused per period for the `periods` periods up to `now`'s, oldest first."""
    step = timedelta(days=1 if by == "day" else 7)
    last = period_start(now.astimezone(UTC).date(), by)
    starts = [last - step * i for i in range(periods - 1, -1, -1)]
    tallies = {s: PeriodTally(period=period_name(s, by), start=s) for s in starts}
    for at, rating, refused in rows:
        tally = tallies.get(period_start(datetime.fromisoformat(at).astimezone(UTC).date(), by))
        if tally is not None:
            setattr(tally, rating, getattr(tally, rating) + 1)
            tally.refused += bool(refused)
    for tally in tallies.values():
        tally.refused_share = share(tally.refused, tally.up + tally.down)
    return list(tallies.values())


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
            migrate(db)
            yield db

    def record(self, feedback: Feedback, at: datetime | None = None) -> None:
        """Store one rating (without the question unless the operator allows it)."""
        question = feedback.question if self.keep_questions else None
        cited = json.dumps([c.model_dump() for c in feedback.cited], ensure_ascii=False)
        row = (
            (at or datetime.now(UTC)).isoformat(timespec="seconds"),
            feedback.rating,
            feedback.mode,
            int(feedback.refused),
            feedback.citations,
            ",".join(feedback.report_ids),
            question,
            cited,
        )
        with self._connect() as db:
            db.execute(
                "INSERT INTO feedback"
                " (at, rating, mode, refused, citations, report_ids, question, cited)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )

    def thumbs_down(self) -> list[Rating]:
        """Every thumbs-down, oldest first, with its citations (none for older rows)."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT id, at, rating, mode, refused, report_ids, question, cited FROM feedback"
                " WHERE rating = 'down' ORDER BY id"
            ).fetchall()
        return [
            Rating(
                id=i,
                at=at,
                rating=rating,
                mode=mode,
                refused=bool(refused),
                report_ids=[r for r in report_ids.split(",") if r],
                question=question,
                cited=json.loads(cited) if cited else [],
            )
            for i, at, rating, mode, refused, report_ids, question, cited in rows
        ]

    def summary(
        self, by: Period = "week", periods: int = 8, now: datetime | None = None
    ) -> FeedbackSummary:
        """Counts overall, by answered/refused and by mode, the trend over the last `periods`
        days or ISO weeks, and the latest thumbs-down."""
        with self._connect() as db:
            rows = db.execute("SELECT at, rating, mode, refused FROM feedback").fetchall()
            down = db.execute(
                "SELECT at, mode, refused, citations, question FROM feedback"
                " WHERE rating = 'down' ORDER BY id DESC LIMIT ?",
                (RECENT,),
            ).fetchall()
        answered, refused = Tally(), Tally()
        by_mode: dict[str, Tally] = {}
        for _, rating, mode, was_refused in rows:
            for tally in (refused if was_refused else answered, by_mode.setdefault(mode, Tally())):
                setattr(tally, rating, getattr(tally, rating) + 1)
        up = answered.up + refused.up
        return FeedbackSummary(
            total=len(rows),
            up=up,
            down=len(rows) - up,
            up_share=share(up, len(rows)),
            answered=answered,
            refused=refused,
            refused_share=share(refused.up + refused.down, len(rows)),
            by_mode=by_mode,
            questions_stored=self.keep_questions,
            recent_down=[
                {"at": at, "mode": mode, "refused": bool(r), "citations": c, "question": q}
                for at, mode, r, c, q in down
            ],
            trend_by=by,
            trend=trend(
                [(at, rating, r) for at, rating, _, r in rows],
                by,
                periods,
                now or datetime.now(UTC),
            ),
        )


def migrate(db: sqlite3.Connection) -> None:
    """Add the columns a file made by an earlier version lacks (nullable, so old rows stay)."""
    present = {row[1] for row in db.execute("PRAGMA table_info(feedback)")}
    for name, kind in ADDED_COLUMNS.items():
        if name not in present:
            try:
                db.execute(f"ALTER TABLE feedback ADD COLUMN {name} {kind}")
            except sqlite3.OperationalError as exc:  # another connection added it first
                if "duplicate column" not in str(exc):
                    raise


def feedback_store(settings: Settings) -> FeedbackStore:
    """The store under the data dir, keeping questions only if SAFEGUARDING_LOG_QUESTIONS."""
    return FeedbackStore(settings.data_dir / FEEDBACK_FILE, keep_questions=settings.log_questions)
