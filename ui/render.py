"""HTML and Markdown for the UI: answers, sources, passages, comparisons, the themes heatmap.

Pure functions of the assistant's data, so they are tested without a browser. Every piece of
index or user text goes through `escape`; buttons carry a `data-passage` id that the page's
script turns into an "open this passage" event.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from html import escape

from assistant.answer_schema import Answer, Citation
from assistant.index_schema import Passage
from assistant.service import Comparison

PassageLookup = Callable[[str], Passage | None]

JUDGEMENT_NOTE = (
    "This assistant supports, and does not replace, professional judgement and your local"
    " safeguarding procedures. If a child may be at risk, follow your local procedures now."
)
NOT_COVERED = "Not covered by the reports"


def where(report_title: str, section: str, pages: str) -> str:
    """'Title, Section, p. 12' without empty parts; `pages` comes from `pages_label`, which
    knows a briefing's page is where the report's chapter starts."""
    return ", ".join(p for p in (report_title, section, pages) if p)


def reference(citation: Citation) -> str:
    """'[1] Title, Section, p. 12 (official PDF: url)' as written out under an answer."""
    text = citation.reference()
    return f"{text} (official PDF: {citation.url})" if citation.url else text


def answer_markdown(answer: Answer) -> str:
    """The chat message: the answer with its references written out, so a copy keeps them."""
    if answer.refused:
        lines = [f"**{NOT_COVERED}.** {answer.answer}"]
        if answer.related:
            lines += ["", "Related reading (not an answer):"]
            lines += [reference(c) for c in answer.related]
    else:
        lines = [answer.answer, "", "References:"] + [reference(c) for c in answer.citations]
    lines += [f"\nNote: {line}" for line in (answer.notice, *answer.warnings) if line]
    return "\n".join(lines)


def comparison_markdown(comparison: Comparison) -> str:
    """The chat message for a comparison: one headed answer per report."""
    parts = [
        f"### {column.report_title}\n\n{answer_markdown(column.answer)}"
        for column in comparison.answers
    ]
    return "\n\n".join(parts) or "No report in the index matches the filter."


def quote_span(text: str, quote: str) -> tuple[int, int] | None:
    """Where the quote sits in the passage (whitespace-insensitive), or None."""
    words = quote.split()
    if not words:
        return None
    found = re.search(r"\s+".join(re.escape(w) for w in words), text)
    return None if found is None else found.span()


def numbers(ns: Sequence[int]) -> str:
    """'[1] [2]': the citation numbers the answer text uses."""
    return " ".join(f"[{n}]" for n in ns)


def highlight(text: str, citations: Sequence[Citation]) -> str:
    """The passage as HTML with each quoted sentence marked and followed by its number, so a
    reader matches [1], [2] in the answer to the sentences; an overlapping quote is not marked."""
    spans: dict[tuple[int, int], list[int]] = {}
    for c in citations:
        span = quote_span(text, c.quote)
        if span is not None:
            spans.setdefault(span, []).append(c.n)
    parts, at = [], 0
    for (start, end), ns in sorted(spans.items()):
        if start < at:
            continue
        parts.append(f"{escape(text[at:start])}<mark>{escape(text[start:end])}</mark>")
        parts.append(f'<span class="sg-n"> {numbers(ns)}</span>')
        at = end
    return "".join(parts) + escape(text[at:])


def open_button(passage_id: str, label: str) -> str:
    """A button the page script turns into 'show this passage in the report browser'."""
    return (
        f'<button type="button" class="sg-open" data-passage="{escape(passage_id)}">'
        f"{escape(label)}</button>"
    )


def pdf_link(url: str | None, title: str) -> str:
    if not url:
        return ""
    return (
        f'<a class="sg-pdf" href="{escape(url)}" target="_blank" rel="noopener noreferrer">'
        f'Official PDF at this page<span class="sg-visually-hidden">: {escape(title)}'
        " (opens in a new tab)</span></a>"
    )


def by_passage(citations: Sequence[Citation]) -> list[list[Citation]]:
    """The citations grouped per passage, in the order the answer first cites each."""
    groups: dict[str, list[Citation]] = {}
    for c in citations:
        groups.setdefault(c.passage_id, []).append(c)
    return list(groups.values())


def citation_html(cited: Sequence[Citation], passage: Passage | None, marked: bool = True) -> str:
    """One card per passage: where it is, the passage with every quote highlighted and
    numbered, and its links."""
    first, ns = cited[0], numbers([c.n for c in cited])
    text = passage.text if passage else " ".join(c.quote for c in cited)
    body = highlight(text, cited) if marked else escape(text)
    heading = where(first.report_title, first.section, first.pages_label)
    return (
        f'<li class="sg-source" id="source-{first.n}">'
        f'<p class="sg-where"><span class="sg-n">{ns}</span> {escape(heading)}</p>'
        f'<blockquote class="sg-passage">{body}</blockquote>'
        f'<p class="sg-links">{open_button(first.passage_id, f"Open {ns} in Reports")}'
        f"{pdf_link(first.url, first.report_title)}</p></li>"
    )


def source_cards(citations: Sequence[Citation], lookup: PassageLookup, marked: bool) -> list[str]:
    """One card per cited passage, however many of its sentences the answer quotes."""
    return [citation_html(g, lookup(g[0].passage_id), marked) for g in by_passage(citations)]


def sources_html(answer: Answer, lookup: PassageLookup, level: int = 2) -> str:
    """The sources panel for one answer; refusals get a distinct 'related reading' panel, or
    the reason alone when there is nothing to read (no report matches the filter)."""
    if answer.refused and not answer.related:
        return (
            f'<section class="sg-refused"><h{level}>{NOT_COVERED}</h{level}>'
            f"<p>{escape(answer.answer)}</p></section>"
        )
    if answer.refused:
        items = "".join(source_cards(answer.related, lookup, marked=False))
        return (
            '<section class="sg-refused">'
            f"<h{level}>{NOT_COVERED}: related reading only</h{level}>"
            "<p>No passage answers this question. These are the nearest passages; they are"
            " not an answer.</p>"
            f'<ol class="sg-sources">{items}</ol></section>'
        )
    cards = source_cards(answer.citations, lookup, marked=True)
    return (
        '<section class="sg-answer-sources">'
        f"<h{level}>Sources ({len(cards)})</h{level}>"
        f'<ol class="sg-sources">{"".join(cards)}</ol></section>'
    )


def comparison_html(comparison: Comparison, lookup: PassageLookup) -> str:
    """One column per report: its answer and its sources (stacked on a narrow screen)."""
    columns = []
    for i, column in enumerate(comparison.answers):
        answer = column.answer
        body = (
            f'<p class="sg-refused-label"><strong>{NOT_COVERED}</strong> in this report.</p>'
            if answer.refused
            else f'<p class="sg-column-answer">{escape(answer.answer)}</p>'
        )
        columns.append(
            f'<section class="sg-column" aria-labelledby="sg-col-{i}">'
            f'<h2 id="sg-col-{i}">{escape(column.report_title)}</h2>{body}'
            f"{sources_html(answer, lookup, level=3)}</section>"
        )
    if not columns:
        return "<p>No report in the index matches the filter.</p>"
    return f'<div class="sg-columns">{"".join(columns)}</div>'


def passage_html(
    passage: Passage, before: Passage | None = None, after: Passage | None = None
) -> str:
    """A passage in the report browser, with buttons to its neighbours."""
    heading = where(passage.report_title, passage.section, passage.pages_label)
    nav = "".join(
        open_button(p.id, label)
        for p, label in ((before, "Previous passage"), (after, "Next passage"))
        if p is not None
    )
    return (
        f'<article class="sg-reader" aria-labelledby="sg-reader-h" data-id="{escape(passage.id)}">'
        f'<h2 id="sg-reader-h">{escape(heading)}</h2>'
        f'<p class="sg-passage-text">{escape(passage.text)}</p>'
        f'<p class="sg-links">{nav}{pdf_link(passage.url, passage.report_title)}</p></article>'
    )


def passage_list_html(passages: Sequence[Passage], heading: str, empty: str) -> str:
    """A headed list of passages, each with its place and a button to read it in full."""
    if not passages:
        return (
            f'<section class="sg-list"><h3>{escape(heading)}</h3><p>{escape(empty)}</p></section>'
        )
    items = "".join(
        f'<li><div class="sg-where">'
        f"{escape(where(p.report_title, p.section, p.pages_label))}</div>"
        f'<div class="sg-excerpt">{escape(_excerpt(p.text))}</div>'
        f"{open_button(p.id, 'Read this passage')}</li>"
        for p in passages
    )
    return (
        f'<section class="sg-list"><h3>{escape(heading)}</h3>'
        f'<ol class="sg-passages">{items}</ol></section>'
    )


def _excerpt(text: str, words: int = 45) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def heatmap_html(
    counts: Mapping[str, Mapping[str, int]],
    theme_labels: Mapping[str, str],
    report_titles: Mapping[str, str],
) -> str:
    """Themes by report as a table of buttons: shade and number show how many passages."""
    reports = list(report_titles)
    peak = max((n for row in counts.values() for n in row.values()), default=0) or 1
    head = "".join(f'<th scope="col">{escape(report_titles[r])}</th>' for r in reports)
    rows = []
    for theme_id, row in counts.items():
        label = theme_labels[theme_id]
        cells = []
        for report_id in reports:
            n = row.get(report_id, 0)
            level = 0 if n == 0 else 1 + min(3, (4 * n - 1) // peak)
            name = f"{label} in {report_titles[report_id]}: {n} passages"
            cells.append(
                f'<td><button type="button" class="sg-cell sg-level-{level}"'
                f' data-theme="{escape(theme_id)}" data-report="{escape(report_id)}"'
                f' aria-label="{escape(name)}">{n}</button></td>'
            )
        rows.append(f'<tr><th scope="row">{escape(label)}</th>{"".join(cells)}</tr>')
    return (
        '<div class="sg-heatmap-wrap"><table class="sg-heatmap">'
        "<caption>Passages about each theme, by report. Choose a number to list the"
        " passages behind it.</caption>"
        f'<thead><tr><th scope="col">Theme</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def notice_html(notice: str | None) -> str:
    """The banner saying answers come from the briefings (empty when they don't)."""
    if not notice:
        return ""
    text = re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(notice))
    return (
        '<div class="sg-notice" role="note"><strong>Briefings, not the reports:</strong> '
        f"{text}</div>"
    )


def status_html(message: str) -> str:
    """A one-line problem shown to the user (bad question, no index), announced politely."""
    return f'<p class="sg-status" role="alert">{escape(message)}</p>' if message else ""
