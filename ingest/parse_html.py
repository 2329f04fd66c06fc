"""HTML sources: h1-h6 are sections; paragraphs, list items and table rows are blocks."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup, Tag

from assistant.wording import title_from_filename
from ingest.document import Block, ParsedDocument
from ingest.errors import IngestError
from ingest.parse_markdown import SECTION_SEP
from ingest.read_text import read_text_file

SKIP = ("script", "style", "nav", "header", "footer", "noscript", "template", "form")
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
TEXT_TAGS = ("p", "li", "tr", "blockquote", "pre", "dd", "dt", "figcaption")


def clean(text: str) -> str:
    return " ".join(text.split())


def parse_html(path: Path) -> ParsedDocument:
    """Parse an HTML file into blocks under its heading path (h1 is the title when unique)."""
    soup = BeautifulSoup(read_text_file(path), "html.parser")
    for tag in soup.find_all(SKIP):
        tag.decompose()
    root = soup.body or soup
    h1s = root.find_all("h1")
    title_tag = h1s[0] if len(h1s) == 1 else None
    headings: list[tuple[int, str]] = []
    blocks: list[Block] = []
    for el in root.find_all((*HEADINGS, *TEXT_TAGS)):
        if not isinstance(el, Tag) or el is title_tag:
            continue
        if el.name in HEADINGS:
            level = int(el.name[1])
            headings = [h for h in headings if h[0] < level] + [(level, clean(el.get_text(" ")))]
            continue
        if el.find_parent(TEXT_TAGS):  # nested text tags are covered by their parent
            continue
        separator = " | " if el.name == "tr" else " "
        text = clean(el.get_text(separator))
        if text:
            blocks.append(Block(text=text, section=SECTION_SEP.join(h[1] for h in headings)))
    if not blocks:
        raise IngestError(f"{path}: no text found in the HTML")
    doc_title = soup.title.get_text() if soup.title else ""
    title = clean(title_tag.get_text(" ") if title_tag else doc_title) or title_from_filename(path)
    return ParsedDocument(path=path, title=title, blocks=blocks)
