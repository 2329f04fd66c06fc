"""Read a text-like source safely: clear errors for missing, empty, huge or binary files."""

from __future__ import annotations

from pathlib import Path

from ingest.errors import IngestError

MAX_TEXT_BYTES = 20 * 1024 * 1024  # far above any report; guards against a mistaken dump


def read_source_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, or an IngestError naming the file and the problem."""
    try:
        if path.is_dir():
            raise IngestError(f"{path}: is a folder, not a file")
        size = path.stat().st_size
        if size == 0:
            raise IngestError(f"{path}: the file is empty")
        if size > max_bytes:
            raise IngestError(f"{path}: the file is too large ({size / 1e6:.0f} MB)")
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise IngestError(f"{path}: no such file") from exc
    except PermissionError as exc:
        raise IngestError(f"{path}: permission denied (cannot read the file)") from exc
    except OSError as exc:
        raise IngestError(f"{path}: cannot read the file ({exc.strerror or exc})") from exc


def read_text_file(path: Path) -> str:
    """UTF-8 text of a Markdown, HTML or plain-text source; refuses binary content."""
    data = read_source_bytes(path, MAX_TEXT_BYTES)
    if b"\x00" in data[:8192]:
        raise IngestError(f"{path}: looks like a binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(f"{path}: not valid UTF-8 text (byte {exc.start})") from exc
    if not text.strip():
        raise IngestError(f"{path}: the file has no text")
    return text
