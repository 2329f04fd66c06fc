"""Parse source files within the operator's bounds on file size, page count and parse time.

A PDF is parsed in a worker process: only a process can be stopped when pypdf runs away inside
one call (a decompression bomb, a huge page tree), and a crash there cannot take ingest down.
The worker costs about 0.1 s per document once the model is loaded (a fork), so the other
formats, whose parsers are linear in the file size, are parsed in-process within the size bound.

`parse_many` runs several such workers at once, one document each: a pool whose workers
outlive a task (concurrent.futures) cannot stop one runaway document without breaking every
other task, and a worker per document keeps each one's memory its own and bounded.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

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


Work = Callable[[Path, int], Any]  # (path, max_pages) -> what the parent needs of the document


def _work(conn: Connection, path: Path, max_pages: int, work: Work = parse_file) -> None:
    """The worker: run `work` and send back its result or the one-line reason."""
    try:
        conn.send(("ok", work(path, max_pages)))
    except IngestError as exc:
        conn.send(("error", str(exc)))
    except BaseException as exc:  # report, never hang the parent
        conn.send(("error", f"{path}: the file cannot be parsed ({type(exc).__name__})"))
    finally:
        conn.close()


def timed_out(path: Path, limits: ParseLimits) -> IngestError:
    return IngestError(
        f"{path}: parsing took longer than {limits.timeout:g} s and was stopped"
        " (SAFEGUARDING_PARSE_TIMEOUT); the file may be damaged or hostile"
    )


def crashed(path: Path, worker: BaseProcess) -> IngestError:
    return IngestError(
        f"{path}: the parser stopped unexpectedly (exit code {worker.exitcode});"
        " the file may be damaged or hostile"
    )


def start_worker(path: Path, limits: ParseLimits, work: Work) -> tuple[Connection, BaseProcess]:
    """A forked worker running `work(path)`, and the end of the pipe its answer comes on."""
    receive, send = _CONTEXT.Pipe(duplex=False)
    worker = _CONTEXT.Process(target=_work, args=(send, path, limits.max_pages, work), daemon=True)
    worker.start()
    send.close()
    return receive, worker


def finish_worker(receive: Connection, worker: BaseProcess, path: Path) -> Any:
    """The worker's answer once its pipe is readable; an IngestError for its reason."""
    try:
        status, value = receive.recv()
    except EOFError:
        worker.join()
        raise crashed(path, worker) from None
    finally:
        stop_worker(receive, worker)
    if status == "error":
        raise IngestError(value)
    return value


def stop_worker(receive: Connection, worker: BaseProcess) -> None:
    if worker.is_alive():
        worker.kill()
    worker.join()
    receive.close()


def parse_in_worker(path: Path, limits: ParseLimits) -> ParsedDocument:
    """Parse `path` in a worker process, killed when it exceeds `limits.timeout` seconds."""
    receive, worker = start_worker(path, limits, parse_file)
    if not receive.poll(limits.timeout):
        stop_worker(receive, worker)
        raise timed_out(path, limits)
    document: ParsedDocument = finish_worker(receive, worker, path)
    return document


def parse_bounded(path: Path, limits: ParseLimits) -> ParsedDocument:
    """The parsed document, or an IngestError naming the file and the bound it broke."""
    check_size(path, limits)
    if path.suffix.lower() == ".pdf":
        return parse_in_worker(path, limits)
    return parse_file(path)


@dataclass
class _Running:
    key: Any
    path: Path
    worker: BaseProcess
    deadline: float


def parse_many(
    jobs: Iterable[tuple[Any, Path, Work]], limits: ParseLimits, workers: int = 0
) -> Iterator[tuple[Any, Any]]:
    """(key, work(path) or its IngestError) for each (key, path, work), as documents finish:
    PDFs in up to `workers` processes at once (0: one per core), other files in this process."""
    size = workers or os.cpu_count() or 1
    pending = iter(jobs)
    running: dict[Connection, _Running] = {}
    try:
        while True:
            while len(running) < size and (job := next(pending, None)) is not None:
                key, path, work = job
                try:
                    check_size(path, limits)
                    if path.suffix.lower() != ".pdf":
                        yield key, work(path, limits.max_pages)
                        continue
                except IngestError as exc:
                    yield key, exc
                    continue
                receive, worker = start_worker(path, limits, work)
                running[receive] = _Running(key, path, worker, time.monotonic() + limits.timeout)
            if not running:
                return
            yield from _collect(running, limits)
    finally:
        for receive, left in running.items():
            stop_worker(receive, left.worker)


def _collect(running: dict[Connection, _Running], limits: ParseLimits) -> Iterator[tuple[Any, Any]]:
    """Wait for the first worker to answer or run out of time; yield what finished."""
    soonest = min(job.deadline for job in running.values())
    ready = wait(list(running), timeout=max(0.0, soonest - time.monotonic()))
    for receive in ready:
        job = running.pop(receive)  # type: ignore[call-overload]
        try:
            yield job.key, finish_worker(receive, job.worker, job.path)  # type: ignore[arg-type]
        except IngestError as exc:
            yield job.key, exc
    now = time.monotonic()
    for receive, job in list(running.items()):
        if job.deadline <= now:
            del running[receive]
            stop_worker(receive, job.worker)
            yield job.key, timed_out(job.path, limits)
