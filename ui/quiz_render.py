"""HTML for the Quiz tab's preview: each item as a learner sees it, the answer behind a
details/summary. Pure functions of a Quiz, so they are tested without a browser; all text escaped.
"""

from __future__ import annotations

from html import escape

from assistant.quiz.models import KIND_NAMES, Quiz, QuizItem
from ui.render import where

LETTERS = "ABCDEFGHIJ"


def subject(quiz: Quiz) -> str:
    """What the quiz is about, as the preview's heading names it."""
    request = quiz.request
    return request.topic or request.theme or ", ".join(request.report_ids)


def questions(count: int) -> str:
    return f"{count} question{'s' if count != 1 else ''}"


def options_html(item: QuizItem) -> str:
    """The choices in display order (lettered), or where to write a cloze answer."""
    if not item.options:
        return '<div class="sg-quiz-hint">Write the missing word or words.</div>'
    rows = "".join(
        f'<li><span class="sg-quiz-letter">{LETTERS[i]}.</span> '
        f'<span class="sg-option">{escape(option)}</span></li>'
        for i, option in enumerate(item.options)
    )
    return f'<ol class="sg-options">{rows}</ol>'


def answer_html(item: QuizItem) -> str:
    """The right answer, with its letter when there are options, and the other spellings."""
    letter = "" if item.answer_index is None else f"{LETTERS[item.answer_index]}. "
    text = f'<p class="sg-quiz-answer"><strong>Answer:</strong> {escape(letter)}'
    text += f'<span class="sg-answer-text">{escape(item.answer)}</span></p>'
    others = item.accepted[1:]
    if others:
        text += f"<p><strong>Also accepted:</strong> {escape(', '.join(others))}</p>"
    return text


def source_html(item: QuizItem) -> str:
    """The cited passage: report, section, page and the quoted sentence."""
    c = item.citation
    place = where(c.report_title, c.section, c.pages_label)
    return (
        f'<p class="sg-quiz-source"><strong>Source:</strong> {escape(place)}</p>'
        f'<blockquote class="sg-passage">{escape(c.quote)}</blockquote>'
    )


def item_html(n: int, item: QuizItem) -> str:
    """One question: kind and difficulty, stem, options, and the reveal."""
    kind = KIND_NAMES[item.kind].capitalize()
    return (
        f'<li class="sg-quiz-item" data-kind="{escape(item.kind)}" data-id="{escape(item.id)}">'
        f'<h3 class="sg-quiz-q"><span class="sg-visually-hidden">Question {n}: </span>'
        f'<span class="sg-stem">{escape(item.stem)}</span></h3>'
        f'<p class="sg-quiz-kind">{escape(kind)} · {escape(item.difficulty_label)}</p>'
        f"{options_html(item)}"
        f'<details class="sg-reveal"><summary>Show the answer and source'
        f'<span class="sg-visually-hidden"> for question {n}</span></summary>'
        f'{answer_html(item)}<p class="sg-feedback"><strong>Feedback:</strong> '
        f"{escape(item.feedback_correct)}</p>"
        f"{source_html(item)}</details></li>"
    )


def quiz_html(quiz: Quiz) -> str:
    """The whole preview: a heading, the briefings notice and warnings, then the items."""
    heading = f"{questions(len(quiz.items))} about “{subject(quiz)}”"
    notes = [quiz.notice, *quiz.warnings]
    notes_html = "".join(
        f'<p class="sg-notice">{escape(n[:1].upper() + n[1:])}</p>' for n in notes if n
    )
    items = "".join(item_html(n, item) for n, item in enumerate(quiz.items, start=1))
    return (
        '<section class="sg-quiz" aria-labelledby="sg-quiz-h">'
        f'<h2 id="sg-quiz-h">{escape(heading)}</h2>{notes_html}'
        f'<ol class="sg-quiz-items">{items}</ol></section>'
    )
