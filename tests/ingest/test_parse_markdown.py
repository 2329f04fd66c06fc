"""Markdown, HTML and plain-text parsing: sections, pages, notice, clean text."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.errors import IngestError
from ingest.parse import parse_file

MARKDOWN = """---
id: demo
title: Demo briefing
kind: briefing
based_on: hard-to-escape
---

# Demo briefing

> **Notice:** not the report's own text.

Intro text before any section.

## Key findings
<!-- page: 14 -->

### 3 Who we are talking about
<!-- page: 15 -->

The *cohort* had **common** features, see [the list](http://example.org).

- first item
- second item

### 4 How do we identify children?

Identification was not the main problem.

## 17 National recommendations
<!-- page: 46 -->

A closing paragraph.
"""


def test_markdown_sections_pages_and_notice(tmp_path: Path):
    path = tmp_path / "demo.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    doc = parse_file(path)
    assert doc.title == "Demo briefing"
    assert doc.metadata["based_on"] == "hard-to-escape"
    assert doc.metadata["notice"] == "Notice: not the report's own text."
    assert doc.sections == [
        "",
        "Key findings > 3 Who we are talking about",
        "Key findings > 4 How do we identify children?",
        "17 National recommendations",
    ]
    by_text = {b.text: b for b in doc.blocks}
    cohort = by_text["The cohort had common features, see the list."]
    assert cohort.page == 15
    assert by_text["first item\nsecond item"].section.endswith("3 Who we are talking about")
    # an unpaged subsection inherits the page its chapter starts on
    assert by_text["Identification was not the main problem."].page == 14
    assert by_text["A closing paragraph."].page == 46
    assert all("Notice" not in b.text for b in doc.blocks)


def test_html_headings_are_sections(tmp_path: Path):
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>T</title><script>var x=1;</script></head><body>"
        "<nav>Menu</nav><h1>Report</h1><h2>1 Introduction</h2><p>Hello  <b>world</b>.</p>"
        "<h3>1.1 Scope</h3><ul><li>One</li><li>Two</li></ul>"
        "<table><tr><td>Age</td><td>27%</td></tr></table></body></html>",
        encoding="utf-8",
    )
    doc = parse_file(path)
    assert doc.title == "Report"
    assert [(b.section, b.text) for b in doc.blocks] == [
        ("1 Introduction", "Hello world ."),
        ("1 Introduction > 1.1 Scope", "One"),
        ("1 Introduction > 1.1 Scope", "Two"),
        ("1 Introduction > 1.1 Scope", "Age | 27%"),
    ]
    assert "var x" not in " ".join(b.text for b in doc.blocks)


def test_plain_text_paragraphs(tmp_path: Path):
    path = tmp_path / "notes.txt"
    path.write_text("First para\nwraps here.\n\n\nSecond para.\n", encoding="utf-8")
    doc = parse_file(path)
    assert [b.text for b in doc.blocks] == ["First para wraps here.", "Second para."]
    assert doc.page_count == 0


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.md", b"", "empty"),
        ("blank.txt", b"  \n\n ", "no text"),
        ("only-heading.md", b"# Title\n## Section\n", "no text found"),
        ("bad-front.md", b"---\nkey: [unclosed\n---\n\nText.", "malformed front matter"),
        ("list-front.md", b"---\n- a\n- b\n---\n\nText.", "front matter must be a mapping"),
        ("img.html", b"<html><body><img src=x></body></html>", "no text found"),
    ],
)
def test_bad_text_sources_raise_clear_errors(tmp_path: Path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(IngestError) as caught:
        parse_file(path)
    assert str(caught.value).startswith(str(path))
    assert reason in str(caught.value)


def test_folder_and_missing_file(tmp_path: Path):
    with pytest.raises(IngestError, match="no such file"):
        parse_file(tmp_path / "missing.md")
    folder = tmp_path / "dir.md"
    folder.mkdir()
    with pytest.raises(IngestError, match="is a folder"):
        parse_file(folder)
