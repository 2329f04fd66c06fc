"""Which sentences make quiz items, and which words in them can be asked about.

A fact is a sentence of a passage, cleaned of its attribution ("As summarised by SCIE, "), with
one target in it: a figure (a count or a percentage) or a key term of a known kind (a type of
harm, an agency, a group of children or adults). Sentences about the documents themselves
(pages, chapters, slides, sources) or hedged ones ("unclear", "not confirmed") are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.gaps import GAP
from assistant.text_features import key_terms, words

ATTRIBUTION = re.compile(
    r"^(?:As (?:summarised|reported|described|noted|highlighted)(?: by| in| on)? [^,]{1,80}"
    r"|According to [^,]{1,80}|As the [^,]{1,80} (?:summarise|put|describe)s? it)"
    r",\s+"
)
# Sentences about the briefings and their sources, not about children and practice.
META = re.compile(
    r"\b(?:page|pages|chapter|chapters|contents|slides?|deck|briefings?|newsletter|blog|excerpt|"
    r"copyright|licence|subtitle|title|published|publication|posted|press|news|newspaper|"
    r"coverage|background|foreword|author|figure of|uncertain|unclear|not clear|garbled|cut off|"
    r"confirmed|probably|may be|differ|confusing|correct total|source|sources|reference list)\b",
    re.IGNORECASE,
)
CONTEXT_OPENERS = frozenset(
    "it this these they he she his her its their that those such both there here".split()
)
FINDING = re.compile(
    r"\b(?:found|finds|find|show|shows|showed|highlights?|stress(?:es)?|need|needs|should|must|"
    r"recommend\w*|risk|risks|signs?|warning|key|most|present|involved|concerned|known)\b",
    re.IGNORECASE,
)
NUMBER = re.compile(r"(?<![\w.,-])\d+(?:[.,]\d+)*(?:%|(?= per ?cent))?(?![\w-]|[.,]\d)")
MONTHS = "January February March April May June July August September October November December"
NOT_A_FIGURE = re.compile(
    rf"(?:\b(?:{'|'.join(MONTHS.split())})\s*$)|(?:\b(?:page|pages|chapter|p|pp|section|under|"
    rf"aged?|Act|Together|v)\.?\s*$)",
    re.IGNORECASE,
)
DAY_OF_MONTH = re.compile(rf"^\s*(?:{'|'.join(MONTHS.split())})\b")
OPENERS = re.compile(
    r"^(?:In contrast|By contrast|However|Instead|Similarly|Likewise|Over that time|Also|Then)\b"
)
# Term uses where another term of the group would not read right ("non-accidental arrest").
FIXED_PHRASES = re.compile(r"non-accidental\s+$|\bDepartment (?:for|of)\s+$", re.IGNORECASE)
# A figure given as a bound is not one answer: below "more than 20", 17 is true as well.
BOUND = re.compile(
    r"\b(?:more than|over|at least|fewer than|less than|under|up to|nearly|almost|below|above)"
    r"\s*$",
    re.IGNORECASE,
)
FRACTIONS = re.compile(r"\b(?:half|third|thirds|quarter|quarters)\b", re.IGNORECASE)

# Interchangeable terms: a distractor comes from its answer's group. Each group is one
# grammatical kind, so the blank reads right whichever option fills it.
TERM_GROUPS: dict[str, tuple[str, ...]] = {
    # Three kinds of harm, kept apart so that no option is a category error ("problems such as
    # sexual exploitation" among parents' problems) that any learner rules out at a glance.
    "maltreatment": (
        "neglect",
        "physical abuse",
        "sexual abuse",
        "emotional abuse",
    ),
    "family stress": (
        "domestic abuse",
        "domestic violence",
        "poverty",
        "substance misuse",
        "alcohol misuse",
        "drug misuse",
        "parental mental ill health",
    ),
    "outside harm": (
        "criminal exploitation",
        "sexual exploitation",
        "knife crime",
        "gang violence",
        "self-harm",
    ),
    "agency": (
        "police",
        "schools",
        "health services",
        "children's social care",
        "housing services",
        "the police",
        "education",
        "social care",
        "health visitors",
        "youth offending teams",
    ),
    "children": (
        "babies",
        "infants",
        "teenagers",
        "adolescents",
        "toddlers",
        "siblings",
        "children in care",
        "young carers",
    ),
    "adults": (
        "fathers",
        "mothers",
        "parents",
        "grandparents",
        "step-parents",
        "foster carers",
    ),
    "moment": (
        "school exclusion",
        "arrest",
        "injury",
        "a move of home",
        "suicide",
    ),
    "behaviour": (
        "going missing",
        "being arrested",
        "being excluded from school",
        "carrying a knife",
        "self-harming",
        "misusing drugs",
    ),
}

# Terms that say (nearly) the same thing: never each other's distractor; cloze accepts them.
SYNONYMS: tuple[frozenset[str], ...] = (
    frozenset({"babies", "infants"}),
    frozenset({"teenagers", "adolescents"}),
    frozenset({"police", "the police"}),
    frozenset({"social care", "children's social care"}),
    frozenset({"education", "schools"}),
    frozenset({"domestic abuse", "domestic violence"}),
    frozenset({"substance misuse", "drug misuse", "alcohol misuse"}),
)


# Where a term is one item of a list or an example ("such as X and Y"), or sits under a loose
# quantity ("X featured in more than half of cases"), another term of its group could be true as
# well: the passage not saying it does not make it false. Such terms are not asked about.
OPEN_WORDS = re.compile(
    r"\b(?:such as|including|include|includes|included|for example|e\.g\.|among|more than|"
    r"at least|over half|half|third|thirds|quarter|quarters|many|some|several|"
    r"(?<!most )often|(?<!most )frequently|commonly|also)\b",
    re.IGNORECASE,
)
LIST_BEFORE = re.compile(r"(?:,|;|\band|\bor|/)\s*$", re.IGNORECASE)
# A comma after the term starts a list only when an "and"/"or" follows within the clause.
LIST_AFTER = re.compile(r"^\s*(?:,[^;:.]*\b(?:and|or)\b|;|and\b|or\b|/)", re.IGNORECASE)
CLAUSE_END = re.compile(r"[;:.?!]")


def open_ended(text: str, start: int, end: int) -> bool:
    """The term at text[start:end] is a list item, an example or under a loose quantity."""
    before, after = text[:start], text[end:]
    if LIST_BEFORE.search(before) or LIST_AFTER.match(after):
        return True
    clause_start = max((m.end() for m in CLAUSE_END.finditer(before)), default=0)
    stop = CLAUSE_END.search(after)
    clause = before[clause_start:] + " " + (after[: stop.start()] if stop else after)
    return bool(OPEN_WORDS.search(clause))


def synonyms(term: str) -> set[str]:
    """Other terms that would also be true in place of `term` (lower-cased)."""
    lowered = term.lower()
    return {t for group in SYNONYMS if lowered in group for t in group} - {lowered}


@dataclass(frozen=True)
class Fact:
    """One askable target in one sentence: `text[start:end] == value`."""

    quote: str  # the sentence exactly as in the passage
    text: str  # the sentence as stems show it (attribution removed)
    start: int
    end: int
    value: str
    kind: str  # "percent", "count" or "term:<group>"

    @property
    def is_figure(self) -> bool:
        return not self.kind.startswith("term:")

    def blanked(self, blank: str = "_____") -> str:
        return self.text[: self.start] + blank + self.text[self.end :]

    def filled(self, option: str) -> str:
        return self.text[: self.start] + option + self.text[self.end :]


def clean_sentence(quote: str) -> str:
    """The sentence without its attribution, capitalised again."""
    text = ATTRIBUTION.sub("", quote.strip(), count=1)
    return text[:1].upper() + text[1:]


def usable(text: str) -> bool:
    """A standalone statement about safeguarding: not about the sources, not hedged, not
    leaning on a previous sentence, of a readable length."""
    tokens = words(text)
    if not 7 <= len(tokens) <= 45 or text.startswith("(") or not text.endswith("."):
        return False
    if tokens[0] in CONTEXT_OPENERS or OPENERS.match(text) or "\n" in text:
        return False
    if META.search(text) or GAP.search(text):
        return False
    return not re.search(r"[;:]\s*$|\bone of\b|\b(?:these|those)\b", text, re.IGNORECASE)


def informativeness(text: str) -> float:
    """How much a trainer would want to ask about it: figures, findings, key terms."""
    score = 0.4 * min(len(key_terms(text)), 3)
    score += 0.5 if FINDING.search(text) else 0.0
    score += 0.6 if NUMBER.search(text) else 0.0
    return score


def figure_kind(value: str) -> str:
    return "percent" if value.endswith("%") else "count"


def is_year(value: str) -> bool:
    return value.isdigit() and len(value) == 4 and value[:2] in ("19", "20")


def figure_facts(quote: str, text: str) -> list[Fact]:
    """Counts and percentages that can be blanked without a giveaway."""
    found = []
    all_numbers = [m.group(0).rstrip("%") for m in NUMBER.finditer(text)]
    for match in NUMBER.finditer(text):
        value = match.group(0)
        bare = value.rstrip("%")
        if is_year(bare) or bare in ("0", "1") or all_numbers.count(bare) > 1:
            continue
        before, after = text[: match.start()], text[match.end() :]
        if NOT_A_FIGURE.search(before) or DAY_OF_MONTH.match(after):
            continue
        if BOUND.search(before):
            continue  # "more than 20 years": every smaller option would be true as well
        if re.match(r"\s*(?:-|–|to)\s*\d", after):
            continue
        if value.endswith("%") and FRACTIONS.search(text):
            continue  # "three-quarters (75%)" would give the answer away
        found.append(Fact(quote, text, match.start(), match.end(), value, figure_kind(value)))
    return found


def term_facts(quote: str, text: str) -> list[Fact]:
    """Key terms of a known group, appearing once, not after "a"/"an" (which would hint)."""
    lowered = text.lower()
    found: list[Fact] = []
    taken: list[tuple[int, int]] = []
    terms = sorted(
        ((t, g) for g, group in TERM_GROUPS.items() for t in group), key=lambda tg: -len(tg[0])
    )
    for term, group in terms:
        hits = list(re.finditer(rf"(?<![\w'-]){re.escape(term)}(?![\w'-])", lowered))
        if len(hits) != 1:
            continue
        start, end = hits[0].span()
        if any(start < b and a < end for a, b in taken):
            continue
        taken.append((start, end))
        if re.search(r"\b(?:a|an)\s+$", lowered[:start]) or FIXED_PHRASES.search(text[:start]):
            continue
        if start > 0 and text[start].isupper():
            continue  # part of a name ("Department for Education")
        if lowered[end:].startswith(" blindness") or open_ended(text, start, end):
            continue
        found.append(Fact(quote, text, start, end, text[start:end], f"term:{group}"))
    return found


def facts_in(quote: str) -> list[Fact]:
    """Every askable target in a passage sentence, figures first; none for unusable ones."""
    text = clean_sentence(quote)
    if not usable(text):
        return []
    return figure_facts(quote, text) + term_facts(quote, text)
