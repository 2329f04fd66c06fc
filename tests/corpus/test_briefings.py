"""The briefings corpus (corpus/briefings/*.md) keeps to its format and to the fact sheet.

The briefings are the offline default corpus: the project's own words, written from the fact
sheet beside them (corpus/report-facts.md). These tests check the format the Markdown parser
relies on, and that no number, source or "not in the three reports" figure slips in that the
sheet does not back.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
BRIEFINGS_DIR = REPO / "corpus" / "briefings"
FACT_SHEET = REPO / "corpus" / "report-facts.md"

REPORT_IDS = ("triennial-2014-17", "panel-annual-2018-19", "hard-to-escape")
BASED_ON = {
    "triennial-2014-17": "triennial-2014-17",
    "panel-annual-2018-19": "panel-annual-2018-19",
    "hard-to-escape": "hard-to-escape",
    "common-themes": list(REPORT_IDS),
}
BRIEFINGS = sorted(BASED_ON)
PAGED = ("triennial-2014-17", "hard-to-escape")  # the sheet has their contents-list pages

FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
URL = re.compile(r"https?://\S+")
HEADING = re.compile(r"^(#{1,6})\s+(\S.*)$")
PAGE_COMMENT = re.compile(r"^\s*<!--\s*page:\s*(.*?)\s*-->\s*$")
HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
SOURCE_REF = re.compile(r"\(Sources?: [^()]+\)$")

# Figures and names from the sheet's "NOT IN THE THREE REPORTS" sections: other publications,
# which a briefing must never state (the assistant has to decline questions about them).
FORBIDDEN = {
    "60% (2009-11 neglect figure)": r"(?<![\d.,])60\s?%",
    "35% (Panel annual report 2020)": r"(?<![\d.,])35\s?%",
    "37% (Learning for the future; 2022-23)": r"(?<![\d.,])37\s?%",
    "12% (2011-14 child protection plans)": r"(?<![\d.,])12\s?%",
    "53% (Panel annual report 2022-23)": r"(?<![\d.,])53\s?%",
    "42.6% (Panel annual report 2020)": r"42\.6\s?%",
    "27.3% (Panel annual report 2020)": r"27\.3\s?%",
    "482 notifications (2020)": r"(?<![\d.,])482(?![\d])",
    "514 children (2020)": r"(?<![\d.,])514(?![\d])",
    "206 deaths (2020)": r"(?<![\d.,])206(?![\d])",
    "257 rapid reviews (babies, 2021)": r"(?<![\d.,])257(?![\d])",
    "393 notifications (2022-23)": r"(?<![\d.,])393(?![\d])",
    "330 rapid reviews (2023-24)": r"(?<![\d.,])330(?![\d])",
    "235 SCRs (2017-19)": r"(?<![\d.,])235(?![\d])",
    "Ofsted 134 / 166 SCRs": r"(?<![\d.,])(?:134|166)(?![\d])",
    "27,000 children in gangs": r"27,?000",
    "6,560 known to services": r"6,?560",
    "2009-11 biennial analysis": r"2009\s*[-–]\s*(?:20)?11",
    "years after the reports (2021-2024)": r"(?<![\d.,])202[1-4](?![\d])",
    "Jay Review": r"\bJay\b",
    "Anne Longfield / Commission on Young Lives": r"Longfield|Commission on Young Lives",
    "Learning for the future": r"Learning for the future",
    "Out of routine": r"Out of routine",
    "The Myth of Invisible Men": r"Invisible Men",
    "Keeping kids safe": r"Keeping kids safe",
    "Both sides of the coin": r"Both sides of the coin",
    "Children on the Margins": r"Children on the Margins",
    "Hidden in plain sight / Out of harm's way": r"Hidden in plain sight|Out of harm.s way",
    "county lines (not covered in the summaries)": r"county lines",
}


def _read(name: str) -> tuple[dict[str, object], str]:
    """A briefing's front matter (parsed) and its body."""
    path = BRIEFINGS_DIR / f"{name}.md"
    text = path.read_text(encoding="utf-8")
    match = FRONT_MATTER.match(text)
    assert match, f"{path.name}: no YAML front matter between --- lines"
    meta = yaml.safe_load(match.group(1))
    assert isinstance(meta, dict), f"{path.name}: front matter is not a mapping"
    return meta, text[match.end() :]


def _numbers(text: str) -> set[str]:
    return set(NUMBER.findall(text))


@pytest.fixture(scope="module")
def fact_sheet() -> str:
    return FACT_SHEET.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def sheet_numbers(fact_sheet: str) -> set[str]:
    """Digit runs in the sheet's text; numbers that only occur inside web addresses don't count."""
    found = _numbers(URL.sub(" ", fact_sheet))
    return found | {n.replace(",", "") for n in found}


def test_all_briefings_present() -> None:
    present = sorted(p.stem for p in BRIEFINGS_DIR.glob("*.md"))
    assert present == BRIEFINGS


@pytest.mark.parametrize("name", BRIEFINGS)
def test_front_matter(name: str) -> None:
    meta, _ = _read(name)
    assert meta.get("id") == f"{name}-briefing"
    assert isinstance(meta.get("title"), str) and meta["title"].startswith("Briefing: ")
    assert meta.get("kind") == "briefing"
    based_on = meta.get("based_on")
    assert based_on == BASED_ON[name]
    for report_id in based_on if isinstance(based_on, list) else [based_on]:
        assert report_id in REPORT_IDS
    sources = meta.get("sources")
    assert isinstance(sources, list) and sources, "sources must be a non-empty list"
    for url in sources:
        assert isinstance(url, str) and URL.fullmatch(url), f"not a web address: {url!r}"
    assert len(sources) == len(set(sources)), "a source is listed twice"


@pytest.mark.parametrize("name", BRIEFINGS)
def test_sources_come_from_the_sheet(name: str, fact_sheet: str) -> None:
    meta, _ = _read(name)
    sheet_urls = set(URL.findall(fact_sheet))
    missing = [url for url in meta["sources"] if url not in sheet_urls]
    assert not missing, f"sources not in the fact sheet: {missing}"


@pytest.mark.parametrize("name", BRIEFINGS)
def test_one_title_heading_then_the_notice(name: str) -> None:
    meta, body = _read(name)
    lines = body.splitlines()
    h1 = [i for i, line in enumerate(lines) if re.match(r"^#\s", line)]
    assert len(h1) == 1, f"expected exactly one H1, found {len(h1)}"
    first = next(i for i, line in enumerate(lines) if line.strip())
    assert h1[0] == first, "the H1 title must open the body"
    assert lines[first][2:].strip() == meta["title"]
    rest = lines[first + 1 :]
    start = next(i for i, line in enumerate(rest) if line.strip())
    quote: list[str] = []
    for line in rest[start:]:
        if not line.startswith(">"):
            break
        quote.append(line.lstrip("> ").strip())
    notice = " ".join(quote)
    assert notice.startswith("**Notice:**"), "the notice blockquote must follow the H1"
    assert "not the report's own text" in notice
    assert "safeguarding fetch" in notice


@pytest.mark.parametrize("name", BRIEFINGS)
def test_page_comments_follow_headings_and_are_stated(name: str) -> None:
    _, body = _read(name)
    lines = body.splitlines()
    hints = 0
    for i, line in enumerate(lines):
        if "<!--" in line and "page" in line:
            match = PAGE_COMMENT.match(line)
            assert match, f"line {i}: malformed page comment {line!r}"
            assert match.group(1).isdigit(), f"line {i}: page is not an integer: {line!r}"
            under_heading = i > 0 and HEADING.match(lines[i - 1])
            assert under_heading, f"line {i}: page comment is not right after a heading"
            assert not lines[i - 1].startswith("# "), "the title heading takes no page"
            section: list[str] = []
            for later in lines[i + 1 :]:
                if HEADING.match(later):
                    break
                section.append(later)
            page = match.group(1)
            said = re.findall(rf"\bpage {page}\b", " ".join(section))
            assert len(said) == 1, f"{lines[i - 1]!r}: prose should say 'page {page}' once"
            hints += 1
    if name in PAGED:
        assert hints > 0, "this report's contents list gives pages: the briefing should carry them"


@pytest.mark.parametrize("name", BRIEFINGS)
def test_paragraphs_end_with_a_source_reference(name: str) -> None:
    _, body = _read(name)
    blocks = [b.strip() for b in re.split(r"\n\s*\n", HTML_COMMENT.sub("", body))]
    blocks = [b for b in blocks if b and not b.startswith(("#", ">"))]
    bad = []
    for i, block in enumerate(blocks):
        next_is_list = i + 1 < len(blocks) and blocks[i + 1].startswith("- ")
        if block.endswith(":") and next_is_list:
            continue  # a list's lead-in: the list's last item carries the reference
        last = block.splitlines()[-1].strip()
        if not SOURCE_REF.search(last):
            bad.append(block[:80])
    assert not bad, f"paragraphs without a closing (Source: ...) reference: {bad}"


@pytest.mark.parametrize("name", BRIEFINGS)
def test_no_web_addresses_in_the_body(name: str) -> None:
    _, body = _read(name)
    assert not URL.findall(body), "web addresses belong in the sources front matter"


@pytest.mark.parametrize("name", BRIEFINGS)
def test_every_number_is_in_the_sheet(name: str, sheet_numbers: set[str]) -> None:
    meta, body = _read(name)
    found = _numbers(body) | _numbers(str(meta["title"]))
    unknown = sorted(
        n for n in found if n not in sheet_numbers and n.replace(",", "") not in sheet_numbers
    )
    assert not unknown, f"numbers not found in the fact sheet: {unknown}"


@pytest.mark.parametrize("name", BRIEFINGS)
def test_no_figures_from_other_publications(name: str) -> None:
    meta, body = _read(name)
    text = f"{meta['title']}\n{body}"
    hits = [label for label, pattern in FORBIDDEN.items() if re.search(pattern, text, re.I)]
    assert not hits, f"figures or names that are not in the three reports: {hits}"


@pytest.mark.parametrize("name", BRIEFINGS)
def test_length_follows_the_facts(name: str) -> None:
    _, body = _read(name)
    words = len(HTML_COMMENT.sub(" ", body).split())
    if name == "triennial-2014-17":
        assert 1500 <= words <= 3000, f"triennial briefing has {words} words"
    else:
        assert words >= 300, f"{name} has only {words} words"
