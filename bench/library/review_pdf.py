"""Lay out one case review as a PDF: cover, contents, numbered chapters and sections, running
header and footer, a case vignette, tables, a footnote and recommendations.

Chapters are planned in whole pages before anything is drawn, so the contents page can give each
heading's printed page; the text then fills each page to its bottom margin.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.library.plan import TYPE_LABELS, ReviewPlan
from bench.library.prose import Prose
from bench.library.report_pdf import (
    BOTTOM,
    LEFT,
    WIDTH,
    ReportSpec,
    ReportWriter,
    SentenceSpec,
    contents,
    footnote,
    table,
)
from bench.library.vocabulary import Theme, Vocabulary

FRONT_PAGES = 2  # the cover and one contents page
FOOTERS = ("{n}", "Page {n} of {total}", "- {n} -")
TIMELINE_WIDTHS = (28.0, 70.0, 72.0)
FIGURE_WIDTHS = (90.0, 35.0, 45.0)
TABLE_SIZE = 9
INTRO_KINDS = ("opening", "method", "family")
THEME_SECTIONS = (  # a theme chapter's three sections, each worded one of these ways
    ("What happened", "The events in this case", "Practice in this case", "What we found"),
    ("What the review found", "Analysis", "Patterns across agencies", "Examples from practice"),
    ("Why this matters", "Learning for the partnership", "Implications for practice"),
)


@dataclass(frozen=True)
class Section:
    """A numbered heading and what opens it: "opening", "method", "family", "text",
    "vignette", "timeline", "case" (a vignette and its timeline) or "figures"."""

    title: str
    kind: str


@dataclass(frozen=True)
class Chapter:
    """A numbered chapter: its pages, its theme (what `fill` writes about) and its sections."""

    title: str
    theme: Theme
    pages: int
    sections: tuple[Section, ...]
    recommendations: bool = False

    def section_pages(self) -> list[int]:
        """The page of the chapter (0-based) each section starts on, spread evenly."""
        return [i * self.pages // len(self.sections) for i in range(len(self.sections))]


@dataclass(frozen=True)
class Review:
    """What was laid out: the parser's expectations and the vignette's text."""

    spec: ReportSpec
    vignette: str
    data: bytes


def build_review(plan: ReviewPlan, vocab: Vocabulary, path: Path) -> Review:
    """Lay out the report `plan` describes; `path` is recorded in the spec, not written."""
    rng = random.Random(plan.seed)
    prose = Prose(plan, vocab)
    chapters = plan_chapters(plan, prose.themes, rng)
    spec = ReportSpec(
        path=path,
        title=plan.title,
        header=f"{plan.short_title} | {plan.publisher}",
        footer_format=rng.choice(FOOTERS),
        page_count=plan.pages,
        first_printed_physical=FRONT_PAGES + 1,
        contents_pages=[2],
    )
    created = datetime(*plan.published.timetuple()[:3], 9, 30, tzinfo=UTC)
    outline = rng.random() < 0.5  # half the reports carry bookmarks, as real ones vary
    rep = ReportWriter(spec, rng, outline, created=created, sentence=prose.sentence)
    rep.font(9, "I")  # the header's font: a header too wide for the page keeps the short title
    spec.header = spec.header if rep.width(spec.header) <= WIDTH else plan.short_title
    rep.total_printed = plan.pages - FRONT_PAGES
    rep.pdf.set_title(plan.title)
    rep.pdf.set_author(plan.publisher)
    _cover(rep, plan)
    contents(rep, _entries(chapters))
    vignette = ""
    printed = 1
    for chapter in chapters:
        prose.theme = chapter.theme
        vignette = _chapter(rep, prose, chapter, printed) or vignette
        printed += chapter.pages
    return Review(spec, vignette, bytes(rep.pdf.output()))


def plan_chapters(plan: ReviewPlan, themes: list[Theme], rng: random.Random) -> list[Chapter]:
    """The report's chapters with their page counts, which add up to its body pages."""
    body = plan.pages - FRONT_PAGES
    intro_pages = 1 if body < 16 else 2
    per_theme = body - intro_pages - 2 - 1  # the child's chapter, then the recommendations
    child = plan.child
    if plan.type in ("SCR", "LCSPR"):
        names = ("Introduction", f"{child.name}'s story", "Recommendations")
        intro = ("Why this review was carried out", "Scope and methodology", "The family's views")
        story = (("Family background", "vignette"), ("Key events", "timeline"))
    elif plan.type == "national review":
        names = ("Introduction", "The children in this review", "Conclusions and recommendations")
        intro = ("Purpose of this review", "How we carried out the review", "What families said")
        story = (("Who the children were", "figures"), ("A case example", "case"))
    else:
        year = plan.published.year
        names = ("Foreword", f"Reviews in {year - 1} to {year}", f"Priorities for {year}")
        intro = ("About this report", "How reviews are commissioned", "Listening to families")
        story = (("Notifications and reviews", "figures"), ("A case example", "case"))
    chapters = [
        _numbered(1, names[0], themes[0], intro_pages, zip(intro, INTRO_KINDS, strict=True)),
        _numbered(2, names[1], themes[0], 2, story),
    ]
    for i, theme in enumerate(themes):
        pages = per_theme // len(themes) + (i < per_theme % len(themes))
        title = _theme_title(plan, theme, i, rng)
        parts = tuple(rng.choice(variants) for variants in THEME_SECTIONS)
        chapters.append(_numbered(3 + i, title, theme, pages, ((p, "text") for p in parts)))
    last = Chapter(f"{len(chapters) + 1} {names[2]}", themes[0], 1, (), recommendations=True)
    return [*chapters, last]


def _numbered(
    n: int, title: str, theme: Theme, pages: int, parts: Iterable[tuple[str, str]]
) -> Chapter:
    """Chapter `n` with as many of its sections as fit (two per page at most)."""
    sections = tuple(Section(f"{n}.{k} {t}", kind) for k, (t, kind) in enumerate(parts, 1))
    return Chapter(f"{n} {title}", theme, pages, sections[: 2 * pages])


def _theme_title(plan: ReviewPlan, theme: Theme, i: int, rng: random.Random) -> str:
    heading = rng.choice(theme.headings)
    if plan.type in ("SCR", "LCSPR"):
        return f"Finding {i + 1}: {heading}"
    return heading if plan.type == "national review" else f"Learning about {theme.title.lower()}"


def _entries(chapters: list[Chapter]) -> list[tuple[str, int]]:
    """Contents entries: each chapter and section with its printed page."""
    entries: list[tuple[str, int]] = []
    printed = 1
    for chapter in chapters:
        entries.append((chapter.title, printed))
        starts = chapter.section_pages()
        entries += [(s.title, printed + p) for s, p in zip(chapter.sections, starts, strict=True)]
        printed += chapter.pages
    return entries


def _cover(rep: ReportWriter, plan: ReviewPlan) -> None:
    rep.new_page(None, header=False)
    rep.font(22, "B")
    lines, _ = rep.wrap(plan.title, WIDTH, hyphenate=False)
    for i, line in enumerate(lines):
        rep.pdf.text(LEFT, 80 + i * 11, line)
    y = 80 + len(lines) * 11 + 8
    rep.font(13)
    facts = [TYPE_LABELS[plan.type], plan.publisher, f"Published {plan.published:%B %Y}"]
    if plan.type in ("SCR", "LCSPR"):
        facts.append(f"Independent reviewer: {plan.reviewer}")
    for i, fact in enumerate(facts):
        rep.pdf.text(LEFT, y + i * 8, fact)


def _chapter(rep: ReportWriter, prose: Prose, chapter: Chapter, printed: int) -> str:
    """Write the chapter's pages; returns the vignette if it holds one."""
    starts = chapter.section_pages()
    vignette = ""
    for j in range(chapter.pages):
        rep.new_page(printed + j)
        if j == 0:
            rep.heading(chapter.title, 0)
        if chapter.recommendations:
            _recommendations(rep, prose)
            rep.footer()
            continue
        bottom = BOTTOM
        if (printed, j) == (1, 0):
            bottom = footnote(rep, f"1 {chapter.theme.footnote}")
        for k, (section, start) in enumerate(zip(chapter.sections, starts, strict=True)):
            if start != j:
                continue
            if j > 0 or (k == 0 and section.kind == "text"):  # mid-page, as in real reports
                rep.paragraph(prose.paragraph(rep.rng, rep.rng.randint(2, 4)), bottom=bottom)
            rep.heading(section.title, 1)
            vignette = _open_section(rep, prose, section.kind, bottom) or vignette
        rep.fill(bottom=bottom)
        rep.footer()
    return vignette


def _open_section(rep: ReportWriter, prose: Prose, kind: str, bottom: float) -> str:
    """What opens a section; returns the vignette when this is the case example."""
    rng = rep.rng
    if kind == "figures":
        _table(rep, prose.figures(rng), FIGURE_WIDTHS)
    elif kind == "timeline":
        _table(rep, prose.timeline(rng), TIMELINE_WIDTHS, record=True)
    elif kind in ("vignette", "case"):
        text = prose.vignette(rng)
        if not rep.paragraph(text, bottom=bottom):
            raise RuntimeError(f"{rep.spec.path.name}: no room for the vignette")
        rep.spec.sentences.append(SentenceSpec(text, " > ".join(rep.path), rep.printed))
        if kind == "case":
            _table(rep, prose.timeline(rng), TIMELINE_WIDTHS, record=True)
        return text
    else:
        write = {"opening": prose.opening, "method": prose.method, "family": prose.family_voice}
        text = write[kind](rng) if kind in write else prose.paragraph(rng, 3)
        rep.paragraph(text, bottom=bottom)
    return ""


def _table(
    rep: ReportWriter,
    rows: tuple[tuple[str, ...], ...],
    widths: tuple[float, ...],
    *,
    record: bool = False,
) -> None:
    rows = tuple(
        tuple(_fit(rep, cell, w - 2) for cell, w in zip(row, widths, strict=True)) for row in rows
    )
    if record:
        rep.spec.table_rows = rows
    table(rep, rows, widths, size=TABLE_SIZE)


def _fit(rep: ReportWriter, text: str, width: float) -> str:
    """The cell text, shortened by whole words until it fits its column."""
    rep.font(TABLE_SIZE, "B")
    words = text.split()
    while len(words) > 1 and rep.width(" ".join(words)) > width:
        words.pop()
    return " ".join(words)


def _recommendations(rep: ReportWriter, prose: Prose) -> None:
    for text in prose.recommendations(rep.rng):
        rep.paragraph(text)
    rep.paragraph(
        f"The {prose.plan.publisher} will monitor progress against these recommendations"
        " through its learning and improvement group."
    )
