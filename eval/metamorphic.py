"""Metamorphic robustness: does the answer survive rewording a practitioner would not notice?

Each answerable question gets variants made by rule (other names, a role, politeness, typos, lay
words); the real answerer answers both and we report how often the answer is kept.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.answer_schema import Answer
from assistant.corpus import Manifest, Report, load_manifest
from assistant.settings import Settings, get_settings
from assistant.store import open_store
from eval.corpora import ensure_index
from eval.metrics import normalise_space
from eval.questions import Question, load_questions, replay, set_path

RULES = ("name", "role", "polite", "typo", "lay")
MAX_NAME_VARIANTS = 3
REPORT_NAMES = 2  # names taken from the manifest's `names` as forms of a report
DOC_WORDS = frozenset("report review analysis briefing study".split())
YEAR_ONLY = re.compile(r"^(?:[\d\s\-–/]|\bto\b|\band\b)+$", re.IGNORECASE)
# A report name right after one of these means another report ("the earlier triennial").
OTHER_ONE = frozenset("earlier previous prior other another later next second older".split())
ROLES = (
    "health visitor",
    "social worker",
    "designated safeguarding lead",
    "school nurse",
    "police officer",
    "GP",
)
POLITE = ("Could you tell me {q}", "I'd like to know: {q}")
# British lay words practitioners and parents really say, each keeping the meaning.
LAY = {
    "children": "kids",
    "teenagers": "teens",
    "adolescents": "teenagers",
    "young people": "youngsters",
    "parents": "mums and dads",
    "mothers": "mums",
    "fathers": "dads",
    "infants": "babies",
    "practitioners": "frontline workers",
    "professionals": "staff",
    "caseloads": "workloads",
    "died": "passed away",
    "maltreatment": "ill-treatment",
    "roughly": "about",
    "proportion": "share",
    "researchers": "research team",
    "social services": "children's social care",
    "authors": "writers",
    "investigations": "enquiries",
}
MAX_LAY = 2


@dataclass(frozen=True)
class Variant:
    """A reworded question (id suffixed with `~rule`) and the rule that made it."""

    rule: str
    question: Question


# --- rules -------------------------------------------------------------------------------------


def _lower_first(text: str) -> str:
    """Lower-case the first letter unless the first word is "I" or an acronym."""
    first = text.split(" ", 1)[0]
    if not text or first == "I" or sum(c.isupper() for c in first) > 1:
        return text
    return text[0].lower() + text[1:]


def _pick(question_id: str, n: int) -> int:
    """A stable choice among n, from the question id (not Python's salted hash)."""
    return zlib.crc32(question_id.encode("utf-8")) % n


def role_variant(question: Question) -> str:
    """The question asked as a named role: "As a health visitor, how many ..."."""
    role = ROLES[_pick(question.id, len(ROLES))]
    article = "an" if role[0].lower() in "aeiou" else "a"
    return f"As {article} {role}, {_lower_first(question.question)}"


def polite_variant(question: Question) -> str:
    """The question in a polite wrapper, word order kept."""
    template = POLITE[_pick(question.id + "~polite", len(POLITE))]
    return template.format(q=_lower_first(question.question))


def _protected_words(question: Question) -> set[str]:
    return {w.casefold() for token in question.must_contain for w in re.findall(r"\w+", token)}


def typo_variant(question: Question) -> str:
    """One or two typos (adjacent inner letters swapped, or an inner letter dropped) in words of
    5+ lower-case letters that are not part of a must_contain token; seeded by the question id."""
    rng = random.Random(question.id)
    protected = _protected_words(question)
    text = question.question
    spans = [
        m.span()
        for m in re.finditer(r"\b[a-z]{5,}\b", text)
        if m.group().casefold() not in protected
    ]
    if not spans:
        return text
    chosen = sorted(rng.sample(spans, min(len(spans), rng.choice((1, 2)))), reverse=True)
    for start, end in chosen:
        word = text[start:end]
        swaps = [i for i in range(1, len(word) - 2) if word[i] != word[i + 1]]
        if swaps and rng.random() < 0.5:
            i = rng.choice(swaps)
            typo = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        else:
            i = rng.randrange(1, len(word) - 1)
            typo = word[:i] + word[i + 1 :]
        text = text[:start] + typo + text[end:]
    return text


def _same_case(replacement: str, matched: str) -> str:
    return replacement[0].upper() + replacement[1:] if matched[0].isupper() else replacement


def lay_variant(question: Question) -> str:
    """Up to two table words (whole words, any case, not possessive) replaced by their British lay
    synonyms."""
    pattern = re.compile(
        r"\b("
        + "|".join(re.escape(w) for w in sorted(LAY, key=len, reverse=True))
        + r")\b(?!['’])",
        re.IGNORECASE,
    )

    def swap(m: re.Match[str]) -> str:
        return _same_case(LAY[m.group().casefold()], m.group())

    return pattern.sub(swap, question.question, count=MAX_LAY)


# --- names -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Form:
    """One way of naming a thing, and the other forms it may be replaced with."""

    text: str
    others: tuple[str, ...]
    plural: bool  # glossary entries also match with a plural "s"
    report: bool


def _words(text: str) -> list[str]:
    return re.findall(r"[\w'-]+", text.casefold())


def _contains_phrase(text: str, phrase: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", text, re.IGNORECASE) is not None


def report_names(report: Report, glossary_forms: set[str]) -> list[str]:
    """Up to two manifest names that name the report itself: ones with a document word ("annual
    report", "exploitation review") first, then phrases of the main title ("hard to escape"), then
    single title words ("triennial"); never a bare year, a person or a glossary term."""
    main_title = report.title.split(":")[0]
    ranked = []
    for name in report.names:
        if not re.search(r"[A-Za-z]", name) or YEAR_ONLY.match(name):
            continue
        if name.casefold() in glossary_forms:
            continue
        if DOC_WORDS & set(_words(name)):
            rank = 0
        elif _contains_phrase(main_title, name):
            rank = 1
        elif _contains_phrase(report.title, name) or _contains_phrase(report.short_title, name):
            rank = 2
        else:
            continue
        ranked.append((rank, name))
    return [name for _, name in sorted(ranked, key=lambda r: r[0])][:REPORT_NAMES]


def name_forms(manifest: Manifest) -> list[_Form]:
    """Every recognised form of a report or glossary body, longest first."""
    glossary_forms = {g.term.casefold() for g in manifest.glossary} | {
        g.means.casefold() for g in manifest.glossary
    }
    forms: list[_Form] = []
    for entry in manifest.glossary:
        forms.append(_Form(entry.term, (entry.means,), plural=True, report=False))
    for means in dict.fromkeys(g.means for g in manifest.glossary):
        terms = tuple(g.term for g in manifest.glossary if g.means == means)
        forms.append(_Form(means, terms, plural=True, report=False))
    for report in manifest.reports:
        names = report_names(report, glossary_forms)
        targets = list(dict.fromkeys([report.short_title, report.title, *names]))
        # Parts of the titles are recognised too ("It was hard to escape", "triennial 2014-17").
        parts = re.split(r"[:()]", report.title) + re.split(r"[:()]", report.short_title)
        recognised = [*targets, *(p.strip() for p in parts if len(p.split()) >= 2)]
        for text in dict.fromkeys(recognised):
            if text.casefold() in glossary_forms:
                continue
            others = tuple(t for t in targets if t.casefold() != text.casefold())
            forms.append(_Form(text, others, plural=False, report=True))
    return sorted(forms, key=lambda f: -len(f.text))


def _form_pattern(form: _Form) -> re.Pattern[str]:
    body = r"\s+".join(re.escape(w) for w in form.text.split())
    flags = 0 if sum(c.isupper() for c in form.text.split()[0]) > 1 else re.IGNORECASE
    return re.compile(r"(?<![\w-])" + body + ("s?" if form.plural else "") + r"(?![\w-])", flags)


def _norm(word: str) -> str:
    return re.sub(r"['’]s$", "", word.casefold().strip(".,;:!?()\"'"))


def _splice(text: str, start: int, end: int, replacement: str) -> str:
    """Put `replacement` over text[start:end], dropping words either side that it repeats
    ("the Panel's annual report" -> "the Panel annual report 2018-19", not "Panel's Panel")."""
    before, after = text[:start], text[end:]
    rep = replacement.split()
    if before.endswith(" "):
        tokens = list(re.finditer(r"\S+", before))
        for k in range(min(len(tokens), len(rep)), 0, -1):
            if [_norm(t.group()) for t in tokens[-k:]] == [_norm(w) for w in rep[:k]]:
                first = tokens[-k].group()
                before = (
                    before[: tokens[-k].start()] + first[: len(first) - len(first.lstrip("(\"'"))]
                )
                break
    if after.startswith(" "):
        tokens = list(re.finditer(r"\S+", after))
        for k in range(min(len(tokens), len(rep)), 0, -1):
            if [_norm(t.group()) for t in tokens[:k]] == [_norm(w) for w in rep[-k:]]:
                last = tokens[k - 1].group()  # its punctuation stays: "review?" keeps the "?"
                after = last[len(last.rstrip(".,;:!?)\"'")) :] + after[tokens[k - 1].end() :]
                break
    if not before and text[:1].isupper():
        replacement = replacement[0].upper() + replacement[1:]
    article = re.search(r"(?<!\w)(an?) $", before, re.IGNORECASE)
    if article:
        wanted = _article(replacement)
        wanted = wanted.capitalize() if article.group(1)[0].isupper() else wanted
        before = before[: article.start()] + wanted + " "
    return before + replacement + after


def _article(phrase: str) -> str:
    """ "a" or "an" before the phrase, acronyms by their letters' sound ("an SCR", "a CSPRP")."""
    first = phrase.split()[0]
    if sum(c.isupper() for c in first) > 1:
        return "an" if first[0] in "AEFHILMNORSX" else "a"
    return "an" if first[0].lower() in "aeiou" else "a"


def name_variants(question: Question, manifest: Manifest) -> list[str]:
    """Up to three rewordings, each naming one report or body in the question by another of its
    forms (glossary term <-> meaning; a report's short title, title and names)."""
    text = question.question
    taken: list[tuple[int, int, _Form]] = []
    for form in name_forms(manifest):
        for m in _form_pattern(form).finditer(text):
            if any(m.start() < e and s < m.end() for s, e, _ in taken):
                continue
            preceding = text[: m.start()].split()
            if form.report and preceding and _norm(preceding[-1]) in OTHER_ONE:
                continue
            taken.append((m.start(), m.end(), form))
    out: list[str] = []
    for start, end, form in sorted(taken, key=lambda t: t[0]):
        plural = form.plural and (end - start) > len(form.text)
        for other in form.others:
            varied = _splice(text, start, end, other + ("s" if plural else ""))
            if varied != text and varied not in out:
                out.append(varied)
    return out[:MAX_NAME_VARIANTS]


# --- all rules ---------------------------------------------------------------------------------


def variants(question: Question, manifest: Manifest) -> list[Variant]:
    """Every variant of the question's last turn (history kept), none equal to the original."""
    made: list[tuple[str, str]] = [("name", text) for text in name_variants(question, manifest)] + [
        ("role", role_variant(question)),
        ("polite", polite_variant(question)),
        ("typo", typo_variant(question)),
        ("lay", lay_variant(question)),
    ]
    out: list[Variant] = []
    seen = {question.question}
    counts: dict[str, int] = {}
    for rule, text in made:
        if text in seen:
            continue
        seen.add(text)
        counts[rule] = counts.get(rule, 0) + 1
        suffix = rule if counts[rule] == 1 else f"{rule}{counts[rule]}"
        update = {"id": f"{question.id}~{suffix}", "question": text}
        out.append(Variant(rule, question.model_copy(update=update)))
    return out


# --- running -----------------------------------------------------------------------------------


def first_passage(answer: Answer) -> str | None:
    return answer.citations[0].passage_id if answer.citations else None


def kept_tokens(original: Answer, must_contain: list[str]) -> list[str]:
    """The must_contain tokens the original answer has (whitespace-normalised, any spacing)."""
    text = normalise_space(original.answer)
    return [t for t in must_contain if normalise_space(t) in text]


def why_failed(original: Answer, varied: Answer, must_contain: list[str]) -> str | None:
    """None when the variant keeps the answer; else refused / other first passage / lost fact."""
    if varied.refused:
        return "refused"
    reasons = []
    if first_passage(varied) != first_passage(original):
        reasons.append("other first passage")
    text = normalise_space(varied.answer)
    lost = [t for t in kept_tokens(original, must_contain) if normalise_space(t) not in text]
    if lost:
        reasons.append("lost fact: " + ", ".join(lost))
    return "; ".join(reasons) or None


def _share(flags: list[bool]) -> float | None:
    return round(sum(flags) / len(flags), 3) if flags else None


def summarise(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Invariance over counted variants and false refusal over all, overall and per rule."""

    def figures(rows: list[dict[str, Any]]) -> dict[str, Any]:
        counted = [r for r in rows if r["counted"]]
        return {
            "variants": len(rows),
            "counted": len(counted),
            "invariance": _share([r["passed"] for r in counted]),
            "variant_false_refusal": _share([r["refused"] for r in rows]),
        }

    rules = [rule for rule in RULES if any(r["rule"] == rule for r in records)]
    return {
        **figures(records),
        "by_rule": {rule: figures([r for r in records if r["rule"] == rule]) for rule in rules},
    }


def run_metamorphic(
    settings: Settings,
    set_name: str = "dev",
    limit: int | None = None,
    *,
    announce: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Answer each answerable question of the set and its variants; summarise what is kept."""
    from eval.runner import make_answerer

    manifest = load_manifest(settings.manifest_path)
    questions = [q for q in load_questions(set_path(set_name)) if q.answerable]
    if limit is not None:
        questions = questions[:limit]
    target = ensure_index(settings, "briefings", announce)
    answerer = make_answerer(target, open_store(target), "extractive")
    given: dict[str, str] = {}
    records: list[dict[str, Any]] = []
    originals_refused = 0
    for question in questions:
        history = replay(question, given, lambda text: answerer.run(text).answer).history
        original: Answer = answerer.run(question.question, None, history)
        given[question.question] = original.answer
        originals_refused += original.refused
        for variant in variants(question, manifest):
            varied: Answer = answerer.run(variant.question.question, None, history)
            why = None if original.refused else why_failed(original, varied, question.must_contain)
            records.append(
                {
                    "id": variant.question.id,
                    "rule": variant.rule,
                    "original": question.question,
                    "variant": variant.question.question,
                    "counted": not original.refused,
                    "refused": varied.refused,
                    "passed": not original.refused and why is None,
                    "why": why,
                }
            )
    summary = summarise(records)
    return {
        "set": set_name,
        "questions": len(questions),
        "originals_refused": originals_refused,
        "variants": summary["variants"],
        "counted": summary["counted"],
        "variants_of_refused_originals": summary["variants"] - summary["counted"],
        "invariance": summary["invariance"],
        "variant_false_refusal": summary["variant_false_refusal"],
        "by_rule": summary["by_rule"],
        "failures": [
            {k: r[k] for k in ("id", "rule", "original", "variant", "why")}
            for r in records
            if r["counted"] and not r["passed"]
        ],
        "records": records,
    }


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default="dev", help="question set name or .jsonl path")
    parser.add_argument("--limit", type=int, default=None, help="first N answerable questions")
    parser.add_argument("--out", type=Path, default=None, help="write the full results as JSON")
    args = parser.parse_args()
    result = run_metamorphic(get_settings(), args.set, args.limit)
    print(f"{'rule':<8} {'variants':>8} {'invariance':>10} {'false refusal':>13}")
    for rule, row in result["by_rule"].items():
        print(
            f"{rule:<8} {row['variants']:>8} {_fmt(row['invariance']):>10}"
            f" {_fmt(row['variant_false_refusal']):>13}"
        )
    print(
        f"invariance {_fmt(result['invariance'])}, answerable variants refused "
        f"{_fmt(result['variant_false_refusal'])} ({result['variants']} variants of "
        f"{result['questions']} questions)"
    )
    if result["variants_of_refused_originals"]:
        print(
            f"({result['variants_of_refused_originals']} variants of "
            f"{result['originals_refused']} refused originals are not in invariance)"
        )
    if args.out:
        args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
