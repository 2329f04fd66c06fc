"""Validate the evaluation's data files (question sets and judge calibration pairs).

Run it from the repository root:

    .venv/bin/python eval/sets/check_sets.py

It checks eval/sets/dev.jsonl, eval/sets/test.jsonl, eval/sets/reports.jsonl, the blind batches
in eval/sets/blind/ and eval/judge/calibration.jsonl against the briefings corpus
(corpus/briefings/*.md): JSON per line,
required fields and types, unique ids, valid kinds, gold anchors and must_contain tokens copied
verbatim from the briefing paragraph under the named heading, the class mix, and no question
shared between dev and test. It prints a summary (counts by kind per file) and exits 1 on any
problem, naming the file and line. Only the standard library is used, so it runs anywhere.
"""

from __future__ import annotations

import difflib
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
BRIEFINGS_DIR = REPO / "corpus" / "briefings"
SETS_DIR = REPO / "eval" / "sets"
JUDGE_DIR = REPO / "eval" / "judge"

REPORT_IDS = ("triennial-2014-17", "panel-annual-2018-19", "hard-to-escape")
GOLD_REPORTS = (*REPORT_IDS, "common-themes")  # common-themes -> corpus/briefings/common-themes.md

KINDS = ("factual", "thematic", "cross-report", "follow-up", "unanswerable")
# Share of each kind in dev and in test: (lowest, highest), as fractions of the set.
MIX = {
    "factual": (0.30, 0.50),
    "thematic": (0.12, 0.28),
    "cross-report": (0.07, 0.17),
    "follow-up": (0.06, 0.14),
    "unanswerable": (0.18, 0.30),
}
MIN_DEV_TEST = 130
DEV_SHARE = (0.50, 0.60)
NEAR_DUPLICATE = 0.85  # difflib ratio of normalised questions above which two count as the same
ANCHOR_WORDS = (4, 10)
BLIND_ANCHOR_MAX = 15
FOLLOW_UP_MAX_WORDS = 14

CAL_SUPPORTED = ("verbatim", "paraphrase", "partial")
CAL_UNSUPPORTED = (
    "changed-number",
    "changed-term",
    "negation",
    "wrong-report",
    "unrelated",
    "overclaim",
)
CAL_MIN = 90
CAL_SUPPORTED_SHARE = (0.40, 0.50)

REPORTS_MIN = 40
REPORTS_UNANSWERABLE = (3, 8)
REPORT_PAGES = {"triennial-2014-17": 277, "hard-to-escape": 56}
# Section titles in the real reports, from the contents lists in the shared fact sheet
# (report-facts.md). The annual report's chapter titles are not known: its gold sections are "".
REPORT_SECTIONS: dict[str, frozenset[str]] = {
    "triennial-2014-17": frozenset(
        {
            "Executive summary",
            "Introduction",
            "Methods",
            "Key findings",
            "Numbers of SCRs",
            "Parental and environmental vulnerabilities and risks",
            "Pathways to prevention and protection",
            "Opportunities for preventive or protective intervention by statutory agencies",
            "Effective multi-agency working",
            "Learning from reviews for practice",
            "1 Introduction",
            "Guide to chapters",
            "2 Patterns and trends of maltreatment",
            "Number of SCRs undertaken 2014-17",
            "Geographical distribution",
            "Nature of the death or serious harm",
            "SCR deaths compared with national child deaths",
            "Categories of non-fatal serious harm",
            "Source of harm",
            "Neglect",
            "Characteristics of children and families",
            "Children's social care involvement",
            "Background characteristics of the family",
            "3 Neglect",
            "Categories of neglect",
        }
    ),
    "panel-annual-2018-19": frozenset(),
    "hard-to-escape": frozenset(
        {
            "Foreword",
            "Executive summary",
            "Introduction",
            "1 The review question",
            "2 Method",
            "Key findings",
            "3 Who we are talking about – common features of the young people in the cohort",
            "4 How do we identify and assess children who are at risk of harm through "
            "criminal exploitation?",
            "5 What is the current approach and service response to managing the risk and "
            "is it effective?",
            "6 Schools and education for children",
            "Reflections and recommendations",
            "7 Relationships with children",
            "8 Critical moments",
            "9 Helping parents and extended families to manage risk",
            "10 Acknowledging and managing risk",
            "11 The child protection framework",
            "12 Skills and knowledge and the lead agency",
            "13 Working Together 2018 and contextual safeguarding",
            "14 Data collection",
            "15 Leadership, culture and local partnerships",
            "16 Local learning points",
            "17 National recommendations",
            "18 Conclusions",
            "Appendices",
        }
    ),
}

ID_PATTERN = {
    "dev.jsonl": re.compile(r"^dev-\d{3}$"),
    "test.jsonl": re.compile(r"^test-\d{3}$"),
    "reports.jsonl": re.compile(r"^rep-\d{3}$"),
    "calibration.jsonl": re.compile(r"^cal-\d{3}$"),
}

ANY_ID = re.compile(r"^[a-z]+-\d{3,4}$")  # blind batch 10 on: blind-1001
BLIND_STYLES = ("plain", "conversation", "practitioner", "near-domain")
FRONT_MATTER = re.compile(r"\A---\s*\n.*?\n---\s*\n", re.DOTALL)
HEADING = re.compile(r"^(#{1,6})\s+(\S.*?)\s*#*\s*$")
HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
EMPHASIS = re.compile(r"\*\*|\*|`")
SENTENCE_BREAK = re.compile(r"[.!?]\s+[A-Z\"(]")


def normalise(text: str) -> str:
    """Text as the index holds it: link syntax, ** / * emphasis and backticks dropped, spaces
    collapsed."""
    return " ".join(EMPHASIS.sub("", LINK.sub(r"\1", text)).split())


def question_key(text: str) -> str:
    """A question reduced to lower-case words, for duplicate detection."""
    return " ".join(re.findall(r"[a-z0-9%]+", text.lower()))


@dataclass(frozen=True)
class Block:
    section: str  # the nearest heading above the block
    text: str  # normalised


@dataclass
class Briefing:
    name: str
    headings: set[str] = field(default_factory=set)
    blocks: list[Block] = field(default_factory=list)
    text: str = ""  # the whole body, normalised

    def blocks_with(self, needle: str) -> list[Block]:
        return [b for b in self.blocks if needle in b.text]


def load_briefing(path: Path) -> Briefing:
    """Split a briefing into paragraphs and list items, each under its nearest heading."""
    body = FRONT_MATTER.sub("", path.read_text(encoding="utf-8"), count=1)
    body = HTML_COMMENT.sub("", body)
    briefing = Briefing(name=path.stem)
    section = ""
    current: list[str] = []

    def flush() -> None:
        if current:
            text = normalise(" ".join(current))
            if text:
                briefing.blocks.append(Block(section=section, text=text))
            current.clear()

    for line in body.splitlines():
        heading = HEADING.match(line)
        if heading:
            flush()
            section = normalise(heading.group(2))
            briefing.headings.add(section)
        elif not line.strip():
            flush()
        elif LIST_ITEM.match(line):
            flush()
            current.append(LIST_ITEM.sub("", line))
        else:
            current.append(line.lstrip("> ").strip() if line.lstrip().startswith(">") else line)
    flush()
    briefing.text = " ".join(b.text for b in briefing.blocks)
    return briefing


def load_briefings(directory: Path = BRIEFINGS_DIR) -> dict[str, Briefing]:
    return {name: load_briefing(directory / f"{name}.md") for name in GOLD_REPORTS}


class Problems:
    """Collects problems as 'file:line: message'."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")


def _rel(path: Path) -> str:
    """A path as shown in messages: relative to the repository when inside it."""
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


def read_jsonl(path: Path, problems: Problems) -> list[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line; bad lines are reported and skipped."""
    rel = _rel(path)
    if not path.exists():
        problems.add(str(rel), "file is missing")
        return []
    rows: list[tuple[int, dict[str, Any]]] = []
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.add(str(rel), f"not UTF-8 ({exc})")
        return []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            problems.add(f"{rel}:{number}", "blank line")
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.add(f"{rel}:{number}", f"not valid JSON ({exc.msg})")
            continue
        if not isinstance(obj, dict):
            problems.add(f"{rel}:{number}", "a line must be a JSON object")
            continue
        rows.append((number, obj))
    return rows


def _is_str_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def _check_fields(
    obj: dict[str, Any], spec: dict[str, type | tuple[type, ...]], where: str, problems: Problems
) -> bool:
    ok = True
    for name, types in spec.items():
        if name not in obj:
            problems.add(where, f"missing field {name!r}")
            ok = False
        elif not isinstance(obj[name], types) or (types is int and isinstance(obj[name], bool)):
            problems.add(where, f"field {name!r} has the wrong type ({type(obj[name]).__name__})")
            ok = False
    return ok


def _check_ids(rows: Iterable[tuple[int, dict[str, Any]]], file: str, problems: Problems) -> None:
    pattern = ID_PATTERN.get(Path(file).name, ANY_ID)
    seen: dict[str, int] = {}
    for number, obj in rows:
        value = obj.get("id")
        where = f"{file}:{number}"
        if not isinstance(value, str) or not pattern.match(value):
            problems.add(where, f"id {value!r} does not match {pattern.pattern}")
        elif value in seen:
            problems.add(where, f"id {value!r} already used on line {seen[value]}")
        else:
            seen[value] = number


QUESTION_FIELDS: dict[str, type | tuple[type, ...]] = {
    "id": str,
    "question": str,
    "kind": str,
    "answerable": bool,
    "reports": list,
    "must_contain": list,
    "gold": list,
}


def _valid_history(history: object) -> bool:
    return isinstance(history, list) and all(
        isinstance(t, dict)
        and isinstance(t.get("question"), str)
        and t["question"].strip()
        and isinstance(t.get("answer", ""), str)
        for t in history
    )


def _check_common_question(
    obj: dict[str, Any], where: str, problems: Problems, blind: bool = False
) -> None:
    """Checks shared by dev/test and reports: kind, answerable, reports, must_contain, history.
    A blind batch is kept as its writer wrote it, so the project's own authoring conventions
    (a cross-report question names two of the three reports, a follow-up is short) don't apply."""
    kind = obj["kind"]
    if kind not in KINDS:
        problems.add(where, f"kind {kind!r} is not one of {', '.join(KINDS)}")
    if not obj["question"].strip():
        problems.add(where, "empty question")
    if obj["answerable"] != (kind != "unanswerable"):
        problems.add(where, "answerable must be false exactly when kind is 'unanswerable'")
    reports = obj["reports"]
    if not _is_str_list(reports) or any(r not in GOLD_REPORTS for r in reports):
        problems.add(where, f"reports must list ids from {', '.join(GOLD_REPORTS)}")
    elif len(set(reports)) != len(reports):
        problems.add(where, "reports lists an id twice")
    if not _is_str_list(obj["must_contain"]):
        problems.add(where, "must_contain must be a list of non-empty strings")
    if kind == "unanswerable":
        for name in ("reports", "must_contain", "gold"):
            if obj[name]:
                problems.add(where, f"an unanswerable question must have an empty {name}")
    else:
        if not reports:
            problems.add(where, "an answerable question must name the reports that answer it")
        if not obj["gold"]:
            problems.add(where, "an answerable question needs at least one gold entry")
    if not blind and kind == "cross-report" and len({r for r in reports if r in REPORT_IDS}) < 2:
        problems.add(where, "a cross-report question must name at least two of the three reports")
    history = obj.get("history")
    if kind == "follow-up":
        if not history:
            problems.add(where, "a follow-up needs a non-empty history")
        if not blind and len(obj["question"].split()) > FOLLOW_UP_MAX_WORDS:
            problems.add(where, f"a follow-up question should be short (<= {FOLLOW_UP_MAX_WORDS})")
    elif history and kind != "unanswerable":
        problems.add(where, "only follow-up (or unanswerable) questions may carry a history")
    if history is not None and not _valid_history(history):
        problems.add(where, "history must be a list of {question, answer} objects")


def check_question_set(
    path: Path, briefings: dict[str, Briefing], problems: Problems, blind: bool = False
) -> list[tuple[int, dict[str, Any]]]:
    """dev.jsonl / test.jsonl: fields, kinds, gold anchors and sections, tokens, follow-ups. A
    blind batch (`blind`) also has a style, and a conversation's first turn only in its history."""
    file = _rel(path)
    rows = [
        (n, o)
        for n, o in read_jsonl(path, problems)
        if _check_fields(o, QUESTION_FIELDS, f"{file}:{n}", problems)
    ]
    _check_ids(rows, file, problems)
    previous_question: str | None = None
    seen_questions: dict[str, int] = {}
    for number, obj in rows:
        where = f"{file}:{number}"
        _check_common_question(obj, where, problems, blind)
        key = question_key(obj["question"])
        if key in seen_questions:
            problems.add(where, f"same question as line {seen_questions[key]}")
        seen_questions.setdefault(key, number)
        history = obj.get("history")
        if blind and obj.get("style") not in BLIND_STYLES:
            problems.add(
                where, f"style {obj.get('style')!r} is not one of {', '.join(BLIND_STYLES)}"
            )
        if (
            not blind
            and obj["kind"] == "follow-up"
            and _valid_history(history)
            and history
            and history[-1]["question"] != previous_question
        ):
            problems.add(where, "the history's last question should be the line just before")
        previous_question = obj["question"]
        if obj["answerable"] and not 1 <= len(obj["must_contain"]) <= 3:
            problems.add(where, "an answerable question needs 1-3 must_contain tokens")
        if obj["answerable"] and not 1 <= len(obj["gold"]) <= 3:
            problems.add(where, "an answerable question needs 1-3 gold entries")
        gold_blocks: list[Block] = []
        for i, gold in enumerate(obj["gold"], start=1):
            gold_blocks += _check_gold(gold, obj, f"{where}: gold {i}", briefings, problems, blind)
        if blind:  # its writer split paragraphs at list items; the gold section must hold it
            gold_blocks = [
                b
                for g in obj["gold"]
                if isinstance(g, dict) and g.get("report") in briefings
                for b in briefings[g["report"]].blocks
                if b.section == g.get("section")
            ]
        if obj["answerable"] and _is_str_list(obj["must_contain"]):
            for token in obj["must_contain"]:
                _check_token(token, obj, gold_blocks, where, briefings, problems)
    return rows


def _check_gold(
    gold: object,
    obj: dict[str, Any],
    where: str,
    briefings: dict[str, Briefing],
    problems: Problems,
    blind: bool = False,
) -> list[Block]:
    """One {report, section, anchor} entry; returns the briefing blocks that hold the anchor. A
    blind batch's anchors may be longer than the project's own (its writer's brief allows 15)."""
    if not isinstance(gold, dict) or set(gold) != {"report", "section", "anchor"}:
        problems.add(where, "must be an object with exactly report, section and anchor")
        return []
    report, section, anchor = gold["report"], gold["section"], gold["anchor"]
    if not all(isinstance(v, str) for v in (report, section, anchor)):
        problems.add(where, "report, section and anchor must be strings")
        return []
    if report not in GOLD_REPORTS:
        problems.add(where, f"unknown report {report!r}")
        return []
    if report not in obj["reports"]:
        problems.add(where, f"gold report {report!r} is not listed in reports")
    briefing = briefings[report]
    if section not in briefing.headings:
        problems.add(where, f"section {section!r} is not a heading of {report}.md")
    if anchor != anchor.strip() or anchor != " ".join(anchor.split()):
        problems.add(where, "anchor has stray whitespace")
    if re.search(r"[*`]", anchor):
        problems.add(where, "anchor must not contain markdown emphasis")
    words = len(anchor.split())
    low, high = ANCHOR_WORDS[0], BLIND_ANCHOR_MAX if blind else ANCHOR_WORDS[1]
    if not low <= words <= high:
        problems.add(where, f"anchor has {words} words (want {low}-{high})")
    if SENTENCE_BREAK.search(anchor):
        problems.add(where, "anchor spans two sentences (passages are cut between sentences)")
    needle = normalise(anchor)
    if needle not in briefing.text:
        problems.add(where, f"anchor {anchor!r} is not a verbatim substring of {report}.md")
        return []
    holding = briefing.blocks_with(needle)
    in_section = [b for b in holding if b.section == section]
    if not in_section:
        found = sorted({b.section for b in holding}) or ["(across two paragraphs)"]
        problems.add(where, f"anchor {anchor!r} is under {' / '.join(found)}, not {section!r}")
    return in_section


def _check_token(
    token: str,
    obj: dict[str, Any],
    gold_blocks: list[Block],
    where: str,
    briefings: dict[str, Briefing],
    problems: Problems,
) -> None:
    """A must_contain token must be in a paragraph that holds one of the gold anchors (in any
    case, as the key fact is scored: "children's services" starts a sentence as "Children's")."""
    needle = normalise(token).casefold()
    if any(needle in b.text.casefold() for b in gold_blocks):
        return
    reports = [g["report"] for g in obj["gold"] if isinstance(g, dict) and "report" in g]
    elsewhere = [r for r in reports if r in briefings and needle in briefings[r].text.casefold()]
    hint = f" (it is elsewhere in {elsewhere[0]}.md)" if elsewhere else ""
    problems.add(where, f"must_contain {token!r} is not in any gold paragraph{hint}")


def check_mix(
    file: str, rows: list[tuple[int, dict[str, Any]]], problems: Problems
) -> Counter[str]:
    counts = Counter(obj["kind"] for _, obj in rows)
    total = len(rows)
    if not total:
        return counts
    for kind, (low, high) in MIX.items():
        share = counts[kind] / total
        if not low <= share <= high:
            problems.add(
                file, f"{kind}: {counts[kind]}/{total} = {share:.0%}, want {low:.0%}-{high:.0%}"
            )
    return counts


def check_dev_test(
    dev: list[tuple[int, dict[str, Any]]],
    test: list[tuple[int, dict[str, Any]]],
    problems: Problems,
) -> None:
    total = len(dev) + len(test)
    if total < MIN_DEV_TEST:
        problems.add(
            "eval/sets", f"dev + test hold {total} questions, want at least {MIN_DEV_TEST}"
        )
    if total:
        share = len(dev) / total
        if not DEV_SHARE[0] <= share <= DEV_SHARE[1]:
            problems.add("eval/sets", f"dev is {share:.0%} of dev + test, want about 55%")
    dev_keys = [(n, question_key(o["question"])) for n, o in dev]
    for number, obj in test:
        key = question_key(obj["question"])
        for dev_number, dev_key in dev_keys:
            if key == dev_key:
                problems.add(f"eval/sets/test.jsonl:{number}", f"same question as dev:{dev_number}")
            elif difflib.SequenceMatcher(None, key, dev_key).ratio() >= NEAR_DUPLICATE:
                problems.add(
                    f"eval/sets/test.jsonl:{number}", f"near-duplicate of dev line {dev_number}"
                )


REPORTS_GOLD_KEYS = {"report", "section", "pages"}


def check_reports(path: Path, problems: Problems) -> list[tuple[int, dict[str, Any]]]:
    """reports.jsonl: questions for the real report PDFs; gold by section and page range."""
    file = _rel(path)
    rows = [
        (n, o)
        for n, o in read_jsonl(path, problems)
        if _check_fields(o, QUESTION_FIELDS, f"{file}:{n}", problems)
    ]
    _check_ids(rows, file, problems)
    seen: dict[str, int] = {}
    for number, obj in rows:
        where = f"{file}:{number}"
        _check_common_question(obj, where, problems)
        key = question_key(obj["question"])
        if key in seen:
            problems.add(where, f"same question as line {seen[key]}")
        seen.setdefault(key, number)
        if "common-themes" in obj["reports"]:
            problems.add(where, "reports.jsonl is for the real reports: no 'common-themes'")
        if len(obj["must_contain"]) > 3:
            problems.add(where, "at most 3 must_contain tokens")
        for i, gold in enumerate(obj["gold"], start=1):
            _check_report_gold(gold, obj, f"{where}: gold {i}", problems)
    if len(rows) < REPORTS_MIN:
        problems.add(file, f"{len(rows)} questions, want at least {REPORTS_MIN}")
    unanswerable = sum(1 for _, o in rows if o["kind"] == "unanswerable")
    low, high = REPORTS_UNANSWERABLE
    if not low <= unanswerable <= high:
        problems.add(file, f"{unanswerable} unanswerable questions, want {low}-{high}")
    return rows


def _check_report_gold(gold: object, obj: dict[str, Any], where: str, problems: Problems) -> None:
    if not isinstance(gold, dict) or set(gold) != REPORTS_GOLD_KEYS:
        problems.add(where, "must be an object with exactly report, section and pages")
        return
    report, section, pages = gold["report"], gold["section"], gold["pages"]
    if report not in REPORT_IDS:
        problems.add(where, f"unknown report {report!r}")
        return
    if report not in obj["reports"]:
        problems.add(where, f"gold report {report!r} is not listed in reports")
    if not isinstance(section, str):
        problems.add(where, "section must be a string ('' when unknown)")
    elif section and section not in REPORT_SECTIONS[report]:
        problems.add(where, f"section {section!r} is not in the {report} contents list")
    if pages is None:
        return
    if (
        not isinstance(pages, list)
        or len(pages) != 2
        or not all(isinstance(p, int) and not isinstance(p, bool) for p in pages)
    ):
        problems.add(where, "pages must be [first, last] or null")
        return
    first, last = pages
    limit = REPORT_PAGES.get(report)
    if not 1 <= first <= last or (limit is not None and last > limit):
        problems.add(where, f"pages {pages} are not a valid range for {report}")
    if not section:
        problems.add(where, "a page range needs the section it belongs to")


CAL_FIELDS: dict[str, type | tuple[type, ...]] = {
    "id": str,
    "sentence": str,
    "passage": str,
    "supported": bool,
    "kind": str,
}


def check_calibration(
    path: Path, briefings: dict[str, Briefing], problems: Problems
) -> list[tuple[int, dict[str, Any]]]:
    """calibration.jsonl: (sentence, passage, supported) pairs for the citation-support judge."""
    file = _rel(path)
    rows = [
        (n, o)
        for n, o in read_jsonl(path, problems)
        if _check_fields(o, CAL_FIELDS, f"{file}:{n}", problems)
    ]
    _check_ids(rows, file, problems)
    corpus = {name: b.text for name, b in briefings.items()}
    seen: dict[tuple[str, str], int] = {}
    for number, obj in rows:
        where = f"{file}:{number}"
        kind, sentence, passage = obj["kind"], obj["sentence"].strip(), obj["passage"].strip()
        if kind not in CAL_SUPPORTED + CAL_UNSUPPORTED:
            problems.add(where, f"kind {kind!r} is not a calibration kind")
        elif obj["supported"] != (kind in CAL_SUPPORTED):
            problems.add(where, f"kind {kind!r} needs supported={kind in CAL_SUPPORTED}")
        if not sentence or not passage:
            problems.add(where, "empty sentence or passage")
            continue
        if re.search(r"[*`]", passage):
            problems.add(where, "passage must not contain markdown emphasis")
        norm_passage = normalise(passage)
        if not any(norm_passage in text for text in corpus.values()):
            problems.add(where, "passage is not copied verbatim from a briefing paragraph")
        sentences = len(re.findall(r"[.!?](?:\"|\))?(?:\s|$)", passage))
        if not 1 <= sentences <= 4:
            problems.add(where, f"passage has {sentences} sentences, want 1-4")
        contained = normalise(sentence) in norm_passage
        if kind == "verbatim" and not contained:
            problems.add(where, "a verbatim sentence must be copied from its passage")
        if kind in CAL_UNSUPPORTED and contained:
            problems.add(where, "an unsupported sentence cannot be a verbatim copy of its passage")
        key = (sentence, passage)
        if key in seen:
            problems.add(where, f"same pair as line {seen[key]}")
        seen.setdefault(key, number)
    if len(rows) < CAL_MIN:
        problems.add(file, f"{len(rows)} pairs, want at least {CAL_MIN}")
    if rows:
        share = sum(1 for _, o in rows if o["supported"] is True) / len(rows)
        low, high = CAL_SUPPORTED_SHARE
        if not low <= share <= high:
            problems.add(file, f"{share:.0%} supported, want {low:.0%}-{high:.0%}")
    return rows


def _format_counts(counts: Counter[str], order: Iterable[str]) -> str:
    total = sum(counts.values())
    parts = [f"{k} {counts[k]}" for k in order if counts[k]]
    return f"{total:>3} lines: " + ", ".join(parts)


def check_all() -> tuple[list[str], list[str]]:
    """(problems, summary lines) for every data file."""
    problems = Problems()
    briefings = load_briefings()
    dev = check_question_set(SETS_DIR / "dev.jsonl", briefings, problems)
    test = check_question_set(SETS_DIR / "test.jsonl", briefings, problems)
    dev_counts = check_mix("eval/sets/dev.jsonl", dev, problems)
    test_counts = check_mix("eval/sets/test.jsonl", test, problems)
    check_dev_test(dev, test, problems)
    reports = check_reports(SETS_DIR / "reports.jsonl", problems)
    blind = {
        path: check_question_set(path, briefings, problems, blind=True)
        for path in sorted((SETS_DIR / "blind").glob("*.jsonl"))
    }
    calibration = check_calibration(JUDGE_DIR / "calibration.jsonl", briefings, problems)
    cal_counts = Counter(o["kind"] for _, o in calibration)
    supported = sum(1 for _, o in calibration if o["supported"] is True)
    summary = [
        f"eval/sets/dev.jsonl          {_format_counts(dev_counts, KINDS)}",
        f"eval/sets/test.jsonl         {_format_counts(test_counts, KINDS)}",
        "eval/sets/reports.jsonl      "
        + _format_counts(Counter(o["kind"] for _, o in reports), KINDS),
        "eval/judge/calibration.jsonl "
        + _format_counts(cal_counts, CAL_SUPPORTED + CAL_UNSUPPORTED)
        + f" (supported {supported}, not supported {len(calibration) - supported})",
    ]
    summary += [
        f"eval/sets/blind/{path.name:<16} "
        + _format_counts(Counter(o.get("style", "") for _, o in rows), BLIND_STYLES)
        for path, rows in blind.items()
    ]
    return problems.items, summary


def main() -> int:
    problems, summary = check_all()
    print("\n".join(summary))
    if problems:
        print(f"\n{len(problems)} problem(s):", file=sys.stderr)
        for item in problems:
            print(f"  {item}", file=sys.stderr)
        return 1
    print("\nAll evaluation data files are valid.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
