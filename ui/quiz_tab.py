"""The Quiz tab: choose a topic or theme, reports, size and kinds; generate; preview the items as
a learner sees them; download the quiz in every export format (the quiz service does the work)."""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from functools import partial
from html import escape
from pathlib import Path
from typing import Any

import gradio as gr
from pydantic import ValidationError

from assistant.chroma import ChromaUnavailable
from assistant.quiz.export import EXTENSIONS, FORMATS, export_quiz
from assistant.quiz.models import KIND_NAMES, KINDS, MAX_ITEMS, Quiz, QuizRequest
from assistant.quiz.service import make_quiz
from assistant.search import SearchError
from assistant.settings import Settings
from assistant.themes import THEMES, theme
from ui.quiz_render import questions, quiz_html
from ui.render import status_html

FILE_STEM = "safeguarding-quiz"
EXPORTS_DIR = Path(tempfile.gettempdir()) / "safeguarding-quiz-exports"
EMPTY = (
    '<p class="sg-empty">The questions appear here as a learner would see them; open'
    " “Show the answer and source” under a question to check it against the report.</p>"
)


@dataclass
class QuizTab:
    """The tab's components; `reports` gets its choices when the page loads."""

    topic: gr.Textbox
    theme: gr.Dropdown
    reports: gr.Dropdown
    n: gr.Number
    kinds: gr.CheckboxGroup
    generate: gr.Button
    status: gr.HTML
    download: gr.File
    preview: gr.HTML


def build_quiz_tab(settings: Settings) -> QuizTab:
    """Lay out the tab and wire the Generate button."""
    gr.Markdown(
        "Make questions for a training session from the reports. Every question quotes the"
        " passage it comes from; check each one before you use it. Downloads load into Moodle"
        " (GIFT, Moodle XML, Aiken) or a spreadsheet (CSV)."
    )
    with gr.Row(equal_height=False):
        with gr.Column(min_width=300):
            topic = gr.Textbox(
                label="Topic",
                info="Free text, e.g. neglect, or choose a theme instead",
                elem_id="sg-quiz-topic",
                max_length=200,
                lines=1,
            )
            chosen_theme = gr.Dropdown(
                [("No theme", "")] + [(t.label, t.id) for t in THEMES],
                value="",
                label="Theme",
                elem_id="sg-quiz-theme",
            )
            reports = gr.Dropdown(
                label="Draw on these reports (leave empty for all)",
                multiselect=True,
                elem_id="sg-quiz-reports",
            )
        with gr.Column(min_width=300):
            n = gr.Number(
                10,
                label=f"Number of questions (1-{MAX_ITEMS})",
                minimum=1,
                maximum=MAX_ITEMS,
                precision=0,
                elem_id="sg-quiz-n",
            )
            kinds = gr.CheckboxGroup(
                [(KIND_NAMES[k].capitalize(), k) for k in KINDS],
                value=list(KINDS),
                label="Kinds of question",
                elem_id="sg-quiz-kinds",
            )
    generate = gr.Button("Generate the quiz", variant="primary", elem_id="sg-quiz-generate")
    status = gr.HTML(elem_id="sg-quiz-status")
    download = gr.File(
        label="Download the quiz (GIFT, Aiken, Moodle XML, CSV, JSON)",
        file_count="multiple",
        interactive=False,
        visible=False,
        elem_id="sg-quiz-download",
    )
    preview = gr.HTML(EMPTY, elem_id="sg-quiz-preview")
    tab = QuizTab(topic, chosen_theme, reports, n, kinds, generate, status, download, preview)
    inputs = [topic, chosen_theme, reports, n, kinds]
    for trigger in (generate.click, topic.submit):
        trigger(
            partial(generate_quiz, settings),
            inputs,
            [status, download, preview],
            concurrency_limit=2,
            show_progress="minimal",
        )
    return tab


def quiz_request(
    topic: str, theme_id: str, report_ids: list[str], n: float | None, kinds: list[str]
) -> QuizRequest:
    """The request from the form; ValueError with a sentence for the user when it is not sound."""
    topic = (topic or "").strip()
    if topic and theme_id:
        raise ValueError("Type a topic or choose a theme, not both.")
    if theme_id:
        topic = theme(theme_id).label  # the theme's name is what the quiz retrieves passages for
    if not topic and not report_ids:
        raise ValueError("Type a topic, choose a theme, or choose at least one report.")
    if not kinds:
        raise ValueError("Choose at least one kind of question.")
    if n is None or not 1 <= n <= MAX_ITEMS:
        raise ValueError(f"The number of questions must be between 1 and {MAX_ITEMS}.")
    try:
        return QuizRequest(topic=topic or None, report_ids=report_ids or [], n=int(n), kinds=kinds)  # type: ignore[arg-type]  # kinds are checked by the model
    except ValidationError as exc:
        reasons = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
        raise ValueError(f"The quiz cannot be made: {reasons}.") from exc


def export_files(quiz: Quiz) -> tuple[list[Path], list[str]]:
    """The quiz in every export format, as safeguarding-quiz.<ext> in a folder of its own, and a
    sentence for each file that cannot hold every item, so no count surprises."""
    folder = EXPORTS_DIR / hashlib.sha256(quiz.id.encode()).hexdigest()[:20]
    folder.mkdir(parents=True, exist_ok=True)
    paths, notes = [], []
    for fmt in FORMATS:
        exported = export_quiz(quiz, fmt)
        path = folder / f"{FILE_STEM}.{EXTENSIONS[fmt]}"
        path.write_text(exported.text, encoding="utf-8")
        paths.append(path)
        if exported.left_out:
            notes.append(f"The .{EXTENSIONS[fmt]} file ({fmt}) holds {exported.summary()}.")
    return paths, notes


def generate_quiz(
    settings: Settings,
    topic: str,
    theme_id: str,
    report_ids: list[str] | None,
    n: float | None,
    kinds: list[str] | None,
) -> tuple[Any, ...]:
    """Make the quiz and its files, or say in one sentence why there is none."""
    try:
        request = quiz_request(topic, theme_id, report_ids or [], n, kinds or [])
        quiz = make_quiz(settings, request)
    except ValueError as exc:
        return fail(str(exc))
    except (SearchError, ChromaUnavailable) as exc:
        return fail(f"No quiz: {exc}.")
    paths, notes = export_files(quiz)
    files = [str(p) for p in paths]
    done = f"Made {questions(len(quiz.items))}. Download them below, or check them in the preview."
    return (
        f'<p class="sg-done" role="status">{escape(" ".join([done, *notes]))}</p>',
        gr.update(value=files, visible=True),
        quiz_html(quiz),
    )


def fail(message: str) -> tuple[Any, ...]:
    return status_html(message), gr.update(value=None, visible=False), EMPTY
