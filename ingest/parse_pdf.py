"""Parse a report PDF (pypdf) into clean paragraph blocks with section paths and printed pages."""

from __future__ import annotations

import io
import itertools
import math
import re
import statistics
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.errors import DependencyError

from assistant.wording import counted, title_from_filename
from ingest.document import Block, ParsedDocument
from ingest.errors import IngestError

EDGE_LINES = 4  # lines at the top and at the bottom of a page that may be running headers/footers
MIN_PAGE_CHARS = 40  # a page with fewer visible characters counts as having no text
TITLE_LINES = 3  # a title found in the text spans at most this many lines ...
MAX_TITLE_CHARS = 150  # ... and characters; more is a paragraph, not a title

_PAGE_NUMBER = re.compile(r"^(?:page\s*)?[-–—|\s]*(\d{1,4})[-–—|\s]*(?:(?:of|/)\s*\d{1,4})?$", re.I)
_ROMAN = re.compile(r"^(?=[ivxlc]+$)c{0,3}(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})$", re.I)
_KEY_NUMBER = re.compile(r"^\d+|\d+$|\bpage\s*\d+")
_EDGE_NUMBER = re.compile(r"^(\d{1,4})\s|\s(\d{1,4})$")
_TOC_TITLE = re.compile(
    r"^(?:table of )?contents$|^list of (?:figures|tables|charts|boxes|illustrations)$", re.I
)
_LEADER_LINE = re.compile(r"(?:\.\s?){3,}\s*\d{1,4}$")
_TRAILING_NUMBER = re.compile(r"\S\s+(\d{1,4})$")
_NUMBERED = re.compile(
    r"^(?:(chapter|part|section|annex|appendix)\s+\w{1,4}[:.]?|(\d{1,2}(?:\.\d{1,2}){0,3})\.?)\s+\S",
    re.I,
)
_BULLET = re.compile(r"^(?:[•●▪■◦‣∙*\-–—]|\(?[a-z0-9]{1,2}[.)])\s")
_FOOTNOTE_START = re.compile(r"^\d{1,3}\s+\S")
_SENTENCE_END = re.compile(r"[.!?:]['\"’”)\]]?$")
_HYPHEN_END = re.compile(r"([A-Za-z]+)-$")
_WORD_START = re.compile(r"^([a-z]+)")
_WORD = re.compile(r"[a-z]+")
_HYPHENATED = re.compile(r"[a-z]+(?:-[a-z]+)+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b\ufeff]")
_SYMBOL_BULLETS = str.maketrans(dict.fromkeys("\uf0b7\uf0a7\uf0d8\uf076\uf0fc\uf06e", "•"))
_JUNK_TITLE = re.compile(
    r"^(?:microsoft\s+(?:word|powerpoint)|untitled|document\d*$|title$|slide\s*\d+)"
    r"|\.(?:docx?|pdf|indd|rtf|pptx?|odt)$|^[a-z]:\\|^/",
    re.I,
)
# Prefixes that keep their hyphen when a line break falls on it ("multi-\nagency").
_HYPHEN_PREFIXES = frozenset(
    {"multi", "non", "self", "cross", "inter", "intra", "co", "pre", "post", "semi", "anti"}
    | {"ex", "well", "long", "short", "sub"}
)


@dataclass
class _Line:
    text: str
    x: float
    y: float
    size: float
    bold: bool = False


@dataclass
class _Page:
    index: int  # physical, 0-based
    lines: list[_Line]
    printed: int = 0
    contents: bool = False


@dataclass(frozen=True)
class _Mark:
    """A section start: heading lines page.lines[line:line + span] open section path."""

    page: int
    line: int
    span: int
    path: str


@dataclass
class _Style:
    body: float  # body font size
    leading: float  # typical baseline gap / font size inside a paragraph
    words: set[str] = field(default_factory=set)
    hyphenated: set[str] = field(default_factory=set)


# -- public entry point ----------------------------------------------------------------------


def parse_pdf(path: Path, max_pages: int | None = None) -> ParsedDocument:
    """Parse a report PDF into paragraph blocks with heading paths and printed page numbers.

    Raises IngestError (one line naming the file) for unreadable, encrypted or image-only input,
    and for more than `max_pages` pages."""
    path = Path(path)
    reader = _open_reader(path, _read_pdf_bytes(path), max_pages)
    pages, unreadable = _extract_pages(reader, path)
    title = _title(reader, pages, path)
    running = _running_keys(pages)
    numbers = _printed_numbers([_page_candidates(p, running) for p in pages])
    for page, number in zip(pages, numbers or _label_numbers(reader, len(pages)), strict=True):
        page.printed = number
        page.lines = _strip_furniture(page.lines, running)
        page.contents = _is_contents(page.lines, len(pages))
    style = _style(pages)
    outline = _outline_entries(reader)
    marks = _outline_marks(outline, pages) if outline else _detected_marks(pages, style)
    return ParsedDocument(
        path=path,
        title=title,
        blocks=_join_across_pages(_blocks(pages, marks, style), style),
        page_count=len(pages),
        metadata={
            "printed_pages": [p.printed for p in pages],  # index: physical page - 1
            "contents_pages": [p.index + 1 for p in pages if p.contents],
            "sections_from": "outline" if outline else "headings",
            "unreadable_pages": unreadable,
        },
    )


# -- reading and errors ----------------------------------------------------------------------


def _read_pdf_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise IngestError(f"{path}: file not found; check the path or fetch it again") from None
    except IsADirectoryError:
        raise IngestError(f"{path}: is a directory, not a PDF file; pass the PDF itself") from None
    except PermissionError:
        raise IngestError(f"{path}: permission denied; make the file readable and retry") from None
    except OSError as exc:
        raise IngestError(f"{path}: cannot be read ({exc.strerror}); check the file") from None
    if not data:
        raise IngestError(f"{path}: the file is empty (0 bytes); download it again")
    if b"%PDF-" not in data[:1024]:
        raise IngestError(f"{path}: not a PDF ({_sniff(data[:1024])}); replace it with the PDF")
    if b"%%EOF" not in data[-4096:]:
        raise IngestError(
            f"{path}: the PDF is truncated or damaged (no end-of-file marker); download it again"
        )
    return data


def _sniff(head: bytes) -> str:
    start = head.lstrip().lower()
    if start.startswith(b"<!doctype html") or b"<html" in start:
        return "it is an HTML page, probably the download page or an error page"
    if start.startswith(b"<?xml"):
        return "it is an XML file"
    if start.startswith(b"pk\x03\x04"):
        return "it is a ZIP-based file such as a Word document"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "it is binary data in another format"
    return "it is plain text"


def _check_pages(path: Path, count: int, max_pages: int | None) -> None:
    if max_pages is not None and count > max_pages:
        raise IngestError(
            f"{path}: the PDF has {count} pages; the limit is {max_pages} (SAFEGUARDING_MAX_PAGES)"
        )


def _declared_pages(reader: PdfReader) -> int:
    """The page count the page tree declares: cheap, read before walking the tree."""
    root: Any = reader.trailer["/Root"]
    count = root["/Pages"].get("/Count", 0)
    return int(count) if isinstance(count, int | float) else 0


def _open_reader(path: Path, data: bytes, max_pages: int | None = None) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError(
                f"{path}: the PDF is password-protected; save an unprotected copy and ingest that"
            )
        _check_pages(path, _declared_pages(reader), max_pages)
        _check_pages(path, len(reader.pages), max_pages)
        if len(reader.pages) == 0:
            raise IngestError(f"{path}: the PDF has no pages; download it again")
    except IngestError:
        raise
    except DependencyError:
        raise IngestError(
            f"{path}: the PDF is AES-encrypted and needs the 'cryptography' package to open; "
            "install it or save an unencrypted copy"
        ) from None
    except Exception as exc:  # pypdf raises many types for broken files
        raise IngestError(
            f"{path}: the PDF is damaged and cannot be read ({_describe(exc)}); download it again"
        ) from None
    return reader


def _describe(exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:120]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# -- text extraction -------------------------------------------------------------------------


class _LineCollector:
    """Receives pypdf's text fragments (content-stream order) and groups them into lines."""

    def __init__(self) -> None:
        self.lines: list[_Line] = []
        self._parts: list[str] = []
        self._pos: tuple[float, float] | None = None
        self._styles: Counter[tuple[float, bool]] = Counter()

    def visit(self, text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        """pypdf visitor_text callback; a newline in the text ends the current line."""
        for i, piece in enumerate(text.split("\n")):
            if i:
                self._end_line()
            if piece:
                self._add(piece, cm, tm, font, size)

    def finish(self) -> list[_Line]:
        """Return the collected lines."""
        self._end_line()
        return self.lines

    def _add(self, piece: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        chars = len(piece) - piece.count(" ")
        if chars:
            c, d, e, f = _matrix_tail(tm, cm)
            if self._pos is None:
                self._pos = (e, f)
            self._styles[(round(size * math.hypot(c, d), 1), _is_bold(font))] += chars
        self._parts.append(piece)

    def _end_line(self) -> None:
        text = _clean("".join(self._parts))
        if text and self._pos is not None:
            (size, bold), _ = self._styles.most_common(1)[0]
            self.lines.append(_Line(text, self._pos[0], self._pos[1], size or 10.0, bold))
        self._parts, self._pos, self._styles = [], None, Counter()


def _matrix_tail(tm: list[float], cm: list[float]) -> tuple[float, float, float, float]:
    """Entries c, d, e, f of tm x cm: the vertical scale vector and the origin in page space."""
    c = tm[2] * cm[0] + tm[3] * cm[2]
    d = tm[2] * cm[1] + tm[3] * cm[3]
    e = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
    f = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
    return c, d, e, f


def _is_bold(font: Any) -> bool:
    try:
        name = str(font.get("/BaseFont", "")) if font is not None else ""
    except Exception:
        return False
    return bool(re.search(r"bold|black|heavy|semibold|demi", name, re.I))


def _clean(text: str) -> str:
    """NFKC (ligatures, odd spaces), drop control characters, collapse whitespace."""
    text = _CONTROL.sub(" ", unicodedata.normalize("NFKC", text)).replace("\u2010", "-")
    text = text.translate(_SYMBOL_BULLETS)  # Symbol/Wingdings bullets from Word PDFs
    text = " ".join(text.split())
    soft = text.endswith("\u00ad")
    return text.replace("\u00ad", "") + ("\u00ad" if soft else "")


def _extract_pages(reader: PdfReader, path: Path) -> tuple[list[_Page], list[int]]:
    pages: list[_Page] = []
    unreadable: list[int] = []
    for index, page in enumerate(reader.pages):
        collector = _LineCollector()
        try:
            page.extract_text(visitor_text=collector.visit)
        except Exception:  # a broken page keeps what was read before the error
            unreadable.append(index + 1)
        pages.append(_Page(index, collector.finish()))
    if len(unreadable) == len(pages) or (unreadable and not _has_text(pages)):
        raise IngestError(f"{path}: the PDF is damaged (pages cannot be read); download it again")
    if not _has_text(pages):
        chars = sum(_visible_chars(p) for p in pages)
        raise IngestError(
            f"{path}: the PDF has no text layer ({counted(chars, 'character')} on"
            f" {counted(len(pages), 'page')}; "
            "probably scanned images); run OCR on it (e.g. ocrmypdf) and ingest the result"
        )
    return pages, unreadable


def _visible_chars(page: _Page) -> int:
    return sum(len(line.text) - line.text.count(" ") for line in page.lines)


def _has_text(pages: list[_Page]) -> bool:
    """Whether at least one page in ten (and at least one) carries real text."""
    with_text = sum(_visible_chars(p) >= MIN_PAGE_CHARS for p in pages)
    return with_text > 0 and with_text >= 0.1 * len(pages)


# -- running headers, footers and printed page numbers ---------------------------------------


def _edge_indices(lines: list[_Line]) -> set[int]:
    order = sorted(range(len(lines)), key=lambda i: lines[i].y)
    return set(order[:EDGE_LINES]) | set(order[-EDGE_LINES:])


def _key(text: str) -> str:
    """Compare form of a header/footer line: page numbers (at either end, after "page") as #."""
    text = " ".join(text.lower().split())
    return _KEY_NUMBER.sub(lambda m: m.group(0).rstrip("0123456789") + "#", text)


def _running_keys(pages: list[_Page]) -> set[str]:
    """Lines that repeat at the same height at the top or bottom of many pages."""
    heights: defaultdict[str, list[float]] = defaultdict(list)
    for page in pages:
        edge = [page.lines[i] for i in _edge_indices(page.lines)]
        seen = {_key(line.text): line.y for line in edge if not _paragraph_tail(line.text)}
        for key, y in seen.items():
            heights[key].append(y)
    threshold = max(3, math.ceil(0.05 * sum(bool(p.lines) for p in pages)))
    return {
        key
        for key, ys in heights.items()
        if len(ys) >= threshold and key.strip("# ") and _same_height(ys) >= threshold
    }


def _same_height(ys: list[float]) -> int:
    """How many of the heights lie within 3 pt of the most common one."""
    mode = Counter(round(y) for y in ys).most_common(1)[0][0]
    return sum(abs(y - mode) <= 3 for y in ys)


def _paragraph_tail(text: str) -> bool:
    """The end of a body paragraph ("moved to another area."), never a running line."""
    return text[:1].islower() and bool(_SENTENCE_END.search(text))


def _page_candidates(page: _Page, running: set[str]) -> set[int]:
    """Numbers that may be this page's printed number: bare ones, or in a running line."""
    found: set[int] = set()
    for i in _edge_indices(page.lines):
        text = page.lines[i].text
        if match := _PAGE_NUMBER.match(text):
            found.add(int(match.group(1)))
        elif _key(text) in running and (match := _EDGE_NUMBER.search(text)):
            found.add(int(match.group(1) or match.group(2)))
    return {n for n in found if n > 0}


def _printed_numbers(candidates: list[set[int]]) -> list[int] | None:
    """Map physical to printed pages by the offset that neighbouring pages agree on.

    A page's offset counts only if a page within two pages has the same one, so stray numbers
    in tables or footnotes do not. Pages without one take the previous (else next) offset.
    """
    offsets = [{i + 1 - n for n in found} for i, found in enumerate(candidates)]
    votes = Counter(o for found in offsets for o in found)
    agreed: list[int | None] = []
    for i, found in enumerate(offsets):
        near = set().union(*offsets[max(0, i - 2) : i], *offsets[i + 1 : i + 3])
        good = found & near
        agreed.append(max(good, key=lambda o: (votes[o], -abs(o))) if good else None)
    known = [o for o in agreed if o is not None]
    if not known:
        return None
    numbers, offset = [], known[0]
    for i, found_offset in enumerate(agreed):
        offset = found_offset if found_offset is not None else offset
        numbers.append(i + 1 - offset if i + 1 - offset >= 1 else i + 1)
    return numbers


def _label_numbers(reader: PdfReader, count: int) -> list[int]:
    """Fallback: numeric /PageLabels if the PDF defines them, else physical numbers."""
    physical = list(range(1, count + 1))
    try:
        if "/PageLabels" not in reader.root_object:
            return physical
        labels = reader.page_labels
    except Exception:
        return physical
    if len(labels) != count:
        return physical
    return [int(lab) if lab.isdigit() else n for lab, n in zip(labels, physical, strict=True)]


def _strip_furniture(lines: list[_Line], running: set[str]) -> list[_Line]:
    edge = _edge_indices(lines)
    return [
        line for i, line in enumerate(lines) if i not in edge or not _is_furniture(line, running)
    ]


def _is_furniture(line: _Line, running: set[str]) -> bool:
    text = line.text
    return _key(text) in running or bool(_PAGE_NUMBER.match(text) or _ROMAN.match(text))


def _is_contents(lines: list[_Line], page_count: int) -> bool:
    """A contents or list-of-figures page: by its title, dot leaders, or rising page numbers."""
    if any(_TOC_TITLE.match(line.text.strip(" :")) for line in lines[:3]):
        return True
    leaders = sum(bool(_LEADER_LINE.search(line.text)) for line in lines)
    if leaders >= 3 and leaders >= 0.4 * len(lines):
        return True
    numbers = [int(m.group(1)) for line in lines if (m := _TRAILING_NUMBER.search(line.text))]
    numbers = [n for n in numbers if n <= page_count + 20]
    rising = sum(b >= a for a, b in zip(numbers, numbers[1:], strict=False))
    return (
        len(numbers) >= 6
        and len(numbers) >= 0.6 * len(lines)
        and rising >= 0.8 * (len(numbers) - 1)
    )


# -- document statistics ---------------------------------------------------------------------


def _size_key(size: float) -> float:
    return round(size * 2) / 2


def _style(pages: list[_Page]) -> _Style:
    sizes: Counter[float] = Counter()
    ratios: list[float] = []
    words: set[str] = set()
    hyphenated: set[str] = set()
    for page in pages:
        if page.contents:
            continue
        for prev, line in zip([None, *page.lines], page.lines, strict=False):
            sizes[_size_key(line.size)] += len(line.text)
            gap = prev.y - line.y if prev else 0.0
            if prev and abs(prev.size - line.size) < 0.5 and 0.5 < gap / line.size < 3:
                ratios.append(gap / line.size)
            text = line.text.lower().rstrip("-\u00ad")
            words.update(_WORD.findall(text))
            hyphenated.update(_HYPHENATED.findall(text))
    body = sizes.most_common(1)[0][0] if sizes else 10.0
    leading = statistics.median(ratios) if ratios else 1.2
    return _Style(body, leading, words, hyphenated)


# -- sections --------------------------------------------------------------------------------


def _outline_entries(reader: PdfReader) -> list[tuple[str, str, int]]:
    """(title, heading path, physical page index) of each bookmark with a usable destination."""
    flat: list[tuple[int, str, int | None]] = []

    def walk(items: Iterable[Any], level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
                continue
            try:
                page = reader.get_destination_page_number(item)
            except Exception:
                page = None
            flat.append((level, _clean(str(getattr(item, "title", "") or "")), page))

    try:
        walk(reader.outline, 0)
    except Exception:
        return []
    if sum(level == 0 for level, _, _ in flat) == 1 and len(flat) > 2:  # one root: the report
        flat = [(level - 1, title, page) for level, title, page in flat[1:]]
    entries: list[tuple[str, str, int]] = []
    stack: list[str] = []
    for level, title, page in flat:
        level = max(level, 0)
        del stack[level:]
        stack.append(title)
        if title and page is not None and page >= 0:
            entries.append((title, " > ".join(t for t in stack if t), page))
    return entries if len(entries) >= 2 else []


def _match_key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def _find_heading(lines: list[_Line], title: str, start: int) -> tuple[int, int] | None:
    """Index and line count of the title on the page (it may wrap over up to four lines)."""
    key = _match_key(title)
    for loose in (False, True):
        want = key.lstrip("0123456789") if loose else key
        for i in range(start, len(lines)):
            got = ""
            for j in range(i, min(i + 4, len(lines))):
                got += _match_key(lines[j].text)
                have = got.lstrip("0123456789") if loose else got
                if have and have == want:
                    return i, j - i + 1
                if not want.startswith(have):
                    break
    return None


def _outline_marks(entries: list[tuple[str, str, int]], pages: list[_Page]) -> list[_Mark]:
    """Place each bookmark where its title appears on its page, else at the page start."""
    by_page: defaultdict[int, list[tuple[str, str]]] = defaultdict(list)
    for title, path, index in entries:
        if index < len(pages):
            by_page[index].append((title, path))
    marks = []
    for index, items in sorted(by_page.items()):
        pos = 0
        for title, path in items:
            line, span = _find_heading(pages[index].lines, title, pos) or (pos, 0)
            marks.append(_Mark(index, line, span, path))
            pos = line + span
    return marks


def _heading_like(line: _Line, style: _Style) -> bool:
    text = line.text
    if len(text) > 120 or sum(ch.isalpha() for ch in text) < 2 or text[-1] in ",;":
        return False
    if text.endswith(".") and len(text.split()) > 8:
        return False
    if line.size >= style.body * 1.15:
        return True
    if not line.bold or len(text) > 100 or text[-1] == ".":
        return False
    return bool(_NUMBERED.match(text)) or (line.size >= style.body + 0.5 and text[0].isupper())


def _depth(text: str) -> int | None:
    match = _NUMBERED.match(text)
    if not match:
        return None
    return 1 if match.group(1) else match.group(2).count(".") + 1


def _detected_marks(pages: list[_Page], style: _Style) -> list[_Mark]:
    """Headings found by font size or bold numbering, nested by numbering depth or size rank."""
    found = [
        (page.index, i, line)
        for page in pages
        if not page.contents
        for i, line in enumerate(page.lines)
        if _heading_like(line, style)
    ]
    later = {_size_key(line.size) for index, _, line in found if index > 0}
    found = [f for f in found if f[0] > 0 or _size_key(f[2].size) in later]  # not cover-only
    levels = _level_function([line for _, _, line in found])
    marks: list[_Mark] = []
    stack: list[tuple[int, str]] = []
    previous: _Line | None = None
    for index, i, line in found:
        last = marks[-1] if marks else None
        if last and (last.page, last.line + last.span) == (index, i) and _continues(previous, line):
            stack[-1] = (stack[-1][0], f"{stack[-1][1]} {line.text}")
            marks[-1] = replace(last, span=last.span + 1, path=" > ".join(t for _, t in stack))
        else:
            level = levels(line)
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, line.text))
            marks.append(_Mark(index, i, 1, " > ".join(t for _, t in stack)))
        previous = line
    return marks


def _continues(previous: _Line | None, line: _Line) -> bool:
    """A heading line that wraps the previous one: same size, and not numbered itself."""
    return (
        previous is not None
        and abs(previous.size - line.size) < 0.5
        and _depth(line.text) is None
        and not line.text[:1].isdigit()
    )


def _level_function(lines: list[_Line]) -> Callable[[_Line], int]:
    """Level of a heading: its numbering depth, else the depth its font size usually has."""
    by_size: defaultdict[float, Counter[int]] = defaultdict(Counter)
    for line in lines:
        if (depth := _depth(line.text)) is not None:
            by_size[_size_key(line.size)][depth] += 1
    size_depth = {size: c.most_common(1)[0][0] for size, c in by_size.items()}
    ranks = sorted({_size_key(line.size) for line in lines}, reverse=True)

    def level(line: _Line) -> int:
        size = _size_key(line.size)
        if (depth := _depth(line.text)) is not None:
            return depth
        if not size_depth:
            return ranks.index(size) + 1
        if size in size_depth:
            return size_depth[size]
        larger = [s for s in size_depth if s > size]
        return size_depth[min(larger)] + 1 if larger else 1

    return level


# -- paragraphs and blocks -------------------------------------------------------------------


def _blocks(pages: list[_Page], marks: list[_Mark], style: _Style) -> list[Block]:
    by_page: defaultdict[int, list[_Mark]] = defaultdict(list)
    for mark in marks:
        by_page[mark.page].append(mark)
    blocks: list[Block] = []
    section = ""
    for page in pages:
        if page.contents:
            continue
        start, width = 0, _typical_length(page.lines, style)
        for mark in sorted(by_page.get(page.index, []), key=lambda m: m.line):
            lines = page.lines[start : mark.line]
            blocks += _page_blocks(lines, section, page, style, width)
            section, start = mark.path, max(start, mark.line + mark.span)
        blocks += _page_blocks(page.lines[start:], section, page, style, width)
    return blocks


def _page_blocks(
    lines: list[_Line], section: str, page: _Page, style: _Style, width: float
) -> list[Block]:
    """Split one page's run of lines in one section into paragraph blocks."""
    paragraphs: list[list[_Line]] = []
    for line in lines:
        if paragraphs and not _breaks(paragraphs[-1][-1], line, style, width):
            paragraphs[-1].append(line)
        else:
            paragraphs.append([line])
    texts = (_join_lines([line.text for line in para], style) for para in paragraphs)
    return [Block(text, section, page.printed, page.index + 1) for text in texts if text]


def _typical_length(lines: list[_Line], style: _Style) -> float:
    body = sorted(len(line.text) for line in lines if abs(line.size - style.body) < 0.6)
    return body[int(len(body) * 0.8)] if len(body) >= 4 else 80.0


def _breaks(prev: _Line, line: _Line, style: _Style, width: float) -> bool:
    """Whether line starts a new paragraph after prev."""
    if abs(line.size - prev.size) > max(0.6, 0.08 * prev.size) or _BULLET.match(line.text):
        return True
    if line.size < style.body * 0.92 and _FOOTNOTE_START.match(line.text):
        return True
    final = bool(_SENTENCE_END.search(prev.text))
    gap = prev.y - line.y
    if gap < -line.size * 0.5:  # moved up: next column or another text frame
        return final
    if gap > style.leading * line.size * 1.3:
        return True
    return final and (len(prev.text) < 0.7 * width or line.x > prev.x + line.size * 0.8)


def _join_lines(texts: list[str], style: _Style) -> str:
    out = texts[0]
    for text in texts[1:]:
        out = _join_pair(out, text, style)
    return " ".join(out.replace("\u00ad", "").split())


def _join_pair(left: str, right: str, style: _Style) -> str:
    """Join two lines, undoing end-of-line hyphenation unless the hyphen is a real one."""
    if left.endswith("\u00ad"):
        return left[:-1] + right
    end, start = _HYPHEN_END.search(left), _WORD_START.match(right)
    if not end:
        return f"{left} {right}"
    if start and not _keeps_hyphen(end.group(1), start.group(1), style):
        return left[:-1] + right
    return left + right


def _keeps_hyphen(first: str, second: str, style: _Style) -> bool:
    joined, hyphened = (first + second).lower(), f"{first}-{second}".lower()
    if joined in style.words:
        return False
    return hyphened in style.hyphenated or first.lower() in _HYPHEN_PREFIXES


def _join_across_pages(blocks: list[Block], style: _Style) -> list[Block]:
    """Rejoin a word hyphenated across a page break onto the earlier block."""
    out: list[Block] = []
    for block in blocks:
        prev = out[-1] if out else None
        if (
            prev
            and prev.page != block.page
            and prev.text.endswith("-")
            and block.text[:1].islower()
        ):
            word, _, rest = block.text.partition(" ")
            out[-1] = replace(prev, text=_join_pair(prev.text, word, style))
            if rest:
                out.append(replace(block, text=rest))
            continue
        out.append(block)
    return out


# -- title -----------------------------------------------------------------------------------


def _title(reader: PdfReader, pages: list[_Page], path: Path) -> str:
    """Metadata title if sensible, else page 1's first heading, else the file name in words
    (never the opening of a paragraph: the title is what every citation of the file shows)."""
    try:
        raw = reader.metadata.title if reader.metadata else None
    except Exception:
        raw = None
    title = _clean(str(raw or ""))
    if _sensible_title(title, path):
        return title
    lines = [line for line in (pages[0].lines if pages else []) if _letters(line.text) >= 3]
    heading = _largest_run(lines, _body_size(pages[:5])) or _first_short_line(lines)
    return heading or title_from_filename(path)


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def _body_size(pages: list[_Page]) -> float:
    """The font size most of these pages' characters are set in."""
    sizes: Counter[float] = Counter()
    for line in (line for page in pages for line in page.lines):
        sizes[_size_key(line.size)] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def _largest_run(lines: list[_Line], body: float) -> str:
    """The lines in page 1's largest font, when larger than the body and short enough to be a
    title (at most TITLE_LINES lines, MAX_TITLE_CHARS characters); else ''."""
    biggest = max((line.size for line in lines), default=0.0)
    if biggest < body * 1.15:
        return ""
    first = next(i for i, line in enumerate(lines) if line.size >= biggest - 0.5)
    run = list(itertools.takewhile(lambda line: line.size >= biggest - 0.5, lines[first:]))
    title = " ".join(line.text for line in run)
    return title if len(run) <= TITLE_LINES and len(title) <= MAX_TITLE_CHARS else ""


def _first_short_line(lines: list[_Line]) -> str:
    """Page 1's first line when it reads as a heading in the body font: short beside the page's
    longest line, capitalised, and not ending a sentence or a clause; else ''."""
    if not lines:
        return ""
    text, longest = lines[0].text, max(len(line.text) for line in lines)
    short = len(text) <= min(MAX_TITLE_CHARS, 0.7 * longest) or len(lines) == 1
    heading = (text[0].isupper() or text[0].isdigit()) and text[-1] not in ".,;"
    return text if short and heading and len(text) <= MAX_TITLE_CHARS else ""


def _sensible_title(title: str, path: Path) -> bool:
    letters = sum(ch.isalpha() for ch in title)
    return (
        letters >= 3
        and len(title) <= 250
        and not _JUNK_TITLE.search(title)
        and (title.lower() != path.stem.lower())
    )
