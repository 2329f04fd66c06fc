"""parse_pdf on generated report-like PDFs: pages, sections, clean text, layout, bad input."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from bench.library.report_pdf import (
    FORCED_PARAGRAPH,
    HYPHENATION,
    ReportSpec,
    make_encrypted_pdf,
    make_image_only_pdf,
    make_report_pdf,
    make_truncated_pdf,
)
from ingest.document import ParsedDocument
from ingest.errors import IngestError
from ingest.parse_pdf import _clean, _join_pair, _printed_numbers, _Style, parse_pdf

Parsed = tuple[ReportSpec, ParsedDocument]


@pytest.fixture(scope="module")
def outlined(tmp_path_factory: pytest.TempPathFactory) -> Parsed:
    spec = make_report_pdf(tmp_path_factory.mktemp("pdf") / "outlined.pdf")
    return spec, parse_pdf(spec.path)


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Parsed:
    """No bookmarks, no metadata title, "Page N of M" footers: everything from the text."""
    spec = make_report_pdf(
        tmp_path_factory.mktemp("pdf") / "plain.pdf",
        chapters=4,
        pages_per_chapter=4,
        outline=False,
        seed=7,
        metadata_title=False,
        footer_format="Page {n} of {total}",
    )
    return spec, parse_pdf(spec.path)


@pytest.fixture(params=["outlined", "plain"])
def parsed(request: pytest.FixtureRequest) -> Parsed:
    result: Parsed = request.getfixturevalue(request.param)
    return result


def _all_text(doc: ParsedDocument) -> str:
    return "\n".join(block.text for block in doc.blocks)


# -- the fixture really contains what the parser must remove --------------------------------


def test_fixture_pages_carry_header_footer_and_contents(outlined: Parsed) -> None:
    spec, _ = outlined
    raw = [page.extract_text() for page in PdfReader(spec.path).pages]
    assert len(raw) == spec.page_count
    assert sum(spec.header in text for text in raw) >= spec.page_count - 1
    last = raw[-1].splitlines()
    assert last[-1].strip() == str(spec.page_count - spec.first_printed_physical + 1)
    assert "Contents" in raw[1] and "...." in raw[1]
    assert spec.hyphenated_words and "multi-agency" in spec.kept_hyphen_words
    assert any(f"{HYPHENATION['professionals'][0]}\n" in text for text in raw)


def test_generator_is_deterministic(tmp_path: Path) -> None:
    first = make_report_pdf(tmp_path / "a.pdf", chapters=2, pages_per_chapter=2)
    second = make_report_pdf(tmp_path / "b.pdf", chapters=2, pages_per_chapter=2)
    assert first.path.read_bytes() == second.path.read_bytes()
    assert first.sentences == second.sentences


# -- title, pages, sections -----------------------------------------------------------------


def test_title_from_metadata_and_from_largest_text(outlined: Parsed, plain: Parsed) -> None:
    assert outlined[1].title == outlined[0].title
    assert plain[1].title == plain[0].title  # no metadata: the 22 pt cover lines, joined
    assert plain[1].page_count == plain[0].page_count


def test_printed_page_numbers_follow_the_footer(parsed: Parsed) -> None:
    spec, doc = parsed
    expected = [spec.printed(n) for n in range(1, spec.page_count + 1)]
    assert doc.metadata["printed_pages"] == expected
    assert doc.metadata["contents_pages"] == spec.contents_pages


def test_sections_in_order_with_their_start_pages(parsed: Parsed) -> None:
    spec, doc = parsed
    assert [s for s in doc.sections if s] == [s.path for s in spec.sections]
    for section in spec.sections:
        first = next(b for b in doc.blocks if b.section == section.path)
        assert first.page == section.printed_page, section.path


def test_known_sentences_keep_their_section_and_page(parsed: Parsed) -> None:
    spec, doc = parsed
    assert len(spec.sentences) >= 10
    for sentence in spec.sentences:
        hits = [b for b in doc.blocks if sentence.text in b.text]
        assert len(hits) == 1, sentence.text
        assert (hits[0].section, hits[0].page) == (sentence.section, sentence.printed_page)
        assert hits[0].text.startswith(sentence.text)  # each opens a paragraph in the PDF


def test_single_root_bookmark_is_not_part_of_paths(outlined: Parsed, tmp_path: Path) -> None:
    spec, _ = outlined
    reader, writer = PdfReader(spec.path), PdfWriter()
    writer.append(reader, import_outline=False)
    root = writer.add_outline_item(title=spec.title, page_number=0)
    parents = [root]
    for section in spec.sections:  # rebuild the outline one level down
        level = section.path.count(" > ")
        del parents[level + 1 :]
        item = writer.add_outline_item(
            title=section.title, page_number=section.physical_page - 1, parent=parents[level]
        )
        parents.append(item)
    path = tmp_path / "rooted.pdf"
    writer.write(path)
    doc = parse_pdf(path)
    assert [s for s in doc.sections if s] == [s.path for s in spec.sections]


def test_cover_text_comes_before_any_section(outlined: Parsed) -> None:
    _, doc = outlined
    assert doc.blocks[0].section == "" and doc.blocks[0].page == 1
    assert any(b.text == "March 2020" and b.section == "" for b in doc.blocks)


# -- clean text -----------------------------------------------------------------------------


def test_no_headers_footers_or_page_number_blocks(parsed: Parsed) -> None:
    spec, doc = parsed
    footer = re.compile(r"Page \d+ of \d+")
    for block in doc.blocks:
        assert spec.header not in block.text
        assert not footer.search(block.text)
        assert not re.fullmatch(r"[\divxlc]+", block.text, re.I), block


def test_contents_pages_and_headings_are_not_body_text(parsed: Parsed) -> None:
    spec, doc = parsed
    text = _all_text(doc)
    assert "Contents" not in text and "...." not in text
    for section in spec.sections:  # titles appear only in the contents and as headings
        assert section.title not in text


def test_hyphenation_undone_but_real_hyphens_kept(parsed: Parsed) -> None:
    spec, doc = parsed
    text = _all_text(doc)
    for word in set(spec.hyphenated_words):
        first, rest = HYPHENATION[word]
        assert f"{first}{rest}" not in text and f"{first} {rest}" not in text, word
        assert word in text
    assert "multiagency" not in text and "multi- agency" not in text
    assert any(FORCED_PARAGRAPH in block.text for block in doc.blocks)


def test_paragraphs_are_single_lines_of_text(parsed: Parsed) -> None:
    _, doc = parsed
    assert all("\n" not in b.text and "  " not in b.text for b in doc.blocks)
    body = [b for b in doc.blocks if b.section]
    assert sum(len(b.text) > 250 for b in body) >= len(body) // 2  # lines joined into paragraphs


# -- layout ---------------------------------------------------------------------------------


def test_two_column_page_reads_column_by_column(parsed: Parsed) -> None:
    spec, doc = parsed
    text = _all_text(doc)
    first, second = spec.column_sentences
    assert text.index(first) < text.index(spec.column_long_sentence) < text.index(second)
    assert any(spec.column_long_sentence in b.text for b in doc.blocks)


def test_table_and_footnote_text_kept(parsed: Parsed) -> None:
    spec, doc = parsed
    text = _all_text(doc)
    for row in spec.table_rows:
        assert " ".join(row) in text
    note = [b for b in doc.blocks if spec.footnote in b.text]
    assert len(note) == 1 and note[0].text == spec.footnote  # its own block, not in a paragraph
    assert note[0].page == spec.footnote_page
    page_sections = {b.section for b in doc.blocks if b.page == spec.footnote_page and b.section}
    assert note[0].section in page_sections and len(page_sections) == 1


# -- helpers --------------------------------------------------------------------------------


def test_ligatures_and_spaces_normalised() -> None:
    assert _clean("signi\ufb01cant  \ufb02ow\u00a0of\tcases") == "significant flow of cases"


def test_hyphen_rules() -> None:
    style = _Style(10, 1.2, words={"professionals"}, hyphenated={"multi-agency"})
    assert _join_pair("skilled pro-", "fessionals met", style) == "skilled professionals met"
    assert _join_pair("the multi-", "agency panel", style) == "the multi-agency panel"
    assert _join_pair("their well-", "being", style) == "their well-being"
    assert _join_pair("an unusual hyphen-", "ation", style) == "an unusual hyphenation"
    assert _join_pair("soft\u00ad", "ware", style) == "software"
    assert _join_pair("ends here", "Next line", style) == "ends here Next line"


def test_printed_numbers_ignore_stray_numbers() -> None:
    # cover and contents unnumbered; page 5 has a stray "42"; page 6 lost its number
    candidates = [set(), set(), {1}, {2}, {3, 42}, set(), {5}, {6, 3}]
    assert _printed_numbers(candidates) == [1, 2, 1, 2, 3, 4, 5, 6]
    assert _printed_numbers([set(), {7}, set()]) is None  # one number alone is not trusted


# -- bad input ------------------------------------------------------------------------------


def _error(path: Path) -> str:
    with pytest.raises(IngestError) as caught:
        parse_pdf(path)
    message = str(caught.value)
    assert str(path) in message and "\n" not in message and "Traceback" not in message
    return message


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    assert "empty (0 bytes)" in _error(path)


def test_html_saved_as_pdf(tmp_path: Path) -> None:
    path = tmp_path / "landing.pdf"
    path.write_text("<!DOCTYPE html>\n<html><head><title>GOV.UK</title></head></html>\n")
    message = _error(path)
    assert "not a PDF" in message and "HTML" in message


def test_text_saved_as_pdf(tmp_path: Path) -> None:
    path = tmp_path / "notes.pdf"
    path.write_text("Complexity and challenge\nsome notes\n")
    assert "not a PDF (it is plain text)" in _error(path)


def test_password_protected(tmp_path: Path) -> None:
    assert "password-protected" in _error(make_encrypted_pdf(tmp_path / "locked.pdf"))


def test_encrypted_with_empty_password_opens(tmp_path: Path) -> None:
    doc = parse_pdf(make_encrypted_pdf(tmp_path / "open.pdf", user_password=""))
    assert doc.title.startswith("Complexity and challenge")
    assert any("In case C01P00" in b.text for b in doc.blocks)


def test_truncated(tmp_path: Path) -> None:
    assert "truncated" in _error(make_truncated_pdf(tmp_path / "half.pdf"))


def test_corrupt_with_end_marker(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.pdf"
    path.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >>\ngarbage\n%%EOF\n")
    assert "damaged" in _error(path)


def test_scanned_images_need_ocr(tmp_path: Path) -> None:
    message = _error(make_image_only_pdf(tmp_path / "scan.pdf"))
    assert "no text layer" in message and "OCR" in message


def test_missing_file_and_directory(tmp_path: Path) -> None:
    assert "not found" in _error(tmp_path / "missing.pdf")
    folder = tmp_path / "folder.pdf"
    folder.mkdir()
    assert "directory" in _error(folder)


def test_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_encrypted_pdf(tmp_path / "private.pdf", user_password="")
    real = Path.read_bytes

    def refuse(self: Path) -> bytes:
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)  # chmod is no barrier when run as root
    assert "permission denied" in _error(path)


# -- the title when the metadata has none ----------------------------------------------------

BODY = (
    "Neglect was present in about three-quarters of the serious case reviews analysed. Poverty"
    " makes family life more stressful and can increase the likelihood of neglect, and"
    " professionals can become used to poverty when they judge risk and need."
)


def small_pdf(path: Path, heading: tuple[str, float] | None, title: str | None = None) -> Path:
    """One page: an optional heading (text, size), then two 11 pt body paragraphs (fpdf2)."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_creation_date(datetime(2020, 3, 4, tzinfo=UTC))
    if title:
        pdf.set_title(title)
    pdf.add_page()
    for text, size in [*([heading] if heading else []), (BODY, 11), (BODY, 11)]:
        pdf.set_font("Helvetica", size=size)
        pdf.multi_cell(0, size * 0.5, text)
        pdf.ln(4)
    path.write_bytes(bytes(pdf.output()))
    return path


@pytest.mark.parametrize("size", [18, 11], ids=["larger-font", "body-font"])
def test_title_without_metadata_is_the_first_heading(tmp_path: Path, size: int) -> None:
    path = small_pdf(tmp_path / "review.pdf", ("Learning from serious incidents", size))
    assert parse_pdf(path).title == "Learning from serious incidents"


def test_title_without_metadata_or_heading_is_the_file_name_in_words(tmp_path: Path) -> None:
    doc = parse_pdf(small_pdf(tmp_path / "hard-to-escape_v2.pdf", None))
    assert doc.title == "Hard to escape v2"
    assert doc.blocks[0].text.startswith("Neglect was present")


def test_title_from_metadata_is_kept(tmp_path: Path) -> None:
    heading = ("Learning from serious incidents", 18)
    path = small_pdf(
        tmp_path / "annual.pdf", heading, title="The Panel's annual report 2018 to 2019"
    )
    assert parse_pdf(path).title == "The Panel's annual report 2018 to 2019"


def test_no_text_layer_counts_one_page_in_the_singular(tmp_path: Path) -> None:
    message = _error(make_image_only_pdf(tmp_path / "scan.pdf", pages=1))
    assert "(0 characters on 1 page; " in message
