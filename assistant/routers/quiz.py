"""POST /api/quiz and GET /api/quiz/{id}/export: grounded quizzes for trainers."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import Response

from assistant.deps import SettingsDep, raise_http
from assistant.quiz.export import EXTENSIONS, FORMATS, MEDIA_TYPES, UnknownFormat, export_quiz
from assistant.quiz.models import Quiz, QuizRequest
from assistant.quiz.service import load_quiz, make_quiz
from assistant.responses import documented
from assistant.search import SearchError

router = APIRouter(prefix="/api", tags=["quiz"])


@router.post("/quiz")
def quiz_route(body: QuizRequest, settings: SettingsDep) -> Quiz:
    """Items about a topic, theme or reports, each citing its passage; 422 when there is
    nothing sound to ask (no padding with weak items)."""
    try:
        return make_quiz(settings, body)
    except SearchError as exc:
        raise raise_http(exc) from exc


@router.get("/quiz/{quiz_id}/export", responses=documented(404, 410))
def export_route(
    quiz_id: str,
    settings: SettingsDep,
    format: str = Query("gift", description=f"One of: {', '.join(FORMATS)}."),  # noqa: A002
) -> Response:
    """The quiz as a file for a learning platform. The id carries the request, so any replica
    regenerates the same quiz (410 once the index has been rebuilt)."""
    if format not in FORMATS:
        raise HTTPException(
            status_code=422,
            detail=f"unknown export format {format!r}; use one of: {', '.join(FORMATS)}",
        )
    try:
        quiz = load_quiz(settings, quiz_id)
        exported = export_quiz(quiz, format)
    except SearchError as exc:
        raise raise_http(exc) from exc
    except UnknownFormat as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    filename = f"safeguarding-quiz.{EXTENSIONS[format]}"
    headers = {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "X-Quiz-Items": str(exported.written),  # what the file holds; the summary says why less
        "X-Quiz-Summary": exported.summary(),
    }
    return Response(content=exported.text, media_type=MEDIA_TYPES[format], headers=headers)
