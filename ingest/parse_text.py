"""Plain-text sources: blank lines separate paragraphs; there are no sections or pages."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.wording import title_from_filename
from ingest.document import Block, ParsedDocument
from ingest.errors import IngestError
from ingest.read_text import read_text_file


def parse_text(path: Path) -> ParsedDocument:
    """Parse a .txt file into paragraph blocks."""
    text = read_text_file(path)
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    blocks = [Block(text=p, section="") for p in paragraphs if p]
    if not blocks:
        raise IngestError(f"{path}: no text found")
    return ParsedDocument(path=path, title=title_from_filename(path), blocks=blocks)
