"""Passage search, the library call behind `safeguarding search` and `POST /api/search`."""

from __future__ import annotations

from assistant.corpus import load_manifest
from assistant.embedder import get_embedder
from assistant.retrieval import HybridRetriever, ScoredPassage
from assistant.settings import Settings
from assistant.store import IndexUnavailable, open_store


class SearchError(Exception):
    """The search cannot run (no index, unknown report id); the message says what to do."""


def search_passages(
    settings: Settings, query: str, k: int = 5, report_ids: list[str] | None = None
) -> list[ScoredPassage]:
    """The top-k passages for `query` from the live index."""
    try:
        store = open_store(settings)
    except IndexUnavailable as exc:
        raise SearchError(str(exc)) from exc
    if report_ids:
        known = set(store.report_ids()) | set(load_manifest(settings.manifest_path).ids)
        unknown = [r for r in report_ids if r not in known]
        if unknown:
            raise SearchError(
                f"unknown report id {unknown[0]!r}; known: {', '.join(sorted(known))}"
            )
    return HybridRetriever(store, get_embedder()).run(query, k=k, report_ids=report_ids or None)
