"""The Quiz tab without a browser: the preview's HTML (escaped, answers behind details) and the
form's checks, which must give a sentence, not a stack trace."""

from __future__ import annotations

import re
from html import unescape

import pytest

from tests.assistant.quiz_samples import sample_quiz
from ui.quiz_render import quiz_html
from ui.quiz_tab import quiz_request

ALL = ["mcq", "tf", "cloze", "report"]


def test_preview_escapes_every_text_and_keeps_it_readable():
    quiz = sample_quiz()
    page = quiz_html(quiz)
    assert "<i>" not in page and "&lt;i&gt;&amp;amp;" in page
    stems = re.findall(r'<span class="sg-stem">(.*?)</span>', page)
    assert [unescape(s) for s in stems] == [i.stem for i in quiz.items]
    assert "&lt;triennial&gt;" in page and "p. 54" in page


def test_each_answer_and_its_source_sit_behind_a_summary():
    quiz = sample_quiz()
    page = quiz_html(quiz)
    reveals = re.findall(r'<details class="sg-reveal">(.*?)</details>', page)
    assert len(reveals) == len(quiz.items)
    for item, reveal in zip(quiz.items, reveals, strict=True):
        assert reveal.startswith("<summary>Show the answer and source")
        assert unescape(re.findall(r'class="sg-answer-text">(.*?)</span>', reveal)[0]) == (
            item.answer
        )
        assert escape_free(item.citation.quote) in escape_free(unescape(reveal))
    cloze = reveals[[i.kind for i in quiz.items].index("cloze")]
    assert "Also accepted:</strong> 75 per cent, 75" in cloze


def escape_free(text: str) -> str:
    return " ".join(text.split())


def test_request_from_a_theme_uses_its_name_as_the_topic():
    request = quiz_request("", "criminal-exploitation", [], 5, ["mcq"])
    assert request.topic == "Criminal exploitation" and request.n == 5
    assert request.kinds == ["mcq"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("neglect", "babies", [], 5, ALL), "Type a topic or choose a theme, not both."),
        (("", "", [], 5, ALL), "Type a topic, choose a theme, or choose at least one report."),
        (("neglect", "", [], 5, []), "Choose at least one kind of question."),
        (("neglect", "", [], 0, ALL), "between 1 and 100"),
        (("neglect", "", [], 101, ALL), "between 1 and 100"),
        (("neglect", "", [], None, ALL), "between 1 and 100"),
        (("neglect " * 40, "", [], 5, ALL), "The quiz cannot be made: the topic is"),
    ],
)
def test_bad_form_input_gets_one_sentence(args, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        quiz_request(*args)
