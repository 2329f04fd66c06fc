"""Question sets: the project's eval/sets/*.jsonl and evaluators' own JSON Lines or CSV files,
loaded with every problem named by file and line, and written back in the same format."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

from pydantic import BaseModel, Field, ValidationError

from assistant.followup import Turn
from assistant.questions import QuestionError, clean_question

if TYPE_CHECKING:
    from assistant.feedback import Rating

SETS_DIR = Path(__file__).resolve().parent / "sets"
Kind = Literal["factual", "thematic", "cross-report", "follow-up", "unanswerable"]
KINDS: tuple[str, ...] = get_args(Kind)

PLACEHOLDER = "TODO: write the question this answer was given for"
SEPARATOR = "|"  # between several tokens in one CSV cell
COLUMNS = ("id", "question", "kind", "answerable", "must_contain", "reports", "history", "notes")
REQUIRED = ("question", "answerable", "must_contain", "reports")  # CSV header columns
LISTS = ("must_contain", "reports")
JSON_FIELDS = (*COLUMNS, "gold", "style")
YES = frozenset({"true", "yes", "y", "1"})
NO = frozenset({"false", "no", "n", "0"})
MAX_BYTES = 5_000_000
MAX_QUESTIONS = 5000
MAX_SHOWN = 20  # problems listed in one message; the rest are counted
IGNORED = "?"  # an unknown or repeated CSV column, reported once in the header
HOW = {
    "csv": "it needs a header row (question,answerable,must_contain,reports) and one row per"
    " question (see eval/sets/template.csv)",
    "jsonl": "it needs one JSON object per line (see eval/sets/template.jsonl)",
}
SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".json": "jsonl", ".ndjson": "jsonl"}


class EvalError(Exception):
    """A question file or run cannot be used; the message names the file and line."""


class Gold(BaseModel):
    report: str
    section: str = ""
    anchor: str = ""
    pages: list[int] | None = None


class Question(BaseModel):
    id: str
    question: str
    kind: Kind
    answerable: bool
    reports: list[str] = Field(default_factory=list)
    must_contain: list[str] = Field(default_factory=list)
    gold: list[Gold] = Field(default_factory=list)
    history: list[Turn] = Field(default_factory=list)
    style: str = ""  # blind batches: plain, conversation, practitioner or near-domain
    notes: str = ""  # free text for the people who keep the set; never scored


def replay(
    question: Question, given: dict[str, str], ask: Callable[[str], str] | None = None
) -> Question:
    """The question with each earlier turn's empty answer filled in with the answer this run gave
    to that turn's question, as the chat sends the answers it showed. An earlier turn the set
    does not ask on its own line is asked first (with `ask`), as a user would have."""
    for turn in question.history:
        if ask is not None and not turn.answer and turn.question not in given:
            given[turn.question] = ask(turn.question)
    history = [
        t
        if t.answer or t.question not in given
        else Turn(question=t.question, answer=given[t.question])
        for t in question.history
    ]
    return question.model_copy(update={"history": history})


# --- problems -----------------------------------------------------------------------------


@dataclass
class Problems:
    """Every problem found in one file, by line (JSON Lines) or spreadsheet row (CSV)."""

    path: Path
    unit: str  # "line" or "row"
    found: list[tuple[int, str]] = field(default_factory=list)

    def add(self, number: int, message: str) -> None:
        self.found.append((number, message))

    def raise_if_any(self) -> None:
        """EvalError listing up to MAX_SHOWN problems in file order, each with its number."""
        if not self.found:
            return
        count = len(self.found)
        lines = [f"{self.path}: {count} problem{'s' if count > 1 else ''}; fix and load it again:"]
        ordered = sorted(self.found, key=lambda item: item[0])
        lines += [f"  {self.unit} {n}: {message}" for n, message in ordered[:MAX_SHOWN]]
        if count > MAX_SHOWN:
            lines.append(f"  ... and {count - MAX_SHOWN} more")
        raise EvalError("\n".join(lines))


# --- reading ------------------------------------------------------------------------------


def load_questions(path: Path, report_ids: Collection[str] | None = None) -> list[Question]:
    """Every question in a JSON Lines (.jsonl, .json) or CSV (.csv) file; EvalError lists every
    problem (up to 20) with its line or spreadsheet row, so a file can be fixed in one go.
    `reports` must be among `report_ids` (default: the ids the corpus manifest names)."""
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise EvalError(
            f"{path}: cannot read a {path.suffix or 'suffix-less'} file as questions;"
            " save it as .csv (CSV UTF-8) or write JSON Lines (.jsonl)"
        )
    text = read_text(path, fmt)
    problems = Problems(path, "row" if fmt == "csv" else "line")
    records = csv_records(text, problems) if fmt == "csv" else jsonl_records(text, problems)
    if len(records) > MAX_QUESTIONS:
        raise EvalError(
            f"{path}: {len(records):,} questions; the limit is {MAX_QUESTIONS:,} (split the file)"
        )
    known = known_reports() if report_ids is None else report_ids
    questions = [
        q for number, fields in records if (q := to_question(number, fields, problems, known))
    ]
    check_unique_ids(records, problems)
    problems.raise_if_any()
    if not questions:
        raise EvalError(f"{path}: no questions; {HOW[fmt]}")
    return questions


def read_text(path: Path, fmt: str) -> str:
    """The file as text (a UTF-8 BOM dropped); EvalError for a file that is missing, too large,
    binary, not UTF-8 or empty."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise EvalError(
                f"{path}: the file is {size / 1e6:.1f} MB; the limit is {MAX_BYTES / 1e6:.0f} MB"
                f" ({MAX_QUESTIONS:,} questions): split it"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise EvalError(f"{path}: cannot read the question file ({exc.strerror or exc})") from exc
    if b"\x00" in data or data.startswith(b"PK\x03\x04"):
        raise EvalError(
            f"{path}: this is a binary file (a spreadsheet workbook?), not text;"
            " save it as CSV UTF-8 (.csv) or write JSON Lines (.jsonl)"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise EvalError(
            f"{path}: line {line} is not UTF-8 text; save the file as 'CSV UTF-8' (Excel) or"
            " re-encode it as UTF-8"
        ) from exc
    if not text.strip():
        raise EvalError(f"{path}: the file is empty; {HOW[fmt]}")
    return text


def jsonl_records(text: str, problems: Problems) -> list[tuple[int, dict[str, Any]]]:
    """(line number, fields) for every line that holds a JSON object; blank lines skipped."""
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.add(number, f"not valid JSON ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(value, dict):
            problems.add(number, "not a JSON object; write one {...} object per line")
            continue
        for name in value:
            if name not in JSON_FIELDS:
                problems.add(
                    number, f"unknown field {name!r}; the fields are {', '.join(JSON_FIELDS)}"
                )
        records.append((number, {k: v for k, v in value.items() if k in JSON_FIELDS}))
    return records


def csv_records(text: str, problems: Problems) -> list[tuple[int, dict[str, Any]]]:
    """(spreadsheet row, cells by column) for every non-empty row; the header is row 1."""
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter(text)))
    columns = csv_header(rows[0], problems)
    records = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # a blank line or a row of empty cells
        headless = [i for i, c in enumerate(row) if c.strip() and not heading(columns, i)]
        if headless:
            problems.add(
                number,
                f"a value in column {headless[0] + 1}, which has no heading;"
                " give the column a heading or clear it",
            )
        cells = {name: row[i].strip() for i, name in enumerate(columns) if i < len(row)}
        cells.pop(IGNORED, None)
        cells.pop("", None)
        records.append((number, csv_fields(cells)))
    return records


def heading(columns: list[str], index: int) -> bool:
    """Whether the column at `index` has a heading (an unknown one counts: it is reported once)."""
    return index < len(columns) and columns[index] != ""


def delimiter(text: str) -> str:
    """',' unless the header row is clearly split by ';' or tabs (some spreadsheet locales)."""
    header = text.split("\n", 1)[0]
    for candidate in (",", ";", "\t"):
        if candidate in header:
            return candidate
    return ","


def csv_header(header: list[str], problems: Problems) -> list[str]:
    """The column names in order ('' for an empty heading, IGNORED for an unknown or repeated
    one, reported here once); EvalError at once when a required column is missing, since no row
    could then be read."""
    columns: list[str] = []
    for title in header:
        name = "_".join(title.strip().lower().replace("-", " ").split())
        if name and name not in COLUMNS:
            problems.add(
                1, f"unknown column {title.strip()!r}; the columns are {', '.join(COLUMNS)}"
            )
            name = IGNORED
        elif name and name in columns:
            problems.add(1, f"the column {name!r} appears twice; keep one")
            name = IGNORED
        columns.append(name)
    for name in REQUIRED:
        if name not in columns:
            problems.add(1, f"no {name!r} column; add it to the header row (cells may be empty)")
    if any(name not in columns for name in REQUIRED):
        problems.raise_if_any()
    return columns


def csv_fields(cells: Mapping[str, str]) -> dict[str, Any]:
    """One row's cells as the fields of a question: several tokens split at '|', history as the
    earlier questions (their answers are filled in by the run); empty optional cells left out."""
    fields: dict[str, Any] = {}
    for name, cell in cells.items():
        if name in ("must_contain", "reports"):
            fields[name] = cell
        elif name == "history":
            fields[name] = [{"question": q} for q in tokens(cell)]
        elif cell or name in REQUIRED:
            fields[name] = cell
    return fields


def tokens(value: Any) -> list[str]:
    """A list of strings, or one string with '|' between tokens, as trimmed non-empty tokens."""
    items = value.split(SEPARATOR) if isinstance(value, str) else value
    return [item.strip() for item in items if isinstance(item, str) and item.strip()]


# --- validating ---------------------------------------------------------------------------


def to_question(
    number: int, fields: dict[str, Any], problems: Problems, known: Collection[str]
) -> Question | None:
    """The question on one line or row, or None after adding what is wrong with it."""
    before = len(problems.found)
    question = checked_text(number, fields.get("question"), problems)
    answerable = checked_answerable(number, fields.get("answerable"), problems)
    lists = {name: checked_list(number, name, fields.get(name, []), problems) for name in LISTS}
    history = checked_history(number, fields.get("history", []), problems)
    for report in lists["reports"]:
        if known and report not in known:
            problems.add(
                number, f"unknown report id {report!r}; the ids are {', '.join(sorted(known))}"
            )
    kind = checked_kind(number, fields.get("kind"), answerable, bool(history), problems)
    if len(problems.found) > before:
        return None
    data = {**fields, **lists, "question": question, "answerable": answerable, "kind": kind}
    data |= {"history": history, "id": str(fields.get("id") or f"row-{number}")}
    try:
        return Question.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors()[:3]:
            where = ".".join(str(x) for x in error["loc"])
            problems.add(number, f"{where}: {error['msg']}")
        return None


def checked_text(number: int, value: Any, problems: Problems) -> str:
    """The question, trimmed; problems for an empty one, the export's placeholder, bad text."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        problems.add(number, f"the question is {'missing' if value is None else 'empty'}")
    elif text == PLACEHOLDER or text.startswith("TODO:"):
        problems.add(
            number,
            "the question is still the placeholder; replace it with the question this answer"
            " was given for (the notes show the answer's citations), or delete the item",
        )
    else:
        try:
            clean_question(text)
        except QuestionError as exc:
            problems.add(number, str(exc))
    return text


def checked_answerable(number: int, value: Any, problems: Problems) -> bool:
    """true/false, yes/no or 1/0 in any case; a problem for anything else."""
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower() if isinstance(value, str | int) else ""
    if word in YES or word in NO:
        return word in YES
    shown = "missing" if value is None else f"{value!r}" if word else "empty"
    problems.add(number, f"answerable is {shown}; write yes or no (true/false and 1/0 also work)")
    return True


def checked_list(number: int, name: str, value: Any, problems: Problems) -> list[str]:
    """Tokens of a list field (a list of strings, or one string with '|' between them)."""
    if isinstance(value, str) or (
        isinstance(value, list) and all(isinstance(v, str) for v in value)
    ):
        return tokens(value)
    problems.add(number, f"{name} must be a list of strings (or one string with | between them)")
    return []


def checked_history(number: int, value: Any, problems: Problems) -> list[dict[str, str]]:
    """Earlier turns as {question, answer}: objects, or bare questions whose answers the run
    fills in."""
    turns = [{"question": v} if isinstance(v, str) else v for v in tokens_or_list(value)]
    if all(isinstance(t, dict) and isinstance(t.get("question"), str) for t in turns):
        return [t for t in turns if t["question"].strip()]
    problems.add(
        number, 'history must be earlier questions, as strings or {"question": ..., "answer": ...}'
    )
    return []


def tokens_or_list(value: Any) -> list[Any]:
    """A JSON field that may be absent, a list, or one string with '|' between items."""
    if value is None:
        return []
    return (
        tokens(value) if isinstance(value, str) else value if isinstance(value, list) else [value]
    )


def checked_kind(
    number: int, value: Any, answerable: bool, follow_up: bool, problems: Problems
) -> str:
    """The kind given, or one inferred: unanswerable, follow-up (with history) or factual."""
    if not value:
        return "unanswerable" if not answerable else "follow-up" if follow_up else "factual"
    if value not in KINDS:
        problems.add(number, f"kind is {value!r}; use one of {', '.join(KINDS)}, or leave it empty")
    elif (value == "unanswerable") == answerable:
        problems.add(
            number,
            f"kind is {value!r} but answerable is {'yes' if answerable else 'no'};"
            " unanswerable questions, and only they, have answerable no",
        )
    return str(value)


def check_unique_ids(records: list[tuple[int, dict[str, Any]]], problems: Problems) -> None:
    """A problem for each id already used on an earlier line or row."""
    seen: dict[str, int] = {}
    for number, fields in records:
        given = fields.get("id")
        if not isinstance(given, str) or not given.strip():
            continue
        if given in seen:
            problems.add(
                number,
                f"the id {given!r} is already used on {problems.unit} {seen[given]};"
                " give each question its own id (or leave ids empty)",
            )
        else:
            seen[given] = number


def known_reports(manifest_path: Path | None = None) -> frozenset[str]:
    """The report ids a corpus manifest (default: the configured one) names, with its comparison
    briefing; empty, so nothing is checked, when the manifest cannot be read."""
    from assistant.corpus import ManifestError, load_manifest
    from assistant.settings import get_settings

    try:
        manifest = load_manifest(manifest_path or get_settings().manifest_path)
    except (ManifestError, OSError):
        return frozenset()
    extra = {manifest.comparison.id} if manifest.comparison else set()
    return frozenset(manifest.ids) | extra


def set_path(name: str) -> Path:
    """eval/sets/<name>.jsonl for a set's name, or the path itself when given a file."""
    path = Path(name)
    return path if path.suffix else SETS_DIR / f"{name}.jsonl"


# --- writing ------------------------------------------------------------------------------

DRAFT_COLUMNS = ("id", "question", "answerable", "must_contain", "reports", "history", "notes")


def dump_questions(items: Iterable[Mapping[str, Any]], fmt: Literal["csv", "jsonl"]) -> str:
    """Items (the fields of DRAFT_COLUMNS) as a file `load_questions` reads: JSON Lines, or CSV
    with '|' between tokens and yes/no for answerable."""
    if fmt == "jsonl":
        return "".join(json.dumps(dict(item), ensure_ascii=False) + "\n" for item in items)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(DRAFT_COLUMNS)
    for item in items:
        writer.writerow([csv_cell(item.get(name)) for name in DRAFT_COLUMNS])
    return out.getvalue()


def csv_cell(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return f" {SEPARATOR} ".join(v["question"] if isinstance(v, dict) else v for v in value)
    return "" if value is None else str(value)


# --- drafts from feedback -----------------------------------------------------------------

QUOTE_SHOWN = 300


def feedback_drafts(ratings: Iterable[Rating]) -> list[dict[str, Any]]:
    """Thumbs-down answers as draft questions: the question when it was stored, else the
    placeholder that `load_questions` refuses until a person writes the question in."""
    return [
        {
            "id": f"feedback-{rating.id}",
            "question": rating.question or PLACEHOLDER,
            "answerable": True,
            "must_contain": [],
            "reports": [],
            "history": [],
            "notes": draft_notes(rating),
        }
        for rating in ratings
    ]


def draft_notes(rating: Rating) -> str:
    """When and how the answer was rated, and what it cited, so a person can recognise it."""
    outcome = "refused" if rating.refused else "answered"
    cited = "; ".join(
        f"[{n}] {c.report_id} ({c.passage_id}): “{shorten(c.quote)}”"
        for n, c in enumerate(rating.cited, start=1)
    )
    said = f"the answer cited {cited}" if cited else "no citations stored"
    return f"thumbs-down on {rating.at} ({rating.mode}, {outcome}); {said}"


def shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_SHOWN else text[: QUOTE_SHOWN - 1].rstrip() + "…"
