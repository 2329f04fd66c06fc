"""Thumbs up/down: stored in SQLite under the data dir, questions only when allowed."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from pydantic import SecretStr

from assistant.app import create_app
from assistant.feedback import FEEDBACK_FILE, Feedback, FeedbackStore


def test_question_text_is_dropped_unless_the_operator_allows_it(tmp_path):
    path = tmp_path / FEEDBACK_FILE
    FeedbackStore(path, keep_questions=False).record(
        Feedback(rating="down", question="a case detail", citations=2)
    )
    FeedbackStore(path, keep_questions=True).record(Feedback(rating="up", question="kept"))
    with sqlite3.connect(path) as db:
        stored = [row[0] for row in db.execute("SELECT question FROM feedback ORDER BY id")]
    assert stored == [None, "kept"]


def test_summary_counts_by_outcome_and_mode(tmp_path):
    store = FeedbackStore(tmp_path / FEEDBACK_FILE, keep_questions=False)
    assert store.summary().total == 0 and store.summary().up_share is None
    for rating, refused in (("up", False), ("up", False), ("down", True)):
        store.record(Feedback(rating=rating, refused=refused))
    summary = store.summary()
    assert (summary.total, summary.up, summary.down, summary.up_share) == (3, 2, 1, 0.667)
    assert summary.answered.up == 2 and summary.refused.down == 1
    assert summary.by_mode["extractive"].up == 2
    assert summary.recent_down[0]["refused"] is True


def test_api_records_and_summarises_under_the_data_dir(settings):
    client = TestClient(create_app(settings))
    response = client.post("/api/feedback", json={"rating": "down", "question": "secret"})
    assert response.status_code == 201
    summary = client.get("/api/feedback/summary").json()
    assert summary["down"] == 1 and summary["questions_stored"] is False
    assert summary["recent_down"][0]["question"] is None
    assert (settings.data_dir / FEEDBACK_FILE).exists()
    assert client.post("/api/feedback", json={"rating": "meh"}).status_code == 422


def test_feedback_routes_need_the_api_key_when_one_is_set(settings):
    keyed = settings.model_copy(update={"api_key": SecretStr("k")})
    client = TestClient(create_app(keyed))
    assert client.get("/api/feedback/summary").status_code == 401
    assert client.get("/api/feedback/summary", headers={"X-API-Key": "k"}).status_code == 200


# -- citations, the migration of older files, and the trend -----------------------------------

CITED = [{"passage_id": "hte-0003", "report_id": "hard-to-escape", "quote": "Dale Simon led it."}]


def test_citations_are_kept_and_the_question_only_when_allowed(tmp_path):
    path = tmp_path / FEEDBACK_FILE
    FeedbackStore(path, keep_questions=False).record(
        Feedback(rating="down", question="my own case detail", cited=CITED)
    )
    FeedbackStore(path, keep_questions=True).record(
        Feedback(rating="down", question="a stored question", cited=CITED)
    )
    first, second = FeedbackStore(path, keep_questions=False).thumbs_down()
    assert (first.question, second.question) == (None, "a stored question")
    assert [c.model_dump() for c in first.cited] == CITED
    assert b"my own case detail" not in path.read_bytes()  # nowhere in the file


def test_an_answers_citations_can_be_passed_as_they_are():
    from assistant.answer_schema import Citation

    citation = Citation(
        n=1,
        passage_id="p",
        report_id="r",
        report_title="T",
        section="S",
        page_start=None,
        page_end=None,
        quote="q" * 5000,
    )
    feedback = Feedback(rating="down", cited=[citation] * 30)
    assert len(feedback.cited) == 20 and len(feedback.cited[0].quote) == 1000
    assert feedback.cited[0].passage_id == "p"


def test_a_file_from_before_citations_is_migrated_in_place(tmp_path):
    path = tmp_path / FEEDBACK_FILE
    with closing(sqlite3.connect(path)) as db, db:
        db.execute(
            "CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL,"
            " rating TEXT NOT NULL, mode TEXT NOT NULL, refused INTEGER NOT NULL,"
            " citations INTEGER NOT NULL, report_ids TEXT NOT NULL, question TEXT)"
        )
        db.execute(
            "INSERT INTO feedback (at, rating, mode, refused, citations, report_ids, question)"
            " VALUES ('2026-01-05T09:00:00+00:00', 'down', 'extractive', 1, 0, 'a,b', NULL)"
        )
    store = FeedbackStore(path, keep_questions=False)
    store.record(Feedback(rating="down", cited=CITED))
    old, new = store.thumbs_down()
    assert (old.cited, old.report_ids, old.refused) == ([], ["a", "b"], True)
    assert new.cited[0].quote == "Dale Simon led it."
    with closing(sqlite3.connect(path)) as db:
        assert "cited" in {row[1] for row in db.execute("PRAGMA table_info(feedback)")}


NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)  # a Thursday, in ISO week 48


def rated(store: FeedbackStore, days_ago: int, rating: str, refused: bool = False) -> None:
    store.record(Feedback(rating=rating, refused=refused), at=NOW - timedelta(days=days_ago))


def test_summary_gives_the_trend_per_week_and_day_and_the_share_refused(tmp_path):
    store = FeedbackStore(tmp_path / FEEDBACK_FILE, keep_questions=False)
    rated(store, 0, "up")
    rated(store, 0, "down", refused=True)
    rated(store, 3, "down")  # Monday of week 48
    rated(store, 4, "up", refused=True)  # Sunday of week 47
    rated(store, 60, "down", refused=True)  # before the last 3 weeks: in the totals only
    summary = store.summary(by="week", periods=3, now=NOW)
    assert summary.total == 5 and summary.refused_share == 0.6
    weeks = [(t.period, t.up, t.down, t.refused_share) for t in summary.trend]
    assert weeks == [("2026-W46", 0, 0, None), ("2026-W47", 1, 0, 1.0), ("2026-W48", 1, 2, 0.333)]
    assert summary.trend[-1].start.isoformat() == "2026-11-23"
    days = store.summary(by="day", periods=2, now=NOW).trend
    assert [(t.period, t.up, t.down, t.refused) for t in days] == [
        ("2026-11-25", 0, 0, 0),
        ("2026-11-26", 1, 1, 1),
    ]


def test_api_summary_adds_the_trend_and_keeps_its_earlier_fields(settings):
    client = TestClient(create_app(settings))
    body = {"rating": "down", "refused": True, "question": "secret", "cited": CITED}
    assert client.post("/api/feedback", json=body).status_code == 201
    summary = client.get("/api/feedback/summary", params={"by": "day", "periods": 3}).json()
    assert {"total", "up", "down", "up_share", "answered", "refused", "by_mode"} <= set(summary)
    assert summary["refused_share"] == 1.0 and summary["trend_by"] == "day"
    assert len(summary["trend"]) == 3 and summary["trend"][-1]["down"] == 1
    assert len(client.get("/api/feedback/summary").json()["trend"]) == 8  # weeks by default
    assert client.get("/api/feedback/summary", params={"periods": 0}).status_code == 422
    assert client.get("/api/feedback/summary", params={"by": "year"}).status_code == 422
