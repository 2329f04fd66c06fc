"""Questions about another publication: "what did the Panel's SUDI review find?" asks about a
report the index does not hold, even when the briefings mention that it exists (by its date or
its subject). Quoting the mention would answer a different question, so the answerer refuses."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.knowledge import CorpusKnowledge

# A named publication: one to three words before "review", "report", "inspection" or "inquiry",
# the one just before it a name (capitalised, an acronym or a year): "the Jay Review", "the
# HMICFRS inspection", "the Welsh Senedd's report", "the Panel's SUDI review".
PUBLICATION = re.compile(
    r"\b((?:[\w'’-]+\s+){0,2}(?:[A-Z][\w'’-]*|(?:19|20)\d\d(?:-\d\d)?)\s+"
    r"(?:[Rr]eview|[Rr]eport|[Ii]nspection|[Ii]nquiry))\b(?!s)"
)
# Words before "review"/"report" that say whose it is without naming another publication; the
# words of the indexed reports' own titles and names (corpus manifest) count as well.
GENERIC = frozenset("the this that its their first national annual it was to a an of in on".split())

# "when did the Panel announce its SUDI review?" asks about the announcement, which the briefings
# may well state, not about what the other publication says.
EVENT = re.compile(r"\b(?:announc|publish|launch|commission)\w*\s+(?:\w+\s+){0,3}$", re.IGNORECASE)

LEADING = re.compile(r"^(?:(?:what|did|does|do|was|is|in|the)\s+)+", re.IGNORECASE)


def ours(word: str, knowledge: CorpusKnowledge) -> bool:
    """A word that says whose report it is, or belongs to an indexed report's name."""
    word = word.strip("'’").lower().removesuffix("'s").removesuffix("’s")
    return (
        word in GENERIC
        or word in knowledge.own_words
        or word.removesuffix("s") in (knowledge.own_words)
    )


def other_publication(question: str, knowledge: CorpusKnowledge) -> str | None:
    """The name of a publication the question asks about that is none of the indexed reports."""
    for match in PUBLICATION.finditer(question):
        phrase = match.group(1)
        if any(p.search(phrase) for p in knowledge.report_names.values()):
            continue
        if knowledge.is_known_name(phrase):
            continue  # "Child Safeguarding Practice Review (Panel)" names the Panel
        qualifiers = LEADING.sub("", phrase).split()[:-1]
        if all(ours(w, knowledge) for w in qualifiers):
            continue
        if match.start() == 0 or not qualifiers:  # a capital that only starts the question
            continue
        if EVENT.search(question[: match.start() + phrase.rfind(qualifiers[-1])]):
            continue
        return LEADING.sub("", phrase)
    return None


# "the Panel's second annual report", "the 2020 annual report", "the annual report for 2021-22".
ANNUAL = re.compile(
    r"\b(?:(?P<nth>second|third|fourth|fifth|latest|newest|most recent|next|later)\s+)?"
    r"(?:(?:panel'?s?|dfe'?s?)\s+)?(?:(?P<month>[A-Z][a-z]+\s+)?(?P<before>(?:19|20)\d\d"
    r"(?:\s*(?:-|–|/|to)\s*\d{2,4})?)\s+)?annual reports?"
    r"(?:\s+(?:for|of|covering|from)\s+(?P<after>(?:19|20)\d\d(?:\s*(?:-|–|/|to)\s*\d{2,4})?))?",
    re.IGNORECASE,
)
YEAR = re.compile(r"(?:19|20)\d\d|(?<=[-–/])\d\d\b|(?<=to )\d\d\b")


def years(text: str) -> set[int]:
    """Calendar years a period names: "2018 to 2019" and "2018-19" both give {2018, 2019}."""
    found = YEAR.findall(text)
    full = [int(y) for y in found if len(y) == 4]
    short = [int(y) + (full[0] // 100) * 100 for y in found if len(y) == 2 and full]
    return set(full + short)


@lru_cache(maxsize=8)
def annual_report_years(titles: tuple[str, ...]) -> frozenset[int]:
    """The years the annual reports among these titles cover (worked out once per index: at
    1,000 reports, 4 ms a question)."""
    return frozenset(y for t in titles if re.search("annual report", t, re.I) for y in years(t))


def other_annual_report(question: str, own_titles: tuple[str, ...]) -> str | None:
    """The annual report a question names by a later edition or by a year that none of the
    indexed annual reports covers, e.g. "the Panel's 2020 annual report" when the index holds the
    annual report 2018 to 2019 (published in 2020; a month before the year reads as that date)."""
    own = annual_report_years(own_titles)
    for match in ANNUAL.finditer(question):
        period = match.group("after") or (None if match.group("month") else match.group("before"))
        if match.group("nth") or (period and own and not years(period) <= own):
            return match.group(0).strip()
    return None
