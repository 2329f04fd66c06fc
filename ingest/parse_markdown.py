"""Markdown sources: YAML front matter, headings as sections, `<!-- page: N -->` page hints."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from assistant.wording import title_from_filename
from ingest.document import Block, ParsedDocument
from ingest.errors import IngestError
from ingest.read_text import read_text_file

FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
PAGE_HINT = re.compile(r"<!--\s*page:\s*(\d+)\s*-->")
SECTION_SEP = " > "


def split_front_matter(text: str, path: Path) -> tuple[dict[str, object], str]:
    """The YAML front matter (or {}) and the body after it."""
    match = FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise IngestError(f"{path}: malformed front matter ({str(exc).splitlines()[0]})") from exc
    if not isinstance(meta, dict):
        raise IngestError(f"{path}: front matter must be a mapping of keys to values")
    return meta, text[match.end() :]


def inline_text(token: Token) -> str:
    """Plain text of an inline token: emphasis, links and code marks dropped."""
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return " ".join("".join(parts).split())


class _Walker:
    """Walks markdown-it tokens, tracking the heading path and the page hint."""

    def __init__(self, title_level: int) -> None:
        self.title_level = title_level  # the level used for the document title, or 0
        self.headings: list[tuple[int, str, int | None]] = []
        self.blocks: list[Block] = []
        self.notice = ""
        self.title = ""

    @property
    def section(self) -> str:
        return SECTION_SEP.join(h[1] for h in self.headings)

    @property
    def page(self) -> int | None:
        for _, _, page in reversed(self.headings):
            if page is not None:
                return page
        return None

    def heading(self, level: int, text: str) -> None:
        if level == self.title_level and not self.title:
            self.title = text
            return
        self.headings = [h for h in self.headings if h[0] < level] + [(level, text, None)]

    def page_hint(self, page: int) -> None:
        if self.headings:
            level, text, _ = self.headings[-1]
            self.headings[-1] = (level, text, page)

    def add(self, text: str, in_quote: bool) -> None:
        if in_quote and not self.blocks and not self.headings and not self.notice:
            self.notice = text  # the opening blockquote is the document's notice
        elif text:
            self.blocks.append(Block(text=text, section=self.section, page=self.page))

    def walk(self, tokens: list[Token]) -> None:
        quote_depth = 0
        list_items: list[str] | None = None
        for i, tok in enumerate(tokens):
            if tok.type == "heading_open":
                self.heading(int(tok.tag[1]), inline_text(tokens[i + 1]))
            elif tok.type == "html_block" and (m := PAGE_HINT.search(tok.content)):
                self.page_hint(int(m.group(1)))
            elif tok.type == "blockquote_open":
                quote_depth += 1
            elif tok.type == "blockquote_close":
                quote_depth -= 1
            elif tok.type in ("bullet_list_open", "ordered_list_open") and list_items is None:
                list_items = []
            elif tok.type in ("bullet_list_close", "ordered_list_close") and tok.level == 0:
                self.add("\n".join(list_items or []), quote_depth > 0)
                list_items = None
            elif tok.type == "inline" and tokens[i - 1].type == "paragraph_open":
                text = inline_text(tok)
                if list_items is not None:
                    list_items.append(text)
                else:
                    self.add(text, quote_depth > 0)
            elif tok.type in ("fence", "code_block"):
                self.add(tok.content.strip(), quote_depth > 0)


def parse_markdown(path: Path) -> ParsedDocument:
    """Parse a Markdown file into blocks under its heading path."""
    meta, body = split_front_matter(read_text_file(path), path)
    tokens = MarkdownIt("commonmark").enable("table").parse(body)
    h1_count = sum(1 for t in tokens if t.type == "heading_open" and t.tag == "h1")
    walker = _Walker(title_level=1 if h1_count == 1 else 0)
    walker.walk(tokens)
    if not walker.blocks:
        raise IngestError(f"{path}: no text found in the Markdown")
    title = str(meta.get("title") or walker.title or title_from_filename(path))
    if walker.notice:
        meta = {**meta, "notice": walker.notice}
    return ParsedDocument(path=path, title=title, blocks=walker.blocks, metadata=meta)
