"""POST /api/feedback and GET /api/feedback/summary: thumbs up/down on answers."""

from __future__ import annotations

from fastapi import APIRouter

from assistant.deps import SettingsDep
from assistant.feedback import Feedback, FeedbackSummary, feedback_store

router = APIRouter(prefix="/api/feedback", tags=["feedback"])


@router.post("", status_code=201)
def record(body: Feedback, settings: SettingsDep) -> dict[str, str]:
    """Store one rating; the question text is dropped unless the operator enabled storing it."""
    feedback_store(settings).record(body)
    return {"status": "recorded"}


@router.get("/summary")
def summary(settings: SettingsDep) -> FeedbackSummary:
    """Ratings so far: totals, answered versus refused, by mode, and the latest thumbs-down."""
    return feedback_store(settings).summary()
