"""Runs replay conversations: a follow-up gets the answers the run gave to its earlier turns."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.feedback import CitedPassage, Rating
from assistant.followup import Turn
from eval import questions as qmod
from eval.questions import (
    PLACEHOLDER,
    SETS_DIR,
    EvalError,
    Question,
    dump_questions,
    feedback_drafts,
    load_questions,
    replay,
    set_path,
)


def question(history: list[Turn]) -> Question:
    return Question(
        id="t-1", question="and who?", kind="follow-up", answerable=True, history=history
    )


def test_a_follow_up_gets_the_answer_the_run_gave_to_its_earlier_turn() -> None:
    replayed = replay(question([Turn(question="Who led it?")]), {"Who led it?": "Dale Simon. [1]"})
    assert [t.answer for t in replayed.history] == ["Dale Simon. [1]"]


def test_written_answers_and_unasked_turns_are_kept() -> None:
    history = [Turn(question="Who led it?", answer="as written"), Turn(question="When?")]
    replayed = replay(question(history), {"Who led it?": "given", "Other?": "x"})
    assert [t.answer for t in replayed.history] == ["as written", ""]


# -- evaluators' own files: CSV and JSON Lines ---------------------------------------------------

HEADER = "question,answerable,must_contain,reports"


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> str:
    with pytest.raises(EvalError) as caught:
        load_questions(path)
    return str(caught.value)


def test_a_spreadsheet_csv_loads_with_bom_pipes_yes_no_blank_rows_and_trailing_columns(tmp_path):
    text = (
        "\ufeffQuestion, Answerable ,Must contain,reports,history,,\r\n"
        "Who led the review?,YES,Dale Simon | CBE ,hard-to-escape|common-themes,,,\r\n"
        "\r\n"
        ",,,,,,\r\n"
        "and who else?,1,Mark Gurrey,,Who led the review? | Who chaired it?,,\r\n"
        '"School dinners, in Scotland?",no,,,,,\r\n'
        "Is it True?,False,,,,,\r\n"
    )
    loaded = load_questions(write(tmp_path, "mine.csv", text))
    assert [q.id for q in loaded] == ["row-2", "row-5", "row-6", "row-7"]
    first, follow_up, dinners, false = loaded
    assert first.answerable and first.kind == "factual"
    assert first.must_contain == ["Dale Simon", "CBE"]
    assert first.reports == ["hard-to-escape", "common-themes"]
    assert follow_up.kind == "follow-up" and follow_up.answerable
    assert [(t.question, t.answer) for t in follow_up.history] == [
        ("Who led the review?", ""),
        ("Who chaired it?", ""),
    ]
    assert dinners.question == "School dinners, in Scotland?"
    assert (dinners.answerable, dinners.kind) == (False, "unanswerable")
    assert false.answerable is False


def test_json_lines_need_only_a_question_and_whether_it_is_answerable(tmp_path):
    lines = [
        {"question": "Who led it?", "answerable": "yes", "must_contain": "A | B"},
        {"question": "and then?", "answerable": True, "history": ["Who led it?"], "id": "own"},
    ]
    path = write(tmp_path, "mine.jsonl", "\n\n".join(json.dumps(x) for x in lines) + "\n")
    first, second = load_questions(path)
    assert (first.id, first.kind, first.must_contain) == ("row-1", "factual", ["A", "B"])
    assert (second.id, second.kind, second.history[0].question) == (
        "own",
        "follow-up",
        "Who led it?",
    )


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (
            "question,answerable,must_contain,reports,colour\nWhy?,yes,,,red\n",
            "row 1: unknown column 'colour'; the columns are id, question,",
        ),
        (
            "question,answerable,reports\nWhy?,yes,\n",
            "row 1: no 'must_contain' column; add it to the header row",
        ),
        (f"{HEADER}\nWhy?,yes,,\n  ,yes,,\n", "row 3: the question is empty"),
        (f"{HEADER}\nWhy?,maybe,,\n", "row 2: answerable is 'maybe'; write yes or no"),
        (f"{HEADER}\nWhy?,,,\n", "row 2: answerable is empty; write yes or no"),
        (f"{HEADER}\n\nWhy?,yes,,triennial\n", "row 3: unknown report id 'triennial'; the ids are"),
        (
            f"id,{HEADER}\na,Why?,yes,,\nb,How?,yes,,\na,When?,no,,\n",
            "row 4: the id 'a' is already used on row 2",
        ),
        (f"{HEADER}\n{PLACEHOLDER},yes,,\n", "row 2: the question is still the placeholder"),
        (f"{HEADER}\nWhy?,yes,,,surplus\n", "row 2: a value in column 5, which has no heading"),
        (f"kind,{HEADER}\nfact,Why?,yes,,\n", "row 2: kind is 'fact'; use one of factual"),
        (
            f"kind,{HEADER}\nunanswerable,Why?,yes,,\n",
            "row 2: kind is 'unanswerable' but answerable is yes",
        ),
    ],
)
def test_each_csv_problem_is_named_with_its_spreadsheet_row(tmp_path, text, says):
    message = problems(write(tmp_path, "mine.csv", text))
    assert message.startswith(f"{tmp_path / 'mine.csv'}: 1 problem; fix and load it again:")
    assert says in message


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("{not json}", "line 2: not valid JSON (Expecting property name"),
        ('["a list"]', "line 2: not a JSON object"),
        (
            '{"question": "Why?", "answerable": true, "must_contain": [], "reports": [], "x": 1}',
            "line 2: unknown field 'x'; the fields are id, question,",
        ),
        ('{"answerable": true}', "line 2: the question is missing"),
        ('{"question": "Why?"}', "line 2: answerable is missing; write yes or no"),
        (
            '{"question": "Why?", "answerable": "sometimes", "must_contain": [], "reports": []}',
            "line 2: answerable is 'sometimes'",
        ),
        (
            '{"question": "Why?", "answerable": true, "must_contain": [3], "reports": []}',
            "line 2: must_contain must be a list of strings",
        ),
    ],
)
def test_each_json_lines_problem_is_named_with_its_line(tmp_path, line, says):
    good = '{"question": "How?", "answerable": true, "must_contain": [], "reports": []}'
    assert says in problems(write(tmp_path, "mine.jsonl", f"{good}\n{line}\n"))


def test_every_problem_is_listed_at_once_in_file_order(tmp_path):
    rows = ["Why?,perhaps,,", ",yes,,", "How?,yes,,nowhere", "Fine?,yes,,"]
    message = problems(write(tmp_path, "mine.csv", HEADER + "\n" + "\n".join(rows) + "\n"))
    lines = message.splitlines()
    assert lines[0].endswith("mine.csv: 3 problems; fix and load it again:")
    assert [line.split(":")[0].strip() for line in lines[1:]] == ["row 2", "row 3", "row 4"]


def test_at_most_twenty_problems_are_listed_and_the_rest_counted(tmp_path):
    path = write(tmp_path, "mine.csv", HEADER + "\n" + ",yes,,\n" * 25)
    lines = problems(path).splitlines()
    assert lines[0].endswith("25 problems; fix and load it again:")
    assert len(lines) == 1 + 20 + 1 and lines[-1] == "  ... and 5 more"


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("empty.csv", "\ufeff \n\n", "the file is empty; it needs a header row"),
        ("empty.jsonl", "", "the file is empty; it needs one JSON object per line"),
        ("header.csv", HEADER + "\n", "no questions; it needs a header row"),
        ("book.csv", b"PK\x03\x04\x14\x00\x06\x00", "this is a binary file"),
        ("nul.jsonl", b'{"question": "a\x00"}\n', "this is a binary file"),
        (
            "latin.csv",
            (HEADER + "\nCaf\xe9?,yes,,\n").encode("latin-1"),
            "line 2 is not UTF-8 text; save the file as 'CSV UTF-8'",
        ),
        ("sheet.xlsx", b"anything", "cannot read a .xlsx file as questions"),
        ("gone.csv", None, "cannot read the question file"),
    ],
)
def test_unusable_files_get_one_line_saying_what_to_do(tmp_path, name, content, says):
    path = tmp_path / name if content is None else write(tmp_path, name, content)
    message = problems(path)
    assert message.startswith(f"{path}: ") and says in message and "\n" not in message


def test_too_large_files_are_refused_before_reading(tmp_path, monkeypatch):
    path = write(tmp_path, "big.csv", HEADER + "\n" + "Why?,yes,,\n" * 30)
    monkeypatch.setattr(qmod, "MAX_BYTES", 100)
    assert problems(path).startswith(f"{path}: the file is 0.0 MB; the limit is")
    monkeypatch.setattr(qmod, "MAX_BYTES", 10_000)
    monkeypatch.setattr(qmod, "MAX_QUESTIONS", 20)
    assert "30 questions; the limit is 20 (split the file)" in problems(path)


def test_the_templates_load_the_same_questions_from_csv_and_json_lines():
    from_csv = load_questions(SETS_DIR / "template.csv")
    from_jsonl = load_questions(SETS_DIR / "template.jsonl")
    fields = {"id", "question", "kind", "answerable", "must_contain", "reports", "history"}
    assert [q.model_dump(include=fields) for q in from_csv] == [
        q.model_dump(include=fields) for q in from_jsonl
    ]
    assert {q.kind for q in from_csv} == {"factual", "follow-up", "unanswerable"}
    assert any(len(q.must_contain) > 1 for q in from_csv) and any(q.history for q in from_csv)
    assert set_path(str(SETS_DIR / "template.csv")) == SETS_DIR / "template.csv"
    assert set_path("dev") == SETS_DIR / "dev.jsonl"


# -- drafts from thumbs-down ratings ------------------------------------------------------------


def rating(question: str | None) -> Rating:
    cited = [CitedPassage(passage_id="p-7", report_id="hard-to-escape", quote="Dale Simon led it.")]
    return Rating(
        id=7,
        at="2026-11-26T10:00:00+00:00",
        rating="down",
        mode="extractive",
        refused=False,
        report_ids=[],
        question=question,
        cited=cited,
    )


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_a_draft_without_its_question_is_refused_until_a_person_writes_it(tmp_path, fmt):
    text = dump_questions(feedback_drafts([rating(None)]), fmt)
    assert "[1] hard-to-escape (p-7): “Dale Simon led it.”" in text  # no escaping needed
    path = write(tmp_path, f"drafts.{fmt}", text)
    where = "row 2" if fmt == "csv" else "line 1"
    assert f"{where}: the question is still the placeholder" in problems(path)
    path.write_text(text.replace(PLACEHOLDER, "Who led the review?"), encoding="utf-8")
    [question] = load_questions(path)
    assert (question.id, question.question, question.answerable) == (
        "feedback-7",
        "Who led the review?",
        True,
    )
    assert question.must_contain == [] and "Dale Simon led it." in question.notes


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_a_draft_with_its_stored_question_loads_as_it_is(tmp_path, fmt):
    path = write(tmp_path, f"drafts.{fmt}", dump_questions(feedback_drafts([rating("Why?")]), fmt))
    assert [q.question for q in load_questions(path)] == ["Why?"]
