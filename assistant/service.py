"""Answering entry points shared by the API, the CLI and the UI: ask, stream, compare."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel

from assistant.answer_schema import Answer
from assistant.corpus import load_manifest
from assistant.embedder import reuse_query_vectors
from assistant.filters import ReportFilter
from assistant.followup import Turn
from assistant.pipeline import Mode, PipelineError, make_answerer
from assistant.privacy import log_question
from assistant.search import SearchError, check_report_ids, live_store, searched_reports
from assistant.settings import Settings


class ReportAnswer(BaseModel):
    """One column of a comparison: a report and its answer to the question."""

    report_id: str
    report_title: str
    answer: Answer


class Comparison(BaseModel):
    """The same question answered once per report, side by side."""

    question: str
    answers: list[ReportAnswer]


def _answerer(settings: Settings, mode: Mode):  # type: ignore[no-untyped-def]
    store = live_store(settings)
    try:
        return store, make_answerer(settings, store, mode)
    except PipelineError as exc:
        raise SearchError(str(exc)) from exc


def no_report_matches(question: str, filters: ReportFilter | None) -> Answer:
    """The refusal for a filter that admits no report: nothing was searched."""
    what = f" ({filters.describe()})" if filters else ""
    return Answer(
        question=question,
        answer=f"No report matches the filter{what}, so nothing was searched."
        " Widen or clear the filter to search the reports.",
        refused=True,
        query=question,
    )


def ask(
    settings: Settings,
    question: str,
    report_ids: list[str] | None = None,
    history: list[Turn] | None = None,
    mode: Mode = "extractive",
    filters: ReportFilter | None = None,
) -> Answer:
    """A cited answer (or a refusal) to `question`, from the reports the filter admits."""
    log_question(settings, "ask", question)
    store, answerer = _answerer(settings, mode)
    check_report_ids(settings, store, report_ids or [])
    wanted = searched_reports(settings, filters, report_ids)
    if wanted == []:
        return no_report_matches(question, filters)
    answer: Answer = answerer.run(question, wanted, history or [])
    return answer


def ask_stream(
    settings: Settings,
    question: str,
    report_ids: list[str] | None = None,
    history: list[Turn] | None = None,
    mode: Mode = "extractive",
    filters: ReportFilter | None = None,
) -> Iterator[dict[str, object]]:
    """Events for server-sent streaming: tokens (generative mode), then the checked answer."""
    log_question(settings, "ask", question)
    store, answerer = _answerer(settings, mode)
    check_report_ids(settings, store, report_ids or [])
    wanted = searched_reports(settings, filters, report_ids)
    if wanted == []:
        answer = no_report_matches(question, filters)
    elif mode == "generative":
        yield from answerer.stream(question, wanted, history or [])
        return
    else:
        answer = answerer.run(question, wanted, history or [])
    yield {"event": "answer", "data": answer.model_dump(mode="json")}


def compare(
    settings: Settings,
    question: str,
    report_ids: list[str] | None = None,
    history: list[Turn] | None = None,
    filters: ReportFilter | None = None,
) -> Comparison:
    """The question answered separately from each report (extractive), in manifest order;
    no column when no report matches the filter."""
    log_question(settings, "compare", question)
    store, answerer = _answerer(settings, "extractive")
    check_report_ids(settings, store, report_ids or [])
    searched = searched_reports(settings, filters, report_ids)
    manifest = load_manifest(settings.manifest_path)
    indexed = set(store.report_ids())
    wanted = [
        r for r in manifest.reports if r.id in indexed and (searched is None or r.id in searched)
    ]
    with reuse_query_vectors():  # the same question for each report: embed it once
        answers = [
            ReportAnswer(
                report_id=r.id,
                report_title=r.title,
                answer=answerer.run(question, [r.id], history or []),
            )
            for r in wanted
        ]
    return Comparison(question=question, answers=answers)
