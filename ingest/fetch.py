"""`safeguarding fetch`: download the report PDFs into corpus/raw/, or import local copies.

Two modes, one result:

- **download** (default): each report's `pdf_url`, or, when that is empty, the PDF attachment
  found on its official landing page, is streamed with httpx into `raw/.<filename>.part`,
  verified (a real PDF, not an HTML page), hashed, and only then renamed to `raw/<filename>`.
- **import** (`from_dir` and/or `mapping`): local copies are matched to reports (see
  `match_local_files`), verified the same way, and copied (never moved) atomically.

Transaction rule: every file is all-or-nothing. A `.part` file never outlives the call (also on
errors and KeyboardInterrupt), and `raw/<filename>` only ever holds a complete, verified PDF. When a
later report fails, earlier reports that completed stay in place; `raw/lock.json` is written once,
at the end (also on failure), atomically, and lists exactly the complete files. It maps report id to
`{"file", "sha256", "size", "url", "fetched_at", "source"}` and keeps entries for reports this run
did not touch.

Idempotent: a report whose file is present with the sha256 recorded in lock.json is left alone
("already present") unless `force=True`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import IO, Any, Literal
from urllib.parse import unquote, urljoin, urlparse

import httpx
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from assistant.corpus import Manifest, ManifestError, Report, load_manifest
from assistant.settings import Settings
from ingest.errors import IngestError

__all__ = [
    "FetchError",
    "FetchResult",
    "FetchedReport",
    "OfflineError",
    "find_pdf_link",
    "match_local_files",
    "parse_mappings",
    "read_lock",
    "run_fetch",
    "verify_pdf",
]

LOCK_NAME = "lock.json"
CHUNK_SIZE = 64 * 1024
MAX_BYTES = 300 * 1024 * 1024  # the largest report is ~10 MB; refuse runaway responses
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=15.0)
OFFLINE_HINT = "Download the three PDFs elsewhere and run: safeguarding fetch --from DIR"

Source = Literal["download", "local"]
Status = Literal["downloaded", "imported", "already present"]


def _user_agent() -> str:
    try:
        ver = version("safeguarding-assistant")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        ver = "dev"
    return f"safeguarding-assistant/{ver} (report fetcher; python-httpx/{httpx.__version__})"


class FetchError(IngestError):
    """A report could not be fetched or imported; the message is one line naming what and where."""


class OfflineError(FetchError):
    """The network is unreachable; the message says how to import local copies instead."""


@dataclass(frozen=True)
class FetchedReport:
    """One report that is now complete in raw/."""

    report_id: str
    path: Path
    size: int
    sha256: str
    url: str
    source: Source
    status: Status


@dataclass
class FetchResult:
    """What `run_fetch` did: reports now in raw/, reports missing (id -> reason), notes."""

    raw_dir: Path
    reports: list[FetchedReport] = field(default_factory=list)
    missing: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    lock_written: bool = False

    @property
    def lock_path(self) -> Path:
        return self.raw_dir / LOCK_NAME

    def summary(self) -> str:
        """A few lines: one per report (file, size, source, what happened), then what's missing."""
        lines = [f"{self.raw_dir}:"]
        width = max((len(r.report_id) for r in self.reports), default=0)
        for r in self.reports:
            mb = r.size / 1_000_000
            lines.append(
                f"  {r.report_id:<{width}}  {r.path.name}  {mb:.2f} MB  {r.source} ({r.status})"
            )
        if not self.reports:
            lines.append("  nothing fetched")
        for report_id, reason in self.missing.items():
            lines.append(f"  missing {report_id}: {reason}")
        lines.extend(f"  note: {note}" for note in self.notes)
        if self.lock_written:
            lines.append(f"  updated {self.lock_path.name}")
        return "\n".join(lines)


# --------------------------------------------------------------------------- arguments


def parse_mappings(items: Iterable[str]) -> dict[str, Path]:
    """Parse `ID=PATH` pairs (from `--map`); ids are checked against the manifest in run_fetch."""
    result: dict[str, Path] = {}
    for item in items:
        report_id, sep, path = item.partition("=")
        report_id, path = report_id.strip(), path.strip()
        if not sep or not report_id or not path:
            raise FetchError(f"--map {item!r}: expected ID=PATH, e.g. hard-to-escape=~/hte.pdf")
        if report_id in result:
            raise FetchError(f"--map: report id {report_id!r} given more than once")
        result[report_id] = Path(path).expanduser()
    return result


def _select(
    manifest: Manifest, report_ids: list[str] | None, mapping: Mapping[str, Path]
) -> list[Report]:
    known = manifest.ids
    for report_id in [*(report_ids or []), *mapping]:
        if report_id not in known:
            raise FetchError(f"unknown report id {report_id!r}; known ids: {', '.join(known)}")
    if report_ids:
        wanted = set(report_ids) | set(mapping)  # --map ID=PATH implies --report ID
        return [r for r in manifest.reports if r.id in wanted]
    return list(manifest.reports)


# --------------------------------------------------------------------------- verification


def _looks_like_html(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith((b"<!doctype", b"<html", b"<head", b"<body", b"<?xml", b"<!--"))


def verify_pdf(path: Path, *, origin: str, content_type: str | None = None) -> None:
    """Raise FetchError unless `path` is really a PDF: `%PDF-` header, not HTML, an `%%EOF`
    marker in the last 1 KB, and pypdf can open it. `origin` (a URL or path) names it."""
    ctype = (content_type or "").split(";")[0].strip().lower()
    size = path.stat().st_size
    with path.open("rb") as fh:
        head = fh.read(1024)
        fh.seek(max(0, size - 1024))
        tail = fh.read()
    if ctype in ("text/html", "application/xhtml+xml") or _looks_like_html(head):
        what = "returned an HTML page" if content_type is not None else "is an HTML page"
        raise FetchError(
            f"{origin} {what}, not a PDF (a landing or error page instead of the attachment?)"
        )
    if not head.startswith(b"%PDF-"):
        shown = head[:16].decode("latin-1").encode("unicode_escape").decode("ascii")
        raise FetchError(f"{origin} is not a PDF (starts with {shown!r}, expected '%PDF-')")
    if b"%%EOF" not in tail:
        raise FetchError(f"{origin} is not a complete PDF (no %%EOF marker at the end; truncated?)")
    try:
        from pypdf import PdfReader

        pages = len(PdfReader(str(path)).pages)
    except Exception as exc:  # pypdf raises many types for broken files
        first = (str(exc).splitlines() or [type(exc).__name__])[0]
        raise FetchError(f"{origin} cannot be read as a PDF ({first})") from exc
    if pages < 1:
        raise FetchError(f"{origin} is a PDF with no pages")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK_SIZE), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --------------------------------------------------------------------------- lock.json


def read_lock(raw_dir: Path) -> dict[str, dict[str, Any]]:
    """The `reports` mapping of raw/lock.json ({} if absent). Malformed -> FetchError."""
    path = raw_dir / LOCK_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FetchError(
            f"{path}: unreadable lock file ({exc}); delete it and fetch again"
        ) from exc
    reports = data.get("reports") if isinstance(data, dict) else None
    if not isinstance(reports, dict):
        raise FetchError(f"{path}: malformed lock file (no 'reports' object); delete it")
    return {k: v for k, v in reports.items() if isinstance(v, dict)}


def _write_lock(raw_dir: Path, reports: dict[str, dict[str, Any]]) -> None:
    path = raw_dir / LOCK_NAME
    tmp = raw_dir / f".{LOCK_NAME}.part"
    text = json.dumps({"reports": dict(sorted(reports.items()))}, indent=2) + "\n"
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _present(report: Report, raw_dir: Path, entry: dict[str, Any] | None) -> bool:
    path = raw_dir / report.filename
    return bool(
        entry and entry.get("sha256") and path.is_file() and _sha256(path) == entry["sha256"]
    )


# --------------------------------------------------------------------------- writing files


@contextlib.contextmanager
def _part_file(raw_dir: Path, filename: str) -> Iterator[tuple[Path, IO[bytes]]]:
    """A `.<filename>.part` file in raw/, removed on the way out whatever happens (the caller
    renames it into place before leaving when all went well)."""
    raw_dir.mkdir(parents=True, exist_ok=True)
    part = raw_dir / f".{filename}.part"
    try:
        with part.open("wb") as fh:
            yield part, fh
    finally:
        part.unlink(missing_ok=True)


def _commit(part: Path, fh: IO[bytes], dest: Path) -> None:
    fh.flush()
    os.fsync(fh.fileno())
    os.replace(part, dest)


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


# --------------------------------------------------------------------------- download mode


class _LinkParser(HTMLParser):
    """Collect (href, link text) for every <a href> on a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._close()
            self._href = dict(attrs).get("href")
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._close()

    def _close(self) -> None:
        if self._href:
            self.links.append((self._href.strip(), " ".join("".join(self._text).split())))
        self._href = None
        self._text = []

    def close(self) -> None:
        super().close()
        self._close()


_STOPWORDS = frozenset(
    {"a", "an", "and", "are", "at", "by", "for", "from", "in", "into", "is", "it", "of", "on"}
    | {"or", "the", "to", "was", "were", "with", "pdf"}
)


def _tokens(text: str) -> set[str]:
    """Lower-case word tokens without stopwords; plural 's' dropped ("SCRs" -> "scr")."""
    out = set()
    for tok in re.findall(r"[a-z0-9]+", unquote(text).lower()):
        if tok in _STOPWORDS or (len(tok) < 3 and not tok.isdigit()):
            continue
        if len(tok) > 3 and tok.endswith("s") and not tok.endswith("ss"):
            tok = tok[:-1]
        out.add(tok)
    return out


def find_pdf_link(html: str, base_url: str, title: str) -> str | None:
    """The report's PDF attachment on a landing page: among links whose path ends in .pdf
    (resolved against `base_url`), the one whose link text and file name share most words with
    `title`; the first such link on a tie. None when the page links no PDF."""
    parser = _LinkParser()
    parser.feed(html)
    parser.close()
    candidates: dict[str, str] = {}  # url -> all link texts, in page order
    for href, text in parser.links:
        url = urljoin(base_url, href).split("#")[0]
        if urlparse(url).scheme in ("http", "https") and urlparse(url).path.lower().endswith(
            ".pdf"
        ):
            candidates[url] = f"{candidates.get(url, '')} {text}"
    if not candidates:
        return None
    wanted = _tokens(title)

    def score(item: tuple[str, str]) -> int:
        url, text = item
        name = urlparse(url).path.rsplit("/", 1)[-1]
        return len(wanted & (_tokens(text) | _tokens(name)))

    best = max(candidates.items(), key=score)  # max keeps the first of equal scores
    return best[0]


def _describe(url: str) -> str:
    return urlparse(url).netloc or url


@contextlib.contextmanager
def _network_errors(url: str) -> Iterator[None]:
    """Turn httpx failures into one-line FetchErrors (OfflineError when unreachable)."""
    try:
        yield
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.ProxyError) as exc:
        raise OfflineError(f"cannot reach {_describe(url)} (no network?). {OFFLINE_HINT}") from exc
    except httpx.HTTPStatusError as exc:
        resp = exc.response
        raise FetchError(
            f"{resp.request.url} returned HTTP {resp.status_code} {resp.reason_phrase}".rstrip()
        ) from exc
    except httpx.TimeoutException as exc:
        raise FetchError(f"{url}: timed out ({type(exc).__name__}); try again later") from exc
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        raise FetchError(f"{url!r}: not a usable address ({exc})") from exc
    except httpx.HTTPError as exc:
        raise FetchError(f"{url}: download failed ({type(exc).__name__}: {exc})") from exc


def _resolve_pdf_url(client: httpx.Client, report: Report) -> str:
    if report.pdf_url:
        return report.pdf_url
    url = report.landing_url
    with _network_errors(url):
        resp = client.get(url)
        resp.raise_for_status()
    if "pdf" in resp.headers.get("content-type", "").lower():
        return str(resp.url)  # the "landing page" is the PDF itself
    link = find_pdf_link(resp.text, str(resp.url), f"{report.title} {report.short_title}")
    if link is None:
        raise FetchError(
            f"{url}: no PDF attachment link found on the page; set pdf_url for {report.id} "
            "in manifest.toml or import a local copy with --from/--map"
        )
    return link


def _download(
    client: httpx.Client, url: str, report: Report, raw_dir: Path, progress: Progress
) -> tuple[int, str]:
    """Stream `url` into raw/.<filename>.part, verify, and rename into place: (size, sha256)."""
    dest = raw_dir / report.filename
    with _network_errors(url), client.stream("GET", url) as resp:
        resp.raise_for_status()
        ctype = resp.headers.get("content-type", "")
        if ctype.split(";")[0].strip().lower() in ("text/html", "application/xhtml+xml"):
            raise FetchError(
                f"{url} returned an HTML page, not a PDF "
                "(a landing or error page instead of the attachment?)"
            )
        total = int(resp.headers["content-length"]) if "content-length" in resp.headers else None
        task = progress.add_task(report.id, total=total)
        digest = hashlib.sha256()
        size = 0
        try:
            with _part_file(raw_dir, report.filename) as (part, fh):
                for chunk in resp.iter_bytes(CHUNK_SIZE):
                    size += len(chunk)
                    if size > MAX_BYTES:
                        raise FetchError(f"{url}: larger than {MAX_BYTES // 2**20} MB; refused")
                    digest.update(chunk)
                    fh.write(chunk)
                    progress.update(task, advance=len(chunk))
                fh.flush()
                verify_pdf(part, origin=url, content_type=ctype)
                _commit(part, fh, dest)
        finally:
            progress.remove_task(task)
    return size, digest.hexdigest()


def _run_download(
    reports: list[Report],
    raw_dir: Path,
    lock: dict[str, dict[str, Any]],
    result: FetchResult,
    new_entries: dict[str, dict[str, Any]],
    *,
    force: bool,
    show_progress: bool,
    timeout: httpx.Timeout | float,
) -> None:
    todo = []
    for report in reports:
        entry = lock.get(report.id)
        if not force and _present(report, raw_dir, entry):
            assert entry is not None
            result.reports.append(_from_entry(report, raw_dir, entry))
        else:
            todo.append(report)
    if not todo:
        return
    console = Console(stderr=True)
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with (
        httpx.Client(
            follow_redirects=True, timeout=timeout, headers={"User-Agent": _user_agent()}
        ) as client,
        Progress(*columns, console=console, transient=True, disable=not show_progress) as bar,
    ):
        for report in todo:
            url = _resolve_pdf_url(client, report)
            size, sha = _download(client, url, report, raw_dir, bar)
            new_entries[report.id] = _entry(report, size, sha, url, "download")
            result.reports.append(
                FetchedReport(
                    report.id, raw_dir / report.filename, size, sha, url, "download", "downloaded"
                )
            )


# --------------------------------------------------------------------------- import mode


# Words a file name may carry without saying which report it is (tokens as `_tokens` makes them).
_GENERIC = frozenset(
    {"report", "review", "analysi", "summary", "final", "copy", "version", "draft", "download"}
    | {"document", "file", "accessible", "web", "print", "gov", "www", "asset", "media"}
)


def _report_tokens(report: Report) -> set[str]:
    return _tokens(f"{report.id} {report.title} {report.short_title}") - _GENERIC


def match_local_files(
    reports: list[Report], from_dir: Path, all_reports: list[Report] | None = None
) -> tuple[dict[str, Path], dict[str, str]]:
    """Match the PDFs in `from_dir` (not recursive, `*.pdf` any case) to `reports`.

    Per report, in order of strength: the manifest file name (case-insensitive); a file name
    containing the report id (case-insensitive, `-`/`_`/space alike); else word overlap
    between the file name and the report's id and titles, counting only words that belong to
    this report alone among `all_reports` and are not generic (so "report", "review" or
    "safeguarding" decide nothing), and
    requiring at least one such non-numeric word: "TRIENNIAL_SCR_REPORT_2014_to_2017.pdf" ->
    triennial-2014-17. Strongest pairs are settled first; each file serves one report; a tie
    for a report's best file is ambiguous. Returns (id -> path, id -> reason for the missing).
    """
    all_reports = all_reports or reports
    files = sorted(
        (
            p
            for p in from_dir.iterdir()
            if p.suffix.lower() == ".pdf" and not p.name.startswith(".")
        ),
        key=lambda p: p.name,
    )
    files = [p for p in files if p.is_file()]
    token_sets = {r.id: _report_tokens(r) for r in all_reports}

    def norm(text: str) -> str:
        return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")

    scores: dict[str, dict[Path, int]] = {}
    for report in reports:
        others = set().union(*(t for rid, t in token_sets.items() if rid != report.id))
        own = token_sets[report.id] - others
        per_file: dict[Path, int] = {}
        for path in files:
            if path.name.lower() == report.filename.lower():
                per_file[path] = 1000
            elif norm(report.id) in norm(path.stem):
                per_file[path] = 500
            else:
                shared = own & _tokens(path.stem)
                words = [t for t in shared if not t.isdigit()]
                if words:
                    per_file[path] = 2 * len(words) + (len(shared) - len(words))
        scores[report.id] = per_file

    matched: dict[str, Path] = {}
    missing: dict[str, str] = {}
    claimed: set[Path] = set()

    def best(rid: str) -> int:
        return max((s for p, s in scores[rid].items() if p not in claimed), default=0)

    pending = [r.id for r in reports]
    while pending:
        rid = max(pending, key=best)  # settle the strongest remaining match first
        pending.remove(rid)
        top = best(rid)
        if top == 0:
            missing[rid] = f"no matching PDF in {from_dir} (use --map {rid}=PATH)"
            continue
        tied = [p for p, s in scores[rid].items() if s == top and p not in claimed]
        if len(tied) > 1:
            names = ", ".join(p.name for p in tied)
            missing[rid] = f"ambiguous in {from_dir}: {names} (use --map {rid}=PATH)"
            continue
        matched[rid] = tied[0]
        claimed.add(tied[0])
    return matched, missing


def _copy_in(source: Path, report: Report, raw_dir: Path) -> tuple[int, str]:
    """Copy `source` into raw/.<filename>.part, verify, rename into place: (size, sha256)."""
    digest = hashlib.sha256()
    size = 0
    with _part_file(raw_dir, report.filename) as (part, fh):
        try:
            with source.open("rb") as src:
                for chunk in iter(lambda: src.read(CHUNK_SIZE), b""):
                    digest.update(chunk)
                    fh.write(chunk)
                    size += len(chunk)
        except OSError as exc:
            raise FetchError(f"cannot read {source}: {exc.strerror or exc}") from exc
        fh.flush()
        verify_pdf(part, origin=str(source))
        _commit(part, fh, raw_dir / report.filename)
    return size, digest.hexdigest()


def _run_import(
    reports: list[Report],
    all_reports: list[Report],
    from_dir: Path | None,
    mapping: Mapping[str, Path],
    raw_dir: Path,
    lock: dict[str, dict[str, Any]],
    result: FetchResult,
    new_entries: dict[str, dict[str, Any]],
    *,
    force: bool,
    explicit_ids: bool,
) -> None:
    sources: dict[str, Path] = {}
    for report in reports:
        if report.id in mapping:
            sources[report.id] = mapping[report.id]
    rest = [r for r in reports if r.id not in sources]
    if from_dir is not None:
        if not from_dir.is_dir():
            what = "is not a folder" if from_dir.exists() else "does not exist"
            raise FetchError(f"--from {from_dir}: {what}")
        try:
            found, missing = match_local_files(rest, from_dir, all_reports)
        except OSError as exc:
            raise FetchError(f"--from {from_dir}: cannot list folder ({exc.strerror})") from exc
        # a file named by --map is not also matched to another report
        mapped = {p.resolve() for p in sources.values()}
        for rid, path in found.items():
            if path.resolve() in mapped:
                missing[rid] = f"{path.name} is already mapped to another report"
            else:
                sources[rid] = path
        result.missing.update(missing)
    else:
        # --map alone: only the mapped reports, unless --report asked for more
        for report in rest if explicit_ids else []:
            result.missing[report.id] = "not given (use --map ID=PATH or --from DIR)"

    if not sources:
        where = f"in {from_dir}" if from_dir is not None else "given"
        wanted = ", ".join(r.filename for r in reports)
        raise FetchError(f"no report PDFs found {where} (looked for {wanted}); use --map ID=PATH")

    # Check every source before copying any, so a bad file stops the import before it starts.
    for rid, path in sources.items():
        if not path.is_file():
            raise FetchError(f"{rid}: {path} does not exist or is not a file")
        try:
            verify_pdf(path, origin=str(path))
        except OSError as exc:
            raise FetchError(f"cannot read {path}: {exc.strerror or exc}") from exc

    for report in reports:
        if report.id not in sources:
            continue
        source = sources[report.id]
        entry = lock.get(report.id)
        present = not force and _present(report, raw_dir, entry)
        if present and entry and _sha256(source) == entry["sha256"]:
            result.reports.append(_from_entry(report, raw_dir, entry))
            continue
        size, sha = _copy_in(source, report, raw_dir)
        url = report.pdf_url or report.landing_url
        new_entries[report.id] = _entry(report, size, sha, url, "local")
        result.reports.append(
            FetchedReport(report.id, raw_dir / report.filename, size, sha, url, "local", "imported")
        )


# --------------------------------------------------------------------------- entry point


def _entry(report: Report, size: int, sha: str, url: str, source: Source) -> dict[str, Any]:
    return {
        "file": report.filename,
        "sha256": sha,
        "size": size,
        "url": url,
        "fetched_at": _now(),
        "source": source,
    }


def _from_entry(report: Report, raw_dir: Path, entry: dict[str, Any]) -> FetchedReport:
    source: Source = "local" if entry.get("source") == "local" else "download"
    return FetchedReport(
        report.id,
        raw_dir / report.filename,
        int(entry.get("size") or (raw_dir / report.filename).stat().st_size),
        str(entry["sha256"]),
        str(entry.get("url", "")),
        source,
        "already present",
    )


def run_fetch(
    settings: Settings,
    *,
    from_dir: Path | None = None,
    mapping: Mapping[str, Path] | None = None,
    report_ids: list[str] | None = None,
    force: bool = False,
    progress: bool | None = None,
    timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
) -> FetchResult:
    """Download the reports (default) or import local copies (`from_dir` and/or `mapping`) into
    `settings.raw_dir`, then record them in raw/lock.json. `report_ids` limits the reports;
    `progress=None` shows a progress bar only when stderr is a terminal."""
    try:
        manifest = load_manifest(settings.manifest_path)
    except ManifestError as exc:
        raise FetchError(str(exc)) from exc
    mapping = dict(mapping or {})
    reports = _select(manifest, report_ids, mapping)
    raw_dir = settings.raw_dir
    lock = read_lock(raw_dir)
    result = FetchResult(raw_dir=raw_dir)
    new_entries: dict[str, dict[str, Any]] = {}
    show = sys.stderr.isatty() if progress is None else progress
    try:
        if from_dir is not None or mapping:
            _run_import(
                reports,
                manifest.reports,
                from_dir,
                mapping,
                raw_dir,
                lock,
                result,
                new_entries,
                force=force,
                explicit_ids=bool(report_ids),
            )
        else:
            _run_download(
                reports,
                raw_dir,
                lock,
                result,
                new_entries,
                force=force,
                show_progress=show,
                timeout=timeout,
            )
    finally:
        # Once, at the end, even on failure: the files that did complete are recorded.
        if new_entries:
            _write_lock(raw_dir, {**lock, **new_entries})
            result.lock_written = True
    return result
