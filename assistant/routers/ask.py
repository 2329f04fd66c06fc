"""POST /api/ask, /api/ask/stream and /api/compare: cited answers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from assistant.answer_schema import Answer
from assistant.deps import SettingsDep, raise_http
from assistant.filters import ReportFilter
from assistant.followup import Turn
from assistant.questions import Question
from assistant.search import SearchError
from assistant.service import Comparison, Mode, ask, ask_stream, compare

router = APIRouter(prefix="/api", tags=["answers"])


class AskRequest(BaseModel):
    question: Question
    report_ids: list[str] = Field(default_factory=list, max_length=10)
    filters: ReportFilter | None = Field(
        None, description="Report metadata; combined with report_ids (both must admit a report)."
    )
    history: list[Turn] = Field(default_factory=list, max_length=20)
    mode: Mode = "extractive"


@router.post("/ask")
def ask_route(body: AskRequest, settings: SettingsDep) -> Answer:
    """Answer with quoted, cited sentences, or refuse when the reports don't cover it."""
    try:
        return ask(settings, body.question, body.report_ids, body.history, body.mode, body.filters)
    except SearchError as exc:
        raise raise_http(exc) from exc


SSE: dict[int | str, dict[str, Any]] = {
    200: {"description": "Server-sent events.", "content": {"text/event-stream": {}}}
}


@router.post("/ask/stream", response_class=StreamingResponse, responses=SSE)
def ask_stream_route(body: AskRequest, settings: SettingsDep) -> StreamingResponse:
    """Server-sent events: `token` events (generative mode), then one `answer` event."""
    try:
        events = ask_stream(
            settings, body.question, body.report_ids, body.history, body.mode, body.filters
        )
        first = next(events)
    except SearchError as exc:
        raise raise_http(exc) from exc

    def encode() -> Iterator[str]:
        for event in (first, *events):
            yield f"event: {event['event']}\ndata: {json.dumps(event['data'])}\n\n"

    return StreamingResponse(encode(), media_type="text/event-stream")


@router.post("/compare")
def compare_route(body: AskRequest, settings: SettingsDep) -> Comparison:
    """The question answered once per report, side by side (extractive)."""
    try:
        return compare(settings, body.question, body.report_ids, body.history, body.filters)
    except SearchError as exc:
        raise raise_http(exc) from exc
