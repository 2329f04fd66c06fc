"""The Gradio Blocks app: the Ask, Reports, Quiz and Evaluate tabs, and events crossing them."""

from __future__ import annotations

from typing import Any

import gradio as gr

from assistant.catalogue import report_status, report_titles
from assistant.chroma import ChromaUnavailable
from assistant.search import SearchError, live_store
from assistant.settings import Settings
from ui import render
from ui.ask_tab import build_ask_tab
from ui.evaluate_tab import build_evaluate_tab
from ui.look import FOCUS_READER_JS
from ui.quiz_tab import build_quiz_tab
from ui.reports_tab import build_reports_tab, load, open_passage

TITLE = "Safeguarding case-review assistant"
INTRO = (
    f"# {TITLE}\n"
    "Cited answers from three reports published in England in March 2020: the triennial"
    " analysis of serious case reviews 2014-17, the Child Safeguarding Practice Review Panel's"
    " annual report 2018-19, and *It was hard to escape* (criminal exploitation)."
)


def build_ui(settings: Settings) -> gr.Blocks:
    """The whole UI, bound to `settings`; it calls the assistant in-process."""
    with gr.Blocks(title=TITLE, fill_width=False) as blocks:
        gr.Markdown(INTRO, elem_id="sg-intro")
        with gr.Tabs(elem_id="sg-tabs") as tabs:
            with gr.Tab("Ask", id="ask", elem_id="sg-tab-ask"):
                ask = build_ask_tab(settings)
            with gr.Tab("Reports", id="reports", elem_id="sg-tab-reports"):
                reports = build_reports_tab(settings)
            with gr.Tab("Quiz", id="quiz", elem_id="sg-tab-quiz"):
                quiz = build_quiz_tab(settings)
            with gr.Tab("Evaluate", id="evaluate", elem_id="sg-tab-evaluate"):
                build_evaluate_tab(settings)
        blocks.load(
            lambda: on_load(settings),
            None,
            [
                ask.notice,
                ask.reports,
                quiz.reports,
                reports.report,
                reports.heatmap,
                reports.status,
            ],
        )

        def source_clicked(event: gr.EventData) -> tuple[Any, gr.Tabs]:
            return open_passage(settings, event), gr.Tabs(selected="reports")

        def passage_clicked(event: gr.EventData) -> Any:
            return open_passage(settings, event)

        ask.sources.click(source_clicked, None, [reports.reader, tabs]).then(
            None, js=FOCUS_READER_JS
        )
        for panel in (
            reports.section_passages,
            reports.results,
            reports.theme_list,
            reports.reader,
        ):
            panel.click(passage_clicked, None, reports.reader).then(None, js=FOCUS_READER_JS)
    return blocks


def on_load(settings: Settings) -> tuple[Any, ...]:
    """Per page load: the briefings notice, the report filters' choices, the Reports tab."""
    try:
        store = live_store(settings)
    except (SearchError, ChromaUnavailable) as exc:
        message = render.status_html(f"The index is not ready: {exc}")
        return message, gr.update(), gr.update(), gr.update(), "", message
    notice = report_status(settings, store)["notice"]
    choices = [(title, rid) for rid, title in report_titles(settings, store).items()]
    return (
        render.notice_html(str(notice) if notice else None),
        gr.update(choices=choices),
        gr.update(choices=choices),
        *load(settings),
    )
