"""Error responses documented in the OpenAPI schema, so clients (and the fuzz test) know every
status an /api route may answer and the shape of its body."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class Problem(BaseModel):
    """An error: one line saying what went wrong and what to do."""

    detail: str


class FieldError(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class Invalid(BaseModel):
    """422: the reason, or one entry per invalid field (never the input itself)."""

    detail: str | list[FieldError]


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries for these statuses, each with its body model."""
    return {
        status: {"model": Invalid if status == 422 else Problem, "description": REASONS[status]}
        for status in statuses
    }


REASONS = {
    400: "The body is not text.",
    401: "The API key is missing or wrong.",
    404: "No such passage, report or quiz.",
    410: "The quiz was made from an index build that has since been replaced.",
    413: "The body is larger than 64 KB.",
    422: "The request breaks a rule (a field's limits, an unknown report id).",
    429: "Too many requests from this client; see Retry-After.",
    503: "No usable index, or the Chroma server does not answer.",
}
# Every guarded /api route: the body, key, rate and index checks apply to all of them.
API_ERRORS = documented(400, 401, 413, 422, 429, 503)
