"""One way to get a Chroma client: embedded under the data dir, or a server when configured."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.settings import Settings


class ChromaUnavailable(Exception):
    """The configured Chroma server cannot be reached."""


def chroma_client(settings: Settings, embedded_path: Path) -> Any:
    """A PersistentClient at `embedded_path`, or an HttpClient when a Chroma host is set."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_host:
        try:
            return chromadb.HttpClient(
                host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
            )
        except Exception as exc:  # chromadb raises several types for an unreachable server
            raise ChromaUnavailable(
                f"cannot reach the Chroma server at {settings.chroma_host}:{settings.chroma_port}"
                " (start it with `chroma run`, or unset SAFEGUARDING_CHROMA_HOST)"
            ) from exc
    embedded_path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(embedded_path), settings=chroma_settings)
