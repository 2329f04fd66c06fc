"""A small client for OpenAI-compatible chat endpoints (Ollama, llama.cpp, vLLM, hosted APIs).

Failures surface as `LLMError` with a one-line reason. Prompts and replies are never logged.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
from pydantic import SecretStr

from assistant.settings import Settings

Message = dict[str, str]


class LLMError(Exception):
    """The endpoint failed; `reason` is a short one-line description without prompt text."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _content(payload: Any, key: str) -> str | None:
    """choices[0][key]['content'] of a reply or stream chunk; LLMError when malformed."""
    try:
        content = payload["choices"][0][key].get("content")
    except (KeyError, IndexError, TypeError, AttributeError) as exc:
        raise LLMError("LLM reply malformed: no choices[0]." + key) from exc
    if content is not None and not isinstance(content, str):
        raise LLMError("LLM reply malformed: content is not text")
    return content


class ChatClient:
    """Chat completions against `{base_url}/chat/completions`, whole or streamed."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | SecretStr | None = None,
        timeout: float = 20.0,
        temperature: float = 0.0,
    ) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        key = api_key.get_secret_value() if isinstance(api_key, SecretStr) else api_key
        self.headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.timeout = timeout
        self.temperature = temperature

    @classmethod
    def from_settings(cls, settings: Settings) -> ChatClient:
        """The client for the configured endpoint; ValueError when none is configured."""
        if not settings.llm_base_url or not settings.llm_model:
            raise ValueError(
                "generative mode needs SAFEGUARDING_LLM_BASE_URL and SAFEGUARDING_LLM_MODEL"
            )
        return cls(
            settings.llm_base_url, settings.llm_model, settings.llm_api_key, settings.llm_timeout
        )

    def _body(self, messages: list[Message], stream: bool) -> dict[str, Any]:
        return {
            "model": self.model,
            "messages": messages,
            "temperature": self.temperature,
            "stream": stream,
        }

    def _failure(self, exc: Exception) -> LLMError:
        if isinstance(exc, httpx.TimeoutException):
            return LLMError(f"LLM timeout after {self.timeout:g} s")
        if isinstance(exc, httpx.HTTPStatusError):
            return LLMError(f"LLM endpoint returned HTTP {exc.response.status_code}")
        detail = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        return LLMError(f"LLM connection failed: {detail}")

    def complete(self, messages: list[Message]) -> str:
        """The reply text (non-streaming); LLMError on any failure or empty content."""
        try:
            with httpx.Client(timeout=self.timeout) as http:
                response = http.post(
                    self.url, json=self._body(messages, False), headers=self.headers
                )
                response.raise_for_status()
        except httpx.HTTPError as exc:
            raise self._failure(exc) from exc
        try:
            payload = response.json()
        except ValueError as exc:
            raise LLMError("LLM reply is not valid JSON") from exc
        content = _content(payload, "message")
        if not content or not content.strip():
            raise LLMError("LLM reply empty")
        return content

    def stream(self, messages: list[Message]) -> Iterator[str]:
        """Reply text pieces as the server sends them (SSE); LLMError on failure or no content."""
        produced = False
        try:
            with (
                httpx.Client(timeout=self.timeout) as http,
                http.stream(
                    "POST", self.url, json=self._body(messages, True), headers=self.headers
                ) as response,
            ):
                response.raise_for_status()
                for line in response.iter_lines():
                    if not line.startswith("data:"):
                        continue  # blank separators, comments, event names
                    data = line[5:].strip()
                    if data == "[DONE]":
                        break
                    try:
                        chunk = json.loads(data)
                    except ValueError as exc:
                        raise LLMError("LLM stream chunk is not valid JSON") from exc
                    if isinstance(chunk, dict) and "error" in chunk:
                        raise LLMError("LLM stream reported an error")
                    if isinstance(chunk, dict) and chunk.get("choices") == []:
                        continue  # e.g. a closing usage-only chunk
                    piece = _content(chunk, "delta")
                    if piece:
                        produced = True
                        yield piece
        except httpx.HTTPError as exc:
            raise self._failure(exc) from exc
        if not produced:
            raise LLMError("LLM reply empty")
