"""The Reports tab: browse the reports by section, search passages, read one passage in full,
and the themes-by-report heatmap whose cells list the passages behind them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from assistant.catalogue import SectionSummary, report_sections, report_titles
from assistant.chroma import ChromaUnavailable
from assistant.index_schema import pages_label
from assistant.search import SearchError, live_store, search_passages
from assistant.settings import Settings
from assistant.store import IndexStore
from assistant.themes import THEMES, theme, theme_counts, theme_passages
from ui import render
from ui.look import DATA_BUTTONS_JS

SEARCH_K = 10
READER_EMPTY = (
    '<p class="sg-empty">Choose "Read this passage" in a list below, or "Open in Reports" beside'
    " an answer's source, to read a passage here with its neighbours.</p>"
)


@dataclass
class ReportsTab:
    """The tab's components, for wiring events that cross tabs."""

    reader: gr.HTML
    report: gr.Dropdown
    section: gr.Dropdown
    section_passages: gr.HTML
    query: gr.Textbox
    search: gr.Button
    results: gr.HTML
    heatmap: gr.HTML
    theme_list: gr.HTML
    status: gr.HTML


def build_reports_tab(settings: Settings) -> ReportsTab:
    """Lay out the tab and wire its events."""
    status = gr.HTML(elem_id="sg-reports-status")
    reader = gr.HTML(READER_EMPTY, elem_id="sg-reader", js_on_load=DATA_BUTTONS_JS)
    with gr.Row(equal_height=False):
        with gr.Column(min_width=300):
            gr.Markdown("## Browse a report")
            report = gr.Dropdown(label="Report", elem_id="sg-browse-report")
            section = gr.Dropdown(label="Section", elem_id="sg-browse-section")
            section_passages = gr.HTML(elem_id="sg-section-passages", js_on_load=DATA_BUTTONS_JS)
        with gr.Column(min_width=300):
            gr.Markdown("## Search the passages")
            query = gr.Textbox(
                label="Search words",
                elem_id="sg-search-query",
                max_length=1000,
                placeholder="e.g. poverty blindness",
            )
            search = gr.Button("Search", elem_id="sg-search", variant="primary")
            results = gr.HTML(elem_id="sg-search-results", js_on_load=DATA_BUTTONS_JS)
    gr.Markdown("## Themes across the reports")
    heatmap = gr.HTML(elem_id="sg-heatmap", js_on_load=DATA_BUTTONS_JS)
    theme_list = gr.HTML(elem_id="sg-theme-passages", js_on_load=DATA_BUTTONS_JS)
    tab = ReportsTab(
        reader,
        report,
        section,
        section_passages,
        query,
        search,
        results,
        heatmap,
        theme_list,
        status,
    )
    report.change(lambda r: sections_update(settings, r), report, section)
    section.change(lambda r, s: section_html(settings, r, s), [report, section], section_passages)
    for trigger in (search.click, query.submit):
        trigger(lambda q: search_html(settings, q), query, [results, status])

    def cell_clicked(event: gr.EventData) -> Any:
        return theme_cell_html(settings, event)

    heatmap.click(cell_clicked, None, theme_list)
    return tab


def load(settings: Settings) -> tuple[Any, ...]:
    """On page load: the report choices and the heatmap (or why the index can't be read)."""
    try:
        store = live_store(settings)
    except (SearchError, ChromaUnavailable) as exc:
        return gr.update(), "", render.status_html(str(exc))
    titles = report_titles(settings, store)
    counts = theme_counts(store.passages, list(titles))
    labels = {t.id: t.label for t in THEMES}
    choices = [(title, report_id) for report_id, title in titles.items()]
    first = choices[0][1] if choices else None
    return (
        gr.update(choices=choices, value=first),
        render.heatmap_html(counts, labels, titles),
        "",
    )


def sections_update(settings: Settings, report_id: str | None) -> Any:
    if not report_id:
        return gr.update(choices=[], value=None)
    store = live_store(settings)
    choices = [section_choice(store, s) for s in report_sections(store, report_id)]
    return gr.update(choices=choices, value=choices[0][1] if choices else None)


def section_choice(store: IndexStore, summary: SectionSummary) -> tuple[str, str]:
    """'3 Neglect (p. 54)', the page labelled by the kind of source the section comes from."""
    first = store.passage(summary.first_passage_id)
    kind = first.source_kind if first else "document"
    page = pages_label(summary.page_start, None, kind) or "no page"
    return f"{summary.section} ({page})", summary.section


def section_html(settings: Settings, report_id: str | None, section: str | None) -> str:
    """Every passage of one section, in reading order."""
    if not report_id or not section:
        return ""
    store = live_store(settings)
    passages = [p for p in store.passages if p.report_id == report_id and p.section == section]
    return render.passage_list_html(passages, section, "This section has no passages.")


def search_html(settings: Settings, query: str) -> tuple[str, str]:
    """Search results across the reports, or a status line saying what went wrong."""
    if not (query or "").strip():
        return "", render.status_html("Type some words to search for.")
    try:
        hits = search_passages(settings, query.strip(), k=SEARCH_K, report_ids=[])
    except (SearchError, ChromaUnavailable) as exc:
        return "", render.status_html(str(exc))
    heading = f"{len(hits)} passages for “{query.strip()}”"
    return render.passage_list_html([h.passage for h in hits], heading, "No passage matches."), ""


def theme_cell_html(settings: Settings, event: gr.EventData) -> Any:
    """The passages behind one heatmap cell."""
    data = getattr(event, "_data", None) or {}
    theme_id, report_id = data.get("theme"), data.get("report")
    if not theme_id or not report_id:
        return gr.update()
    store = live_store(settings)
    found = theme_passages(store.passages, theme_id, report_id)
    title = report_titles(settings, store).get(report_id, report_id)
    heading = f"{theme(theme_id).label} in {title}: {len(found)} passages"
    return render.passage_list_html(found, heading, "No passage in this report is about it.")


def open_passage(settings: Settings, event: gr.EventData) -> Any:
    """The clicked passage in the reader, with buttons to its neighbours."""
    data = getattr(event, "_data", None) or {}
    passage_id = data.get("passage")
    if not passage_id:
        return gr.update()
    store = live_store(settings)
    passage = store.passage(passage_id)
    if passage is None:
        return render.status_html("That passage is no longer in the index; ask again.")
    return render.passage_html(passage, *store.neighbours(passage_id))
