"""Question text reaches a log only when the operator turns it on (SAFEGUARDING_LOG_QUESTIONS):
practitioners may type case details."""

from __future__ import annotations

import logging

from assistant.settings import Settings

QUESTION_LOG = logging.getLogger("assistant.questions")


def log_question(settings: Settings, kind: str, text: str) -> None:
    """Log `text` under `kind` (ask, compare, search) if the operator allowed it; else nothing."""
    if settings.log_questions:
        QUESTION_LOG.info("%s: %s", kind, text)


def question_log_to_stderr(settings: Settings) -> None:
    """For the CLI, which configures no logging: show allowed question logs on stderr."""
    if settings.log_questions and not QUESTION_LOG.handlers:
        QUESTION_LOG.addHandler(logging.StreamHandler())
        QUESTION_LOG.setLevel(logging.INFO)
