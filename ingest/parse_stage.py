"""Sources -> passages on disk: documents parsed and chunked in parallel workers, each one
written to the build's work folder as it finishes, then joined into passages.jsonl in source
order. Memory holds one document per worker, whatever the number of documents."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.index_schema import PASSAGES_FILE, SourceRecord
from assistant.progress import ProgressFn
from assistant.sentences import split_sentences
from ingest.bounded_parse import ParseLimits, Work, parse_many
from ingest.chunk import ChunkParams, ChunkSource, chunk_blocks
from ingest.document import ParsedDocument
from ingest.errors import IngestError
from ingest.parse import parse_file
from ingest.previous import PreviousBuild
from ingest.sources import SourceFile, slug
from ingest.work import BuildWork

# Part of every document's reuse key: bump when parsing or chunking changes what a file gives.
PASSAGES_VERSION = 1


@dataclass
class ParsedSources:
    """What the parse stage wrote: every kept file's record, and why the others were left out."""

    corpus: str
    records: list[SourceRecord] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    pages: int = 0
    passages: int = 0


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def chunk_source(source: SourceFile, doc: ParsedDocument) -> ChunkSource:
    """Who a document's passages belong to: manifest reports, briefings' front matter, else file."""
    meta = doc.metadata
    if source.report_id:
        return ChunkSource(
            doc_id=source.report_id,
            report_id=source.report_id,
            report_title=source.report_title or doc.title,
            kind=source.kind,
            url=source.url,
        )
    kind = "briefing" if meta.get("kind") == "briefing" else source.kind
    based_on = meta.get("based_on")
    report_id = based_on if isinstance(based_on, str) else slug(source.path.stem)
    return ChunkSource(
        doc_id=str(meta.get("id") or slug(source.path.stem)),
        report_id=report_id,
        report_title=doc.title,
        kind=kind,
    )


def source_key(source: SourceFile, params: ChunkParams) -> str:
    """Everything besides the file's bytes that decides its passages."""
    described: list[object] = [PASSAGES_VERSION, source.kind, source.report_id, source.url]
    described += [source.report_title, source.path.stem, asdict(params)]
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()[:20]


def chunk_work(source: SourceFile, params: ChunkParams, sha256: str, key: str) -> Work:
    """What a worker does with one file: parse, chunk, and return the header and JSON lines."""

    def work(path: Path, max_pages: int) -> tuple[dict[str, Any], list[str]]:
        doc = parse_file(path, max_pages=max_pages)
        owner = chunk_source(source, doc)
        passages = chunk_blocks(doc.blocks, owner, params)
        record = SourceRecord(
            doc_id=owner.doc_id,
            path=str(source.path),
            sha256=sha256,
            report_id=owner.report_id,
            kind=owner.kind,
            pages=doc.page_count,
            passages=len(passages),
            source_key=key,
        )
        missing = owner.kind == "briefing" and not doc.metadata.get("notice")
        header = {"record": record.model_dump(), "missing_notice": missing}
        return header, [p.model_dump_json() + "\n" for p in passages]

    return work


def write_doc(path: Path, header: dict[str, Any], lines: list[str] | list[bytes]) -> None:
    """One document's result, whole or not at all."""
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("wb") as out:
        out.write(json.dumps(header).encode() + b"\n")
        for line in lines:
            out.write(line if isinstance(line, bytes) else line.encode())
    os.replace(tmp, path)


def read_header(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as lines:
        header: dict[str, Any] = json.loads(lines.readline())
    return header


@dataclass
class _Tally:
    """Documents and pages done, for the progress display."""

    total: int
    progress: ProgressFn | None
    docs: int = 0
    pages: int = 0

    def add(self, header: dict[str, Any]) -> None:
        self.docs += 1
        self.pages += (header.get("record") or {}).get("pages", 0)
        if self.progress:
            self.progress(self.docs, self.total, label="Parsing documents", pages=self.pages)


def parse_stage(
    work: BuildWork,
    corpus: str,
    files: list[SourceFile],
    hashes: list[str],
    params: ChunkParams,
    limits: ParseLimits,
    previous: PreviousBuild | None = None,
    workers: int = 0,
    progress: ProgressFn | None = None,
) -> ParsedSources:
    """Every file parsed (or taken unchanged from the live build) into the work folder, then
    passages.jsonl; a resumed build parses only the files it had not finished."""
    if work.done("passages"):
        saved = work.load("parsed")
        saved["records"] = [SourceRecord.model_validate(r) for r in saved["records"]]
        return ParsedSources(**saved)
    tally = _Tally(len(files), progress)
    jobs = list(pending_jobs(work, files, hashes, params, previous, tally))
    split_sentences("Loaded once.")  # the workers fork with the splitter loaded (6 s each if not)
    import ingest.parse_pdf  # noqa: F401  (and pypdf)

    for index, result in parse_many(jobs, limits, workers):
        header, lines = (
            ({"skipped": str(result)}, []) if isinstance(result, IngestError) else result
        )
        write_doc(work.doc_file(index), header, lines)
        tally.add(header)
    parsed = join_documents(work, corpus, len(files))
    work.save("parsed", {**asdict(parsed), "records": [r.model_dump() for r in parsed.records]})
    work.mark("passages")
    return parsed


def pending_jobs(
    work: BuildWork,
    files: list[SourceFile],
    hashes: list[str],
    params: ChunkParams,
    previous: PreviousBuild | None,
    tally: _Tally,
) -> Iterator[tuple[int, Path, Work]]:
    """The files still to parse; those done by an earlier run or unchanged since the live
    build are counted (and the latter written) on the way."""
    for index, (source, sha256) in enumerate(zip(files, hashes, strict=True)):
        path = work.doc_file(index)
        key = source_key(source, params)
        record = previous.reusable(sha256, key) if previous and sha256 else None
        if record is not None and not path.exists():
            fresh = record.model_copy(update={"path": str(source.path)})
            write_doc(path, {"record": fresh.model_dump()}, previous.doc_lines(record.doc_id))  # type: ignore[union-attr]
        if path.exists():
            tally.add(read_header(path))
            continue
        yield index, source.path, chunk_work(source, params, sha256, key)


def join_documents(work: BuildWork, corpus: str, count: int) -> ParsedSources:
    """passages.jsonl from the documents in source order, checking what spans documents."""
    parsed = ParsedSources(corpus)
    with (work.build / PASSAGES_FILE).open("wb") as out:
        for index in range(count):
            with work.doc_file(index).open("rb") as lines:
                header = json.loads(lines.readline())
                if header.get("skipped"):
                    parsed.skipped.append(header["skipped"])
                    continue
                record = SourceRecord.model_validate(header["record"])
                check_document(record, header, parsed)
                parsed.records.append(record)
                parsed.pages += record.pages
                parsed.passages += record.passages
                for line in lines:
                    out.write(line)
    return parsed


def check_document(record: SourceRecord, header: dict[str, Any], parsed: ParsedSources) -> None:
    """Refuse a briefing without its notice, or a document id given twice."""
    if header.get("missing_notice"):
        raise IngestError(f"{record.path}: a briefing must open with its notice blockquote")
    if any(r.doc_id == record.doc_id for r in parsed.records):
        raise IngestError(f"{record.path}: duplicate document id {record.doc_id!r}")
