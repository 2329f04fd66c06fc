"""The Ask tab: a chat with cited answers, the sources beside them, and thumbs up/down.

The conversation lives in server-side state (`Conversation`), so the browser sends only the new
question with each request, never the whole history.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import gradio as gr
from pydantic import ValidationError

from assistant.answer_schema import Answer
from assistant.chroma import ChromaUnavailable
from assistant.corpus import ManifestError
from assistant.feedback import Feedback, feedback_store
from assistant.filters import ReportFilter, catalogue
from assistant.followup import Turn
from assistant.questions import MAX_QUESTION_CHARS, QuestionError, clean_question
from assistant.search import SearchError, live_store
from assistant.service import ask, ask_stream, compare
from assistant.settings import Settings
from ui import render
from ui.look import DATA_BUTTONS_JS

MAX_TURNS = 20  # the API's history limit
EXAMPLES = [
    "What did the reviews say about written agreements with parents?",
    "How often was neglect a factor, and is poverty the cause?",
    "What are the critical moments in a child's life?",
]
WORKING = "Searching the reports…"
ANY_YEAR = "any"


@dataclass
class Conversation:
    """One browser session's chat: messages shown, turns for follow-ups, answers to rate."""

    messages: list[dict[str, str]] = field(default_factory=list)
    turns: list[Turn] = field(default_factory=list)
    rated: dict[int, Feedback] = field(default_factory=dict)


@dataclass
class AskTab:
    """The tab's components, for wiring events that cross tabs."""

    notice: gr.HTML
    chatbot: gr.Chatbot
    question: gr.Textbox
    send: gr.Button
    reports: gr.Dropdown
    compare: gr.Checkbox
    mode: gr.Radio
    status: gr.HTML
    sources: gr.HTML
    conversation: gr.State
    metadata: list[gr.Dropdown] = field(default_factory=list)  # years, type, publisher, area


def filter_choices(settings: Settings) -> dict[str, list[Any]]:
    """The values each metadata control offers, from the corpus manifest (none if unreadable)."""
    try:
        return dict(catalogue(settings.manifest_path).choices())
    except ManifestError:
        return {"years": [], "types": [], "publishers": [], "areas": []}


def metadata_controls(settings: Settings) -> list[gr.Dropdown]:
    """Year range, type, publisher and area, each labelled; a field no report has is hidden."""
    known = filter_choices(settings)
    years = [("Any year", ANY_YEAR)] + [(str(y), str(y)) for y in known["years"]]
    with gr.Row():
        controls = [
            gr.Dropdown(years, value=ANY_YEAR, label=label, elem_id=elem_id, min_width=140)
            for label, elem_id in (
                ("Published from (year)", "sg-year-from"),
                ("Published up to (year)", "sg-year-to"),
            )
        ]
    for facet, label in (("types", "Report type"), ("publishers", "Publisher"), ("areas", "Area")):
        controls.append(
            gr.Dropdown(
                known[facet],
                label=f"{label} (leave empty for any)",
                multiselect=True,
                visible=bool(known[facet]),
                elem_id=f"sg-{facet}-filter",
            )
        )
    return controls


def chosen_filter(
    year_from: str | None,
    year_to: str | None,
    types: list[str] | None,
    publishers: list[str] | None,
    areas: list[str] | None,
) -> ReportFilter | None:
    """The filter the controls ask for (None for none); a ValidationError for a bad range."""
    years = [None if y in (None, "", ANY_YEAR) else int(str(y)) for y in (year_from, year_to)]
    chosen = ReportFilter(
        year_from=years[0],
        year_to=years[1],
        types=types or [],
        publishers=publishers or [],
        areas=areas or [],
    )
    return None if chosen.empty else chosen


def build_ask_tab(settings: Settings) -> AskTab:
    """Lay out the tab and wire its own events (the sources' open buttons are wired by the app)."""
    notice = gr.HTML(elem_id="sg-briefing-notice")
    gr.HTML(f'<p class="sg-note" role="note">{render.JUDGEMENT_NOTE}</p>', padding=False)
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=300):
            chatbot = gr.Chatbot(
                label="Conversation",
                show_label=False,  # Gradio floats the label over the messages; the log is named
                elem_id="sg-chat",
                height=460,
                buttons=["copy"],
                feedback_options=("Like", "Dislike"),
                placeholder="Ask about the reports' findings. Answers quote the reports and"
                " cite report, section and page.",
                layout="panel",
                group_consecutive_messages=False,
            )
            question = gr.Textbox(
                label="Your question",
                elem_id="sg-question",
                placeholder="Type a question about the reports",
                max_length=MAX_QUESTION_CHARS,
                lines=1,
                max_lines=6,
                submit_btn=False,
            )
            status = gr.HTML(elem_id="sg-ask-status")
            with gr.Row():
                send = gr.Button(
                    "Ask", variant="primary", elem_id="sg-send", scale=0, min_width=120
                )
                clear = gr.Button("New conversation", elem_id="sg-clear", min_width=180)
            gr.Examples(EXAMPLES, inputs=question, label="Example questions")
            with gr.Accordion(
                "Filters: reports, year, type, publisher, area, compare",
                open=False,
                elem_id="sg-filters",
            ):
                reports = gr.Dropdown(
                    label="Only these reports (leave empty for all)",
                    multiselect=True,
                    elem_id="sg-report-filter",
                )
                metadata = metadata_controls(settings)
                side_by_side = gr.Checkbox(
                    label="Compare across reports (one column per report)",
                    elem_id="sg-compare",
                )
                mode = gr.Radio(
                    ["extractive", "generative"],
                    value="extractive",
                    label="Answer mode",
                    info="Extractive quotes the reports; generative rewrites them with the"
                    " configured language model and checks every sentence.",
                    visible=settings.generative_enabled,
                    elem_id="sg-mode",
                )
        with gr.Column(scale=2, min_width=300):
            sources = gr.HTML(
                '<p class="sg-empty">The sources of each answer appear here: report, section,'
                " page and, inside each passage, the quoted sentences numbered as in the"
                " answer.</p>",
                label="Sources",
                elem_id="sg-sources",
                js_on_load=DATA_BUTTONS_JS,
            )
    conversation = gr.State(None)  # a Conversation once the first question is asked
    tab = AskTab(
        notice,
        chatbot,
        question,
        send,
        reports,
        side_by_side,
        mode,
        status,
        sources,
        conversation,
        metadata,
    )
    inputs = [question, reports, side_by_side, mode, conversation, *metadata]
    outputs = [chatbot, sources, status, question, conversation]

    def asked(*args: Any) -> Iterator[tuple[Any, ...]]:
        yield from respond(settings, *args)

    for trigger in (send.click, question.submit):
        trigger(
            asked,
            inputs,
            outputs,
            concurrency_limit=4,
            show_progress="minimal",
        )
    clear.click(new_conversation, None, [chatbot, sources, status, conversation])
    chatbot.clear(new_conversation, None, [chatbot, sources, status, conversation])

    def rated(conversation: Conversation | None, event: gr.LikeData) -> str:
        return rate(settings, conversation, event)

    chatbot.like(rated, [conversation], [status])
    return tab


def new_conversation() -> tuple[list[Any], str, str, Conversation]:
    return [], "", "", Conversation()


def respond(
    settings: Settings,
    question: str,
    report_ids: list[str] | None,
    side_by_side: bool,
    mode: str,
    conversation: Conversation | None,
    *metadata: Any,
) -> Iterator[tuple[Any, ...]]:
    """Chat messages as the answer comes in, then the sources panel for it; `metadata` holds
    the year, type, publisher and area controls' values."""
    conversation = conversation or Conversation()
    problem = ""
    try:
        question = clean_question(question or "")
        filters = chosen_filter(*metadata) if metadata else None
    except QuestionError as exc:
        problem = f"Please check the question: {exc}."
    except ValidationError as exc:
        problem = f"Please check the filter: {exc.errors()[0]['msg']}."
    if problem:
        yield gr.update(), gr.update(), render.status_html(problem), gr.update(), conversation
        return
    messages = [*conversation.messages, {"role": "user", "content": question}]
    shown = [*messages, {"role": "assistant", "content": WORKING}]
    yield shown, gr.update(), "", "", conversation
    try:
        if side_by_side:
            text, panel, answer = answer_comparison(
                settings, question, report_ids, conversation, filters
            )
        else:
            final: Answer | None = None
            asked = (settings, question, report_ids, conversation, mode, filters)
            for partial in stream_answer(*asked):
                if isinstance(partial, Answer):
                    final = partial
                    continue
                written = [*messages, {"role": "assistant", "content": partial}]
                yield written, gr.update(), "", "", conversation
            if final is None:
                raise SearchError("no answer came back; please ask again")
            answer = final
            text = render.answer_markdown(answer)
            panel = render.sources_html(answer, live_store(settings).passage)
    except (SearchError, ChromaUnavailable) as exc:
        yield (
            conversation.messages,
            gr.update(),
            render.status_html(str(exc)),
            question,
            conversation,
        )
        return
    remember(conversation, messages, text, answer, report_ids, mode)
    yield conversation.messages, panel, "", "", conversation


def stream_answer(
    settings: Settings,
    question: str,
    report_ids: list[str] | None,
    conversation: Conversation,
    mode: str,
    filters: ReportFilter | None = None,
) -> Iterator[str | Answer]:
    """Text so far while a generative answer streams, then the checked Answer."""
    history = conversation.turns[-MAX_TURNS:]
    if mode != "generative":
        yield ask(settings, question, report_ids or [], history, filters=filters)
        return
    written = ""
    events = ask_stream(settings, question, report_ids or [], history, "generative", filters)
    for event in events:
        if event["event"] == "token":
            written += str(event["data"])
            yield written
        else:
            yield Answer.model_validate(event["data"])


def answer_comparison(
    settings: Settings,
    question: str,
    report_ids: list[str] | None,
    conversation: Conversation,
    filters: ReportFilter | None = None,
) -> tuple[str, str, Answer]:
    """The chat text, the columns and a summary Answer (for rating) of a comparison."""
    history = conversation.turns[-MAX_TURNS:]
    result = compare(settings, question, report_ids or [], history, filters)
    lookup = live_store(settings).passage
    answers = [column.answer for column in result.answers]
    summary = Answer(
        question=question,
        answer=" ".join(a.answer for a in answers),
        refused=all(a.refused for a in answers),
        citations=[c for a in answers for c in a.citations],
    )
    return render.comparison_markdown(result), render.comparison_html(result, lookup), summary


def remember(
    conversation: Conversation,
    messages: list[dict[str, str]],
    text: str,
    answer: Answer,
    report_ids: list[str] | None,
    mode: str,
) -> None:
    """Keep the exchange for follow-ups and what a rating of it will store."""
    conversation.messages = [*messages, {"role": "assistant", "content": text}]
    conversation.turns = [
        *conversation.turns,
        Turn(question=answer.question, answer=answer.answer[:20000]),
    ][-MAX_TURNS:]
    conversation.rated[len(conversation.messages) - 1] = Feedback(
        rating="up",
        mode="generative" if mode == "generative" else "extractive",
        refused=answer.refused,
        citations=len(answer.citations),
        report_ids=list(report_ids or [])[:10],
        question=answer.question,
        cited=answer.citations,  # a thumbs-down becomes a draft evaluation item with them
    )


def rate(settings: Settings, conversation: Conversation | None, event: gr.LikeData) -> str:
    """Store a thumbs up or down for the answer at the rated message."""
    if conversation is None:
        return ""
    index = event.index if isinstance(event.index, int) else event.index[0]
    answer = conversation.rated.get(index)
    if answer is None or event.liked not in (True, False):
        return ""
    rating = "up" if event.liked else "down"
    feedback_store(settings).record(answer.model_copy(update={"rating": rating}))
    return '<p class="sg-thanks" role="status">Thank you: your rating was recorded.</p>'
