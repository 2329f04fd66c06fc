"""Parse one source file within the operator's bounds on file size, page count and parse time.

A PDF is parsed in a worker process: only a process can be stopped when pypdf runs away inside
one call (a decompression bomb, a huge page tree), and a crash there cannot take ingest down.
The worker costs about 0.1 s per document once the model is loaded (a fork), so the other
formats, whose parsers are linear in the file size, are parsed in-process within the size bound.
"""

from __future__ import annotations

import multiprocessing
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from assistant.settings import Settings
from ingest.document import ParsedDocument
from ingest.errors import IngestError
from ingest.parse import parse_file

# fork: the worker starts with the parsers already imported and runs only pure-Python parsing,
# so a document costs one fork (measured: bench/ingest.py); "spawn" would re-import everything.
_CONTEXT = multiprocessing.get_context("fork")


@dataclass(frozen=True)
class ParseLimits:
    """Bounds for one document: bytes on disk, pages, and seconds to parse."""

    max_bytes: int
    max_pages: int
    timeout: float

    @classmethod
    def from_settings(cls, settings: Settings) -> ParseLimits:
        return cls(settings.max_file_bytes, settings.max_pages, settings.parse_timeout)


def check_size(path: Path, limits: ParseLimits) -> None:
    """Refuse a file larger than the bound before reading any of it."""
    try:
        size = path.stat().st_size
    except OSError:
        return  # the parser reports a missing or unreadable file in its own words
    if size > limits.max_bytes:
        raise IngestError(
            f"{path}: the file is {size / 2**20:.1f} MB; the limit is"
            f" {limits.max_bytes / 2**20:.0f} MB (SAFEGUARDING_MAX_FILE_MB)"
        )


def _work(conn: Connection, path: Path, max_pages: int) -> None:
    """The worker: parse and send back the document or the one-line reason."""
    try:
        conn.send(("ok", parse_file(path, max_pages=max_pages)))
    except IngestError as exc:
        conn.send(("error", str(exc)))
    except BaseException as exc:  # report, never hang the parent
        conn.send(("error", f"{path}: the file cannot be parsed ({type(exc).__name__})"))
    finally:
        conn.close()


def parse_in_worker(path: Path, limits: ParseLimits) -> ParsedDocument:
    """Parse `path` in a worker process, killed when it exceeds `limits.timeout` seconds."""
    receive, send = _CONTEXT.Pipe(duplex=False)
    worker = _CONTEXT.Process(target=_work, args=(send, path, limits.max_pages), daemon=True)
    worker.start()
    send.close()
    try:
        if not receive.poll(limits.timeout):
            raise IngestError(
                f"{path}: parsing took longer than {limits.timeout:g} s and was stopped"
                " (SAFEGUARDING_PARSE_TIMEOUT); the file may be damaged or hostile"
            )
        status, value = receive.recv()
    except EOFError:
        worker.join()
        raise IngestError(
            f"{path}: the parser stopped unexpectedly (exit code {worker.exitcode});"
            " the file may be damaged or hostile"
        ) from None
    finally:
        if worker.is_alive():
            worker.kill()
        worker.join()
        receive.close()
    if status == "error":
        raise IngestError(value)
    document: ParsedDocument = value
    return document


def parse_bounded(path: Path, limits: ParseLimits) -> ParsedDocument:
    """The parsed document, or an IngestError naming the file and the bound it broke."""
    check_size(path, limits)
    if path.suffix.lower() == ".pdf":
        return parse_in_worker(path, limits)
    return parse_file(path)
