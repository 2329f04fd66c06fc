"""Quiz ids that carry their own request, so any replica can regenerate the quiz (no state).

An id is the compressed request plus the index build it was made from: generation is
deterministic, so the same id on the same build gives the same items everywhere.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib

from pydantic import ValidationError

from assistant.quiz.models import QuizRequest

PREFIX = "q1-"
MAX_ID_CHARS = 2000
MAX_PAYLOAD_BYTES = 8192


class BadQuizId(ValueError):
    """The id was not made by this service (or was cut short)."""


def quiz_id(request: QuizRequest, build_id: str) -> str:
    payload = {"build": build_id, "request": request.model_dump(mode="json")}
    raw = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode("utf-8")
    return PREFIX + base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")


def read_quiz_id(value: str) -> tuple[QuizRequest, str]:
    """The request and build id inside a quiz id, or BadQuizId."""
    if not value.startswith(PREFIX) or len(value) > MAX_ID_CHARS:
        raise BadQuizId("unknown quiz id")
    body = value[len(PREFIX) :]
    try:
        packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        unpacker = zlib.decompressobj()
        raw = unpacker.decompress(packed, MAX_PAYLOAD_BYTES)
        if unpacker.unconsumed_tail or not unpacker.eof:
            raise BadQuizId("unknown quiz id")
        payload = json.loads(raw)
        return QuizRequest.model_validate(payload["request"]), str(payload["build"])
    except (binascii.Error, zlib.error, ValueError, KeyError, TypeError, ValidationError) as exc:
        raise BadQuizId("unknown quiz id") from exc
