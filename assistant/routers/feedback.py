"""POST /api/feedback and GET /api/feedback/summary: thumbs up/down on answers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from assistant.deps import SettingsDep
from assistant.feedback import Feedback, FeedbackSummary, Period, feedback_store

router = APIRouter(prefix="/api/feedback", tags=["feedback"])


@router.post("", status_code=201)
def record(body: Feedback, settings: SettingsDep) -> dict[str, str]:
    """Store one rating; the question text is dropped unless the operator enabled storing it."""
    feedback_store(settings).record(body)
    return {"status": "recorded"}


@router.get("/summary")
def summary(
    settings: SettingsDep,
    by: Annotated[Period, Query(description="Trend per day or per ISO week.")] = "week",
    periods: Annotated[int, Query(ge=1, le=366, description="How many periods, to now.")] = 8,
) -> FeedbackSummary:
    """Ratings so far: totals, answered versus refused, by mode, the trend over the last periods
    and the latest thumbs-down."""
    return feedback_store(settings).summary(by=by, periods=periods)
