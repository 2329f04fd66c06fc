"""Quiz exports for learning platforms: Moodle GIFT, Aiken, Moodle XML, CSV and JSON.

Each format escapes its own special characters, and every format that has feedback carries the
citation (report, section, page and the quoted passage) in it.
"""

from __future__ import annotations

import csv
import html
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from assistant.quiz.models import KIND_NAMES, Quiz, QuizItem
from assistant.wording import counted

ExportFormat = Literal["gift", "aiken", "moodlexml", "csv", "json"]
FORMATS: tuple[ExportFormat, ...] = ("gift", "aiken", "moodlexml", "csv", "json")
MEDIA_TYPES = {
    "gift": "text/plain; charset=utf-8",
    "aiken": "text/plain; charset=utf-8",
    "moodlexml": "application/xml; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}
EXTENSIONS = {"gift": "gift", "aiken": "txt", "moodlexml": "xml", "csv": "csv", "json": "json"}
LETTERS = "ABCDEFGHIJ"
GIFT_SPECIAL = re.compile(r"([\\~=#{}:])")
CSV_COLUMNS = [
    "id",
    "kind",
    "stem",
    "option_a",
    "option_b",
    "option_c",
    "option_d",
    "answer",
    "answer_letter",
    "accepted",
    "feedback_correct",
    "feedback_incorrect",
    "report_id",
    "report_title",
    "section",
    "page_start",
    "page_end",
    "quote",
    "passage_id",
    "difficulty",
    "difficulty_label",
    "tags",
]


class UnknownFormat(ValueError):
    """The export format is not one of FORMATS."""


# What a format cannot hold, and why: the count a trainer is told stays honest.
HOLDS: dict[str, tuple[frozenset[str], str]] = {
    "aiken": (frozenset({"mcq", "tf", "report"}), "Aiken holds multiple choice only"),
}


@dataclass(frozen=True)
class Export:
    """A quiz in one format: the file's text, how many items it holds and which it left out."""

    text: str
    written: int
    left_out: dict[str, int] = field(default_factory=dict)  # kind -> items the format can't hold
    why: str = ""

    def summary(self) -> str:
        """'4 items; 1 fill in the blank item left out: Aiken holds multiple choice only'."""
        wrote = counted(self.written, "item")
        if not self.left_out:
            return wrote
        out = ", ".join(counted(n, f"{KIND_NAMES[k]} item") for k, n in self.left_out.items())
        return f"{wrote}; {out} left out: {self.why}"


def held(quiz: Quiz, fmt: str) -> list[QuizItem]:
    """The items `fmt` can hold."""
    kinds = HOLDS.get(fmt, (None, ""))[0]
    return [i for i in quiz.items if kinds is None or i.kind in kinds]


def source_of(item: QuizItem) -> str:
    """'Source: Title, Section, p. 12: “quote”', the citation as feedback text."""
    where = item.citation.reference().split("] ", 1)[1]
    return f"Source: {where}: “{item.citation.quote}”"


def one_line(text: str) -> str:
    return " ".join(text.split())


def item_name(n: int, item: QuizItem) -> str:
    return f"Q{n:02d} {item.kind} {item.citation.report_id} {item.id}"


# -- GIFT -------------------------------------------------------------------------------------


def gift_escape(text: str) -> str:
    """Backslash before each of GIFT's control characters: \\ ~ = # { } :"""
    return GIFT_SPECIAL.sub(r"\\\1", one_line(text))


def gift_text(text: str) -> str:
    """Text for an [html] GIFT question: HTML-escaped (so "<" shows as typed), then GIFT-escaped."""
    return gift_escape(html.escape(text, quote=False))


def gift_answers(item: QuizItem) -> list[str]:
    if item.kind == "tf":
        truth = "TRUE" if item.answer == "True" else "FALSE"
        return [f"{truth}#{gift_text(item.feedback_incorrect)}#{gift_text(item.feedback_correct)}"]
    if item.kind == "cloze":
        feedback = gift_text(item.feedback_correct)
        return [f"={gift_text(a)}#{feedback}" for a in item.accepted or [item.answer]]
    return [
        f"={gift_text(o)}#{gift_text(item.feedback_correct)}"
        if i == item.answer_index
        else f"~{gift_text(o)}#{gift_text(item.feedback_incorrect)}"
        for i, o in enumerate(item.options)
    ]


def to_gift(quiz: Quiz) -> str:
    lines = [f"// Safeguarding quiz {quiz.id}", f"// Index build {quiz.build_id}"]
    lines += [f"// {one_line(quiz.notice)}"] if quiz.notice else []
    for n, item in enumerate(quiz.items, start=1):
        lines.append("")
        lines.append(f"// {item.kind}, {item.difficulty_label}; tags: {', '.join(item.tags)}")
        lines.append(f"::{gift_escape(item_name(n, item))}::[html]{gift_text(item.stem)} {{")
        lines += [f"\t{answer}" for answer in gift_answers(item)]
        lines.append(f"\t####{gift_text(source_of(item))}")
        lines.append("}")
    return "\n".join(lines) + "\n"


# -- Aiken ------------------------------------------------------------------------------------


def to_aiken(quiz: Quiz) -> str:
    """Aiken holds single-answer multiple choice only: cloze items are left out (HOLDS)."""
    blocks = []
    for item in held(quiz, "aiken"):
        assert item.answer_index is not None  # every kind Aiken holds has options
        stem = one_line(item.stem)
        if re.match(r"^[A-Z][.)]\s", stem):  # would read as an option line
            stem = f"Question: {stem}"
        rows = [stem]
        rows += [f"{LETTERS[i]}. {one_line(o)}" for i, o in enumerate(item.options)]
        rows.append(f"ANSWER: {LETTERS[item.answer_index]}")
        blocks.append("\n".join(rows))
    return "\n\n".join(blocks) + "\n"


# -- Moodle XML -------------------------------------------------------------------------------


def html_text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    """<tag format="html"><text>…</text></tag>, the plain text escaped as HTML."""
    element = ET.SubElement(parent, tag, format="html")
    ET.SubElement(element, "text").text = html.escape(one_line(text), quote=False)
    return element


def plain(parent: ET.Element, tag: str, text: str) -> None:
    ET.SubElement(parent, tag).text = text


def xml_answer(question: ET.Element, text: str, fraction: int, feedback: str) -> None:
    answer = ET.SubElement(question, "answer", fraction=str(fraction), format="html")
    ET.SubElement(answer, "text").text = html.escape(text, quote=False)
    html_text(answer, "feedback", feedback)


XML_TYPES = {
    "mcq": "multichoice",
    "report": "multichoice",
    "tf": "truefalse",
    "cloze": "shortanswer",
}


def xml_question(quiz_el: ET.Element, n: int, item: QuizItem) -> None:
    question = ET.SubElement(quiz_el, "question", type=XML_TYPES[item.kind])
    name = ET.SubElement(question, "name")
    plain(name, "text", item_name(n, item))
    html_text(question, "questiontext", item.stem)
    html_text(question, "generalfeedback", source_of(item))
    plain(question, "defaultgrade", "1")
    plain(question, "penalty", "0.3333333" if item.kind != "tf" else "1")
    plain(question, "hidden", "0")
    plain(question, "idnumber", item.id)
    if item.kind == "tf":
        for value in ("true", "false"):
            right = (value == "true") == (item.answer == "True")
            feedback = item.feedback_correct if right else item.feedback_incorrect
            xml_answer(question, value, 100 if right else 0, feedback)
    elif item.kind == "cloze":
        plain(question, "usecase", "0")
        for accepted in item.accepted or [item.answer]:
            xml_answer(question, accepted, 100, item.feedback_correct)
    else:
        plain(question, "single", "true")
        plain(question, "shuffleanswers", "false")  # positions are balanced on purpose
        plain(question, "answernumbering", "abc")
        html_text(question, "correctfeedback", item.feedback_correct)
        html_text(question, "partiallycorrectfeedback", item.feedback_incorrect)
        html_text(question, "incorrectfeedback", item.feedback_incorrect)
        for i, option in enumerate(item.options):
            right = i == item.answer_index
            feedback = item.feedback_correct if right else item.feedback_incorrect
            xml_answer(question, option, 100 if right else 0, feedback)
    tags = ET.SubElement(question, "tags")
    for tag in item.tags:
        plain(ET.SubElement(tags, "tag"), "text", tag)


def to_moodle_xml(quiz: Quiz) -> str:
    root = ET.Element("quiz")
    category = ET.SubElement(root, "question", type="category")
    plain(ET.SubElement(category, "category"), "text", "$course$/top/Safeguarding reports quiz")
    for n, item in enumerate(quiz.items, start=1):
        xml_question(root, n, item)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


# -- CSV and JSON -----------------------------------------------------------------------------


def csv_row(item: QuizItem) -> dict[str, object]:
    options = item.options + [""] * (4 - len(item.options))
    c = item.citation
    return {
        "id": item.id,
        "kind": item.kind,
        "stem": item.stem,
        **{f"option_{x}": options[i] for i, x in enumerate("abcd")},
        "answer": item.answer,
        "answer_letter": "" if item.answer_index is None else LETTERS[item.answer_index],
        "accepted": " | ".join(item.accepted),
        "feedback_correct": item.feedback_correct,
        "feedback_incorrect": item.feedback_incorrect,
        "report_id": c.report_id,
        "report_title": c.report_title,
        "section": c.section,
        "page_start": c.page_start,
        "page_end": c.page_end,
        "quote": c.quote,
        "passage_id": c.passage_id,
        "difficulty": item.difficulty,
        "difficulty_label": item.difficulty_label,
        "tags": " | ".join(item.tags),
    }


def to_csv(quiz: Quiz) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    writer.writerows(csv_row(item) for item in quiz.items)
    return out.getvalue()


def to_json(quiz: Quiz) -> str:
    return quiz.model_dump_json(indent=2) + "\n"


EXPORTERS: dict[str, Callable[[Quiz], str]] = {
    "gift": to_gift,
    "aiken": to_aiken,
    "moodlexml": to_moodle_xml,
    "csv": to_csv,
    "json": to_json,
}


def export_quiz(quiz: Quiz, fmt: str) -> Export:
    """The quiz in `fmt` with what it holds, or UnknownFormat naming the formats there are."""
    if fmt not in EXPORTERS:
        raise UnknownFormat(f"unknown export format {fmt!r}; use one of: {', '.join(FORMATS)}")
    kept = held(quiz, fmt)
    left: dict[str, int] = {}
    for item in quiz.items:
        if item not in kept:
            left[item.kind] = left.get(item.kind, 0) + 1
    why = HOLDS[fmt][1] if left else ""
    return Export(EXPORTERS[fmt](quiz), len(kept), left, why)
