"""Quiz exports read back field by field: GIFT (with Moodle's escaping rules), Moodle XML,
Aiken, CSV and JSON; special characters survive every format."""

from __future__ import annotations

import csv
import html
import io
import xml.etree.ElementTree as ET

import pytest

from assistant.quiz.export import FORMATS, UnknownFormat, export_quiz, gift_escape
from assistant.quiz.models import Quiz
from tests.assistant.gift_parser import parse_gift
from tests.assistant.quiz_samples import NASTY, sample_quiz


@pytest.fixture
def quiz() -> Quiz:
    return sample_quiz()


def test_gift_escape_covers_every_control_character():
    assert gift_escape("~=#{}:\\") == "\\~\\=\\#\\{\\}\\:\\\\"
    assert gift_escape("two\nlines") == "two lines"


def test_gift_round_trip_keeps_every_field(quiz):
    parsed = parse_gift(export_quiz(quiz, "gift").text)
    assert len(parsed) == len(quiz.items)
    for item, q in zip(quiz.items, parsed, strict=True):
        assert q["stem"] == item.stem and q["html"]
        assert item.id in str(q["name"])
        assert item.citation.quote in str(q["general_feedback"])
        assert "p. 54" in str(q["general_feedback"])
        if item.kind == "tf":
            assert q["type"] == "truefalse"
            assert q["answer"] == (item.answer == "True")
            assert q["right"] == item.feedback_correct
            assert q["wrong"] == item.feedback_incorrect
        elif item.kind == "cloze":
            assert q["type"] == "shortanswer"
            assert q["accepted"] == item.accepted
        else:
            assert q["type"] == "multichoice"
            assert q["options"] == item.options
            assert q["correct"] == [item.answer_index]
            for i, feedback in enumerate(q["feedback"]):  # type: ignore[arg-type]
                right = i == item.answer_index
                assert feedback == (item.feedback_correct if right else item.feedback_incorrect)


def test_gift_special_characters_are_escaped_not_raw(quiz):
    text = export_quiz(quiz, "gift").text
    assert "&lt;i&gt;&amp;amp;" in text  # HTML questions: "<i>&amp;" shows as typed
    question_lines = [line for line in text.splitlines() if line.startswith("::")]
    for line in question_lines:
        body = line.split("::", 2)[2].rstrip(" {")
        assert "{" not in body.replace("\\{", "")
        assert "~" not in body.replace("\\~", "")


def xml_text(element: ET.Element | None) -> str:
    assert element is not None
    text = element.findtext("text")
    assert text is not None
    return html.unescape(text)


def test_moodle_xml_is_well_formed_with_what_the_importer_reads(quiz):
    root = ET.fromstring(export_quiz(quiz, "moodlexml").text)
    assert root.tag == "quiz"
    questions = [q for q in root.findall("question") if q.get("type") != "category"]
    assert [q.get("type") for q in questions] == [
        "multichoice",
        "truefalse",
        "truefalse",
        "shortanswer",
        "multichoice",
    ]
    for question, item in zip(questions, quiz.items, strict=True):
        assert item.id in (question.findtext("name/text") or "")
        assert question.find("questiontext").get("format") == "html"  # type: ignore[union-attr]
        assert xml_text(question.find("questiontext")) == item.stem
        assert item.citation.quote in xml_text(question.find("generalfeedback"))
        answers = question.findall("answer")
        texts = [html.unescape(a.findtext("text") or "") for a in answers]
        fractions = [a.get("fraction") for a in answers]
        feedback = [xml_text(a.find("feedback")) for a in answers]
        assert [t.text for t in question.findall("tags/tag/text")] == item.tags
        if item.kind == "tf":
            assert texts == ["true", "false"]
            assert fractions[texts.index(item.answer.lower())] == "100"
            assert feedback[texts.index(item.answer.lower())] == item.feedback_correct
        elif item.kind == "cloze":
            assert texts == item.accepted and set(fractions) == {"100"}
        else:
            assert texts == item.options
            assert fractions.count("100") == 1
            assert fractions.index("100") == item.answer_index
            assert question.findtext("single") == "true"
            assert question.findtext("answernumbering") == "abc"
            assert question.findtext("shuffleanswers") is not None
            assert feedback[item.answer_index] == item.feedback_correct  # type: ignore[index]


def test_aiken_has_options_and_answer_letter_and_leaves_out_cloze(quiz):
    blocks = export_quiz(quiz, "aiken").text.strip().split("\n\n")
    with_options = [i for i in quiz.items if i.options]
    assert len(blocks) == len(with_options)
    for block, item in zip(blocks, with_options, strict=True):
        lines = block.splitlines()
        assert lines[0] == item.stem
        assert [line[3:] for line in lines[1:-1]] == item.options
        assert lines[-1] == f"ANSWER: {'ABCD'[item.answer_index]}"  # type: ignore[index]


def test_csv_round_trip(quiz):
    rows = list(csv.DictReader(io.StringIO(export_quiz(quiz, "csv").text)))
    assert len(rows) == len(quiz.items)
    for row, item in zip(rows, quiz.items, strict=True):
        assert row["stem"] == item.stem
        assert [row[f"option_{x}"] for x in "abcd"][: len(item.options)] == item.options
        assert row["answer"] == item.answer
        assert row["quote"] == item.citation.quote
        assert row["section"] == item.citation.section
        assert row["page_start"] == "54"
        assert row["feedback_incorrect"] == item.feedback_incorrect
        assert NASTY in row["feedback_correct"]


def test_json_round_trip(quiz):
    assert Quiz.model_validate_json(export_quiz(quiz, "json").text) == quiz


def test_unknown_format_names_the_known_ones(quiz):
    with pytest.raises(UnknownFormat, match="use one of: gift, aiken, moodlexml, csv, json"):
        export_quiz(quiz, "docx")
    assert set(FORMATS) == {"gift", "aiken", "moodlexml", "csv", "json"}


def test_every_export_counts_what_it_holds_and_names_what_it_leaves_out(quiz):
    cloze = sum(i.kind == "cloze" for i in quiz.items)
    assert cloze, "the fixture quiz should hold a cloze item"
    for fmt in ("gift", "moodlexml", "csv", "json"):
        exported = export_quiz(quiz, fmt)
        assert exported.written == len(quiz.items) and not exported.left_out
        assert exported.summary() == f"{len(quiz.items)} items"
    aiken = export_quiz(quiz, "aiken")
    assert aiken.written == len(quiz.items) - cloze == len(aiken.text.strip().split("\n\n"))
    assert aiken.left_out == {"cloze": cloze}
    noun = "item" if cloze == 1 else "items"
    assert aiken.summary() == (
        f"{aiken.written} items; {cloze} fill in the blank {noun} left out:"
        " Aiken holds multiple choice only"
    )
