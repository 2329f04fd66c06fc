"""Passage search, the library call behind `safeguarding search` and `POST /api/search`."""

from __future__ import annotations

from assistant.corpus import load_manifest
from assistant.filters import FilterError, ReportFilter, admitted
from assistant.pipeline import make_answerer
from assistant.privacy import log_question
from assistant.retrieval import ScoredPassage
from assistant.settings import Settings
from assistant.store import IndexStore, IndexUnavailable, open_store


class SearchError(Exception):
    """The request cannot run (no index, unknown report id); the message says what to do."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


def live_store(settings: Settings) -> IndexStore:
    """The live index, or a SearchError (status 503) saying to run ingest."""
    try:
        return open_store(settings)
    except IndexUnavailable as exc:
        raise SearchError(str(exc), status=503) from exc


def check_report_ids(settings: Settings, store: IndexStore, report_ids: list[str]) -> None:
    """Refuse report ids that are neither in the manifest nor in the index."""
    known = set(store.report_ids()) | set(load_manifest(settings.manifest_path).ids)
    unknown = [r for r in report_ids if r not in known]
    if unknown:
        raise SearchError(f"unknown report id {unknown[0]!r}; known: {', '.join(sorted(known))}")


def searched_reports(
    settings: Settings, filters: ReportFilter | None, report_ids: list[str] | None
) -> list[str] | None:
    """The report ids both retrieval sides search (None: all; []: no report matches), or a
    SearchError (422) naming a filter value no report has."""
    try:
        return admitted(settings.manifest_path, filters, report_ids)
    except FilterError as exc:
        raise SearchError(str(exc)) from exc


def search_passages(
    settings: Settings,
    query: str,
    k: int = 5,
    report_ids: list[str] | None = None,
    filters: ReportFilter | None = None,
) -> list[ScoredPassage]:
    """The top-k passages for `query` from the live index; none when no report matches."""
    log_question(settings, "search", query)
    store = live_store(settings)
    check_report_ids(settings, store, report_ids or [])
    wanted = searched_reports(settings, filters, report_ids)
    if wanted == []:
        return []
    answerer = make_answerer(settings, store)
    analysed = answerer.rewriter.run(query)
    return answerer.retriever.retrieve(analysed, k, wanted)
