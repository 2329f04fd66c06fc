"""Quiz entry points shared by the API and the CLI: make a quiz, and get one back by its id."""

from __future__ import annotations

import threading
from collections import OrderedDict

from assistant.answer import BRIEFING_NOTICE
from assistant.corpus import load_manifest
from assistant.embedder import get_embedder
from assistant.pipeline import make_answerer
from assistant.quiz.builder import NothingToAsk, QuizBuilder, theme_matches
from assistant.quiz.ids import BadQuizId, quiz_id, read_quiz_id
from assistant.quiz.models import Quiz, QuizRequest
from assistant.search import SearchError, check_report_ids, live_store
from assistant.settings import Settings
from assistant.store import IndexStore

COMMON_THEMES_LABEL = "Across the three reports"
CACHED_QUIZZES = 32

_lock = threading.Lock()
_builders: dict[str, QuizBuilder] = {}
_quizzes: OrderedDict[str, Quiz] = OrderedDict()


class QuizError(SearchError):
    """The quiz cannot be made or found; `status` is the HTTP status, the message says why."""


def report_labels(settings: Settings) -> dict[str, str]:
    """How stems and options name each report: the manifest's short titles."""
    labels = {r.id: r.short_title for r in load_manifest(settings.manifest_path).reports}
    return {**labels, "common-themes": COMMON_THEMES_LABEL}


def builder_for(settings: Settings, store: IndexStore) -> QuizBuilder:
    """One builder per index build, so its distractor pool and verdicts are reused."""
    with _lock:
        if store.build_id not in _builders:
            _builders.clear()
            _builders[store.build_id] = QuizBuilder(store, get_embedder(), report_labels(settings))
        return _builders[store.build_id]


def make_quiz(settings: Settings, request: QuizRequest) -> Quiz:
    """A quiz for the request from the live index, or a QuizError saying why there is none."""
    store = live_store(settings)
    check_report_ids(settings, store, request.report_ids)
    key = quiz_id(request, store.build_id)
    with _lock:
        if key in _quizzes:
            _quizzes.move_to_end(key)
            return _quizzes[key]
    check_covered(settings, store, request)
    try:
        items, warnings = builder_for(settings, store).run(request)
    except NothingToAsk as exc:
        raise QuizError(str(exc), status=422) from exc
    briefing = any(i.citation.source_kind == "briefing" for i in items)
    quiz = Quiz(
        id=key,
        request=request,
        build_id=store.build_id,
        items=items,
        warnings=warnings,
        notice=BRIEFING_NOTICE if briefing else None,
    )
    with _lock:
        _quizzes[key] = quiz
        while len(_quizzes) > CACHED_QUIZZES:
            _quizzes.popitem(last=False)
    return quiz


def check_covered(settings: Settings, store: IndexStore, request: QuizRequest) -> None:
    """A topic is covered when `ask` would answer it (the same calibrated decision), and a
    theme when a section heading has its words; QuizError (422) otherwise."""
    if request.topic:
        answerer = make_answerer(settings, store)
        decision = answerer.decide(answerer.trace(request.topic, request.report_ids or None))
        if not decision.answerable:
            raise QuizError(
                f"the reports don't cover {request.topic!r} (`ask` declines it too), so there is"
                " nothing sound to ask about it",
                status=422,
            )
    if request.theme and not any(
        theme_matches(request.theme, p.section)
        for p in store.passages
        if not request.report_ids or p.report_id in request.report_ids
    ):
        raise QuizError(
            f"no section heading matches the theme {request.theme!r}; a theme is words of a"
            " heading (the Reports tab and GET /api/reports list them)",
            status=422,
        )


def load_quiz(settings: Settings, value: str) -> Quiz:
    """The quiz with this id, regenerated if this process has not made it (404/410 if not)."""
    try:
        request, build = read_quiz_id(value)
    except BadQuizId as exc:
        raise QuizError(str(exc), status=404) from exc
    live = live_store(settings).build_id
    if build != live:
        raise QuizError(
            f"this quiz was made from index build {build}, and the live index is now {live};"
            " generate the quiz again",
            status=410,
        )
    return make_quiz(settings, request)
