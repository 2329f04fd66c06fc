"""Hostile PDFs written byte by byte, for the ingest bounds tests: each is small on disk."""

from __future__ import annotations

import zlib
from pathlib import Path

FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def text_page(n: int) -> bytes:
    """A content stream with one distinct line of ordinary text."""
    line = b"Page %d of ordinary text: neglect and poverty were studied in review %d." % (n, n)
    return b"BT /F1 12 Tf 72 720 Td (" + line + b") Tj ET"


def write_pdf(path: Path, objects: list[bytes], root: int = 1) -> Path:
    """A PDF with `objects` numbered from 1 and a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\n" % (len(objects) + 1, root)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    path.write_bytes(bytes(out))
    return path


def stream(data: bytes, compress: bool = False) -> bytes:
    if compress:
        data = zlib.compress(data, 9)
        return (
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"
        )
    return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def page_objects(contents: list[int], first: int, extra: bytes = b"") -> list[bytes]:
    """Catalog (1), pages (2), font (3), then one page per content-stream object number."""
    kids = b" ".join(b"%d 0 R" % (first + i) for i in range(len(contents)))
    pages = b"<< /Type /Pages /Kids [%s] /Count %d /MediaBox [0 0 612 792]" % (kids, len(contents))
    pages += b" /Resources << /Font << /F1 3 0 R >> >> >>"
    page_list = [b"<< /Type /Page /Parent 2 0 R /Contents %d 0 R >>" % c for c in contents]
    return [b"<< /Type /Catalog /Pages 2 0 R" + extra + b" >>", pages, FONT, *page_list]


def many_blank_pages(path: Path, count: int = 100_000) -> Path:
    """`count` empty pages sharing one empty content stream."""
    content = 4 + count
    objects = page_objects([content] * count, first=4)
    return write_pdf(path, [*objects, stream(b"")])


def decompression_bomb(path: Path, pages: int = 4, megabytes: int = 60) -> Path:
    """Pages whose text streams inflate from a few hundred KB to `megabytes` MB each."""
    line = b"BT /F1 12 Tf 72 720 Td (neglect) Tj ET\n"
    data = line * (megabytes * 1024 * 1024 // len(line))
    first = 4
    contents = [first + pages + i for i in range(pages)]
    objects = page_objects(contents, first)
    return write_pdf(path, [*objects, *[stream(data, compress=True)] * pages])


def outline_pdf(path: Path, depth: int = 0, cyclic: bool = False, pages: int = 3) -> Path:
    """Ordinary text pages with an outline nested `depth` levels deep, or whose items loop."""
    first = 4
    contents = [first + pages + i for i in range(pages)]
    objects = page_objects(contents, first, extra=b" /Outlines %d 0 R" % (first + 2 * pages))
    objects += [stream(text_page(i)) for i in range(pages)]
    outline_root = len(objects) + 1
    first_item = outline_root + 1
    if cyclic:
        a, b = first_item, first_item + 1
        objects.append(b"<< /Type /Outlines /First %d 0 R /Last %d 0 R /Count 2 >>" % (a, b))
        objects.append(
            b"<< /Title (Loop A) /Parent %d 0 R /Next %d 0 R /Dest [4 0 R /Fit] >>"
            % (outline_root, b)
        )
        objects.append(
            b"<< /Title (Loop B) /Parent %d 0 R /Next %d 0 R /Prev %d 0 R /First %d 0 R"
            b" /Dest [4 0 R /Fit] >>" % (outline_root, a, a, a)
        )
        return write_pdf(path, objects)
    objects.append(
        b"<< /Type /Outlines /First %d 0 R /Last %d 0 R /Count %d >>"
        % (first_item, first_item, depth)
    )
    for level in range(depth):
        number = first_item + level
        parent = outline_root if level == 0 else number - 1
        child = (
            b" /First %d 0 R /Last %d 0 R /Count 1" % (number + 1, number + 1)
            if level + 1 < depth
            else b""
        )
        objects.append(
            b"<< /Title (Level %d) /Parent %d 0 R /Dest [4 0 R /Fit]%s >>" % (level, parent, child)
        )
    return write_pdf(path, objects)


def broken_xref(path: Path) -> Path:
    """An ordinary text PDF whose cross-reference table points at the wrong bytes."""
    objects = page_objects([6, 7], first=4) + [stream(text_page(1)), stream(text_page(2))]
    data = write_pdf(path, objects).read_bytes()
    start = data.rindex(b"\nxref\n")
    table = data[start : data.index(b"trailer", start)]
    garbled = table.replace(b" 00000 n", b" 00007 n").replace(b"0000000", b"9999999")
    path.write_bytes(data[:start] + garbled + data[start + len(table) :])
    return path


def unrecoverable_xref(path: Path) -> Path:
    """A PDF whose cross-reference table and object headers are both garbage."""
    data = broken_xref(path).read_bytes()
    path.write_bytes(data.replace(b" 0 obj", b" 0 jbo"))
    return path
