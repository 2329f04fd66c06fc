"""Thumbs up/down: stored in SQLite under the data dir, questions only when allowed."""

from __future__ import annotations

import sqlite3

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
