"""Chat completions for generative mode through the official `openai` SDK, pointed at any
OpenAI-compatible endpoint with `base_url` (Ollama, the llama.cpp server, vLLM, hosted APIs).

Why the `openai` SDK and not llama-index's `OpenAILike`: `OpenAILike` is a layer over this same
SDK, and its OpenAI package counts tokens with tiktoken, which downloads its encodings at run
time (this project never downloads at run time). The SDK gives streaming, timeouts and retries
with backoff (429, 5xx, dropped connections), and typed errors that map onto `LLMError` here.
Failures surface as `LLMError` with a one-line reason. Prompts and replies are never logged.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import openai
from pydantic import SecretStr

from assistant.settings import Settings

Message = dict[str, str]
# Local servers (Ollama, llama.cpp, vLLM) need no key, but the SDK insists on one; they ignore it.
NO_KEY = "not-needed"


class LLMError(Exception):
    """The endpoint failed; `reason` is a short one-line description without prompt text."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _text(choice: Any, key: str) -> str | None:
    """choices[0].<key>.content of a reply or stream chunk; LLMError when malformed."""
    content = getattr(getattr(choice, key, None), "content", None)
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
        retries: int = 2,
    ) -> None:
        key = api_key.get_secret_value() if isinstance(api_key, SecretStr) else api_key
        self.model = model
        self.timeout = timeout
        self.temperature = temperature
        self.sdk = openai.OpenAI(
            base_url=base_url.rstrip("/"),
            api_key=key or NO_KEY,
            timeout=timeout,
            max_retries=retries,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> ChatClient:
        """The client for the configured endpoint; ValueError when none is configured."""
        if not settings.llm_base_url or not settings.llm_model:
            raise ValueError(
                "generative mode needs SAFEGUARDING_LLM_BASE_URL and SAFEGUARDING_LLM_MODEL"
            )
        return cls(
            settings.llm_base_url,
            settings.llm_model,
            settings.llm_api_key,
            settings.llm_timeout,
            retries=settings.llm_retries,
        )

    def _failure(self, exc: Exception) -> LLMError:
        """The project's one-line reason for an SDK or transport failure."""
        if isinstance(exc, openai.APITimeoutError):
            return LLMError(f"LLM timeout after {self.timeout:g} s")
        if isinstance(exc, openai.APIStatusError):
            return LLMError(f"LLM endpoint returned HTTP {exc.status_code}")
        if isinstance(exc, openai.APIResponseValidationError | ValueError):
            return LLMError("LLM reply malformed")
        if isinstance(exc, openai.APIError) and not isinstance(exc, openai.APIConnectionError):
            return LLMError("LLM stream reported an error")
        cause = exc.__cause__ or exc
        detail = str(cause).splitlines()[0][:120] if str(cause) else type(cause).__name__
        return LLMError(f"LLM connection failed: {detail}")

    def _create(self, messages: list[Message], stream: bool) -> Any:
        return self.sdk.chat.completions.create(
            model=self.model,
            messages=messages,  # type: ignore[arg-type]
            temperature=self.temperature,
            stream=stream,
        )

    def complete(self, messages: list[Message]) -> str:
        """The reply text (non-streaming); LLMError on any failure or empty content."""
        try:
            reply = self._create(messages, stream=False)
        except (openai.OpenAIError, ValueError) as exc:
            raise self._failure(exc) from exc
        choices = getattr(reply, "choices", None)
        if not isinstance(choices, list) or not choices:
            raise LLMError("LLM reply malformed: no choices[0].message")
        content = _text(choices[0], "message")
        if not content or not content.strip():
            raise LLMError("LLM reply empty")
        return content

    def stream(self, messages: list[Message]) -> Iterator[str]:
        """Reply text pieces as the server sends them; LLMError on failure or no content."""
        produced = False
        try:
            for chunk in self._create(messages, stream=True):
                if not chunk.choices:
                    continue  # e.g. a closing usage-only chunk
                piece = _text(chunk.choices[0], "delta")
                if piece:
                    produced = True
                    yield piece
        except (openai.OpenAIError, ValueError) as exc:
            raise self._failure(exc) from exc
        if not produced:
            raise LLMError("LLM reply empty")
