"""A small GIFT reader for the round-trip tests, following Moodle's own importer
(question/format/gift/format.php): escaped characters become placeholders before parsing."""

from __future__ import annotations

import html
import re

ESCAPES = {"\\:": "\x01", "\\#": "\x02", "\\=": "\x03", "\\{": "\x04", "\\}": "\x05", "\\~": "\x06"}
RESTORE = {
    "\x01": ":",
    "\x02": "#",
    "\x03": "=",
    "\x04": "{",
    "\x05": "}",
    "\x06": "~",
    "\x07": "\\",
}


def protect(text: str) -> str:
    text = text.replace("\\\\", "\x07")
    for escaped, placeholder in ESCAPES.items():
        text = text.replace(escaped, placeholder)
    return text.replace("\\n", "\n")


def restore(text: str, as_html: bool = False) -> str:
    for placeholder, char in RESTORE.items():
        text = text.replace(placeholder, char)
    return (html.unescape(text) if as_html else text).strip()


def split_feedback(piece: str, as_html: bool) -> tuple[str, str]:
    text, _, feedback = piece.partition("#")
    return restore(text, as_html), restore(feedback, as_html)


def parse_question(body: str) -> dict[str, object]:
    assert body.startswith("::"), body[:40]
    name, rest = body[2:].split("::", 1)
    start, end = rest.index("{"), rest.index("}")
    assert rest[end + 1 :].strip() == "", "text after the answer block"
    answers = rest[start + 1 : end].strip()
    general = ""
    if "####" in answers:
        answers, general = answers.rsplit("####", 1)
    answers = answers.strip()
    stem = rest[:start].strip()
    as_html = stem.startswith("[html]")  # the format applies to answers and feedback too
    stem = stem.removeprefix("[html]")
    question: dict[str, object] = {
        "name": restore(name),
        "stem": restore(stem, as_html),
        "general_feedback": restore(general, as_html),
        "html": as_html,
    }
    head = answers.split("#", 1)[0].strip()
    if head in ("TRUE", "FALSE", "T", "F"):
        _, wrong, right = (answers.split("#", 2) + ["", ""])[:3]
        question.update(
            type="truefalse",
            answer=head.startswith("T"),
            wrong=restore(wrong, as_html),
            right=restore(right, as_html),
        )
    elif "~" in answers:
        marks = re.findall(r"([=~])([^=~]*)", answers)
        options = [split_feedback(piece, as_html) for _, piece in marks]
        question.update(
            type="multichoice",
            options=[o for o, _ in options],
            feedback=[f for _, f in options],
            correct=[i for i, (mark, _) in enumerate(marks) if mark == "="],
        )
    else:
        accepted = [split_feedback(p, as_html) for p in re.findall(r"=([^=]*)", answers)]
        question.update(
            type="shortanswer",
            accepted=[a for a, _ in accepted],
            feedback=[f for _, f in accepted],
        )
    return question


def parse_gift(text: str) -> list[dict[str, object]]:
    """Questions in file order; comment lines are dropped as Moodle drops them."""
    questions = []
    for block in re.split(r"\n\s*\n", text):
        lines = [line for line in block.splitlines() if not line.strip().startswith("//")]
        body = protect("\n".join(lines)).strip()
        if body:
            questions.append(parse_question(body))
    return questions
