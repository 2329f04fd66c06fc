"""The CLI's client for a running server: `ask` and `search` over HTTP, so the calling process
never loads the model. Replies are read into the project's own models, so they print the same."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from assistant.answer_schema import Answer
from assistant.index_schema import Passage

if TYPE_CHECKING:
    from assistant.filters import ReportFilter
    from assistant.service import Comparison

TIMEOUT = httpx.Timeout(120.0, connect=5.0)  # a cold server loads its model on the first question
_ERRNO = re.compile(r"^\[Errno -?\d+\]\s*")
M = TypeVar("M", bound=BaseModel)


class RemoteError(Exception):
    """The server cannot be reached, refused the request, or replied in a shape not understood."""


class Remote:
    """One server's `/api`, answering with `Answer`, `Comparison` and `Passage`."""

    def __init__(self, url: str, api_key: str | None = None) -> None:
        if not url.startswith(("http://", "https://")):
            raise RemoteError(
                f"--server must be an http:// or https:// URL, such as http://127.0.0.1:8000;"
                f" got {url!r}"
            )
        self.url = url.rstrip("/")
        self.headers = {"X-API-Key": api_key} if api_key else {}

    def search(
        self, query: str, k: int, report_ids: list[str], filters: ReportFilter | None = None
    ) -> list[tuple[Passage, float]]:
        """`POST /api/search`: each passage with its fused score."""
        body = {"query": query, "k": k, "report_ids": report_ids, **_filters(filters)}
        rows = self._post("/api/search", body)
        try:
            return [(Passage.model_validate(row), float(row["score"])) for row in rows]
        except (KeyError, TypeError, ValueError):  # ValidationError is a ValueError
            raise self._unreadable() from None

    def ask(
        self,
        question: str,
        report_ids: list[str],
        history: list[str],
        mode: str,
        filters: ReportFilter | None = None,
    ) -> Answer:
        """`POST /api/ask`: the answer contract."""
        body = self._ask_body(question, report_ids, history, mode) | _filters(filters)
        return self._read(Answer, self._post("/api/ask", body))

    def compare(
        self,
        question: str,
        report_ids: list[str],
        history: list[str],
        filters: ReportFilter | None = None,
    ) -> Comparison:
        """`POST /api/compare`: one answer per report."""
        from assistant.service import Comparison  # the reply's model; no model weights load

        body = self._ask_body(question, report_ids, history, "extractive") | _filters(filters)
        return self._read(Comparison, self._post("/api/compare", body))

    @staticmethod
    def _ask_body(
        question: str, report_ids: list[str], history: list[str], mode: str
    ) -> dict[str, Any]:
        turns = [{"question": q} for q in history]
        return {"question": question, "report_ids": report_ids, "history": turns, "mode": mode}

    def _post(self, path: str, body: dict[str, Any]) -> Any:
        try:
            with httpx.Client(timeout=TIMEOUT, headers=self.headers) as client:
                response = client.post(self.url + path, json=body)
        except httpx.TimeoutException:
            raise RemoteError(
                f"the server at {self.url} did not answer within {TIMEOUT.read:g} s"
            ) from None
        except httpx.TransportError as exc:
            raise RemoteError(
                f"cannot reach the server at {self.url} ({_reason(exc)}); is it running?"
            ) from None
        if response.is_error:
            raise RemoteError(
                f"the server at {self.url} answered {response.status_code}: {_detail(response)}"
            )
        try:
            return response.json()
        except ValueError:
            raise self._unreadable() from None

    def _read(self, model: type[M], reply: Any) -> M:
        try:
            return model.model_validate(reply)
        except ValidationError:
            raise self._unreadable() from None

    def _unreadable(self) -> RemoteError:
        return RemoteError(
            f"the server at {self.url} replied in a shape this version cannot read;"
            " is it a safeguarding server of the same version?"
        )


def _filters(filters: ReportFilter | None) -> dict[str, Any]:
    """The body's `filters` entry, left out when nothing is filtered (older servers)."""
    if filters is None or filters.empty:
        return {}
    return {"filters": filters.model_dump(exclude_defaults=True)}


def _reason(exc: httpx.TransportError) -> str:
    """'connection refused' from '[Errno 111] Connection refused'."""
    text = _ERRNO.sub("", " ".join(str(exc).split())) or type(exc).__name__
    return text[:1].lower() + text[1:]


def _detail(response: httpx.Response) -> str:
    """The server's one-line reason: FastAPI's `detail`, the first validation error, or the text."""
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    if isinstance(detail, list) and detail and isinstance(detail[0], dict):
        where = ".".join(str(part) for part in detail[0].get("loc", [])[1:])
        detail = f"{where}: {detail[0].get('msg', '')}" if where else detail[0].get("msg")
    text = str(detail) if detail else response.text or response.reason_phrase
    return " ".join(text.split())[:300]
