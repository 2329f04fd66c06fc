"""The one factory for the answering pipeline: ask, stream, compare, search and the evaluation
all build it here, so they share one set of parameters and stages."""

from __future__ import annotations

from typing import Any, Literal

from assistant.answer import ExtractiveAnswerer
from assistant.embedder import get_embedder
from assistant.settings import Settings
from assistant.store import IndexStore

Mode = Literal["extractive", "generative"]


class PipelineError(Exception):
    """The pipeline cannot be built as asked (generative mode without a model configured)."""


def make_answerer(
    settings: Settings,
    store: IndexStore,
    mode: Mode = "extractive",
    *,
    without_guards: frozenset[str] = frozenset(),
) -> Any:
    """The extractive pipeline, or the generative answerer that wraps it."""
    if mode == "generative":
        if not getattr(settings, "generative_enabled", False):
            raise PipelineError(
                "generative mode is not configured: set SAFEGUARDING_LLM_BASE_URL and"
                " SAFEGUARDING_LLM_MODEL"
            )
        from assistant.generative import GenerativeAnswerer

        return GenerativeAnswerer(store, get_embedder(), settings)
    return ExtractiveAnswerer(store, get_embedder(), without_guards=without_guards)
