"""Pick the parser for a source file by its extension."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ingest.document import ParsedDocument
from ingest.errors import IngestError
from ingest.parse_html import parse_html
from ingest.parse_markdown import parse_markdown
from ingest.parse_text import parse_text


def _parse_pdf(path: Path, max_pages: int | None = None) -> ParsedDocument:
    from ingest.parse_pdf import parse_pdf  # pypdf loads only when a PDF is parsed

    return parse_pdf(path, max_pages=max_pages)


PARSERS: dict[str, Callable[[Path], ParsedDocument]] = {
    ".pdf": _parse_pdf,
    ".md": parse_markdown,
    ".markdown": parse_markdown,
    ".html": parse_html,
    ".htm": parse_html,
    ".txt": parse_text,
}


def parse_file(path: Path, max_pages: int | None = None) -> ParsedDocument:
    """Parse any supported file; an IngestError for unsupported types, bad content, or a PDF
    with more than `max_pages` pages."""
    parser = PARSERS.get(path.suffix.lower())
    if parser is None:
        supported = ", ".join(sorted(PARSERS))
        raise IngestError(f"{path}: unsupported file type (supported: {supported})")
    if parser is _parse_pdf:
        return _parse_pdf(path, max_pages)
    return parser(path)
