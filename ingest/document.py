"""What every parser returns: a document as blocks of text, each with its section and page."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Block:
    """A paragraph-sized run of clean text that sits in one section on one page."""

    text: str
    section: str  # heading path, outermost first: "3 Neglect > 3.2 Poverty"; "" before any heading
    page: int | None = None  # printed page number where detectable, else physical; None if unpaged
    physical_page: int | None = None  # 1-based page index in the file (for "#page=N" links)


@dataclass
class ParsedDocument:
    """A parsed source file: its title, blocks in reading order, and page count."""

    path: Path
    title: str
    blocks: list[Block]
    page_count: int = 0  # 0 for unpaged formats (Markdown, HTML, text)
    metadata: dict[str, object] = field(default_factory=dict)  # e.g. Markdown front matter

    @property
    def sections(self) -> list[str]:
        """Distinct section paths in reading order."""
        return list(dict.fromkeys(b.section for b in self.blocks))
