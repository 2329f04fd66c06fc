"""Word-level features for answering and the support judge: content words, numbers, negation."""

from __future__ import annotations

import re
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from functools import lru_cache

WORD = re.compile(r"[A-Za-z][A-Za-z'-]*|\d+(?:[.,]\d+)*%?")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NEGATION_WORDS = """not no never none nobody nothing neither nor without cannot n't isn't wasn't
weren't aren't don't doesn't didn't won't fail failed fails lack lacked"""
_STOP_WORDS = """a about above after again against all also am an and any are as at be because been
before being below between both but by can could did do does doing down during each few for from
further had has have having he her here hers herself him himself his how i if in into is it its
itself just me more most my myself of off on once only or other our ours ourselves out over own
same she should so some such than that the their theirs them themselves then there these they
this those through to too under until up very was we were what when where which while who whom
why will with would you your yours yourself yourselves say says said tell told find found report
reports review reviews please much many one ever according i'm i've i'd i'll you're you've
you'd you'll we're we've we'd we'll they're they've they'd they'll he'd she'd"""
NEGATIONS = frozenset(_NEGATION_WORDS.split())
STOPWORDS = frozenset(_STOP_WORDS.split())


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    import Stemmer

    return Stemmer.Stemmer("english")


def words(text: str) -> list[str]:
    """Lower-cased word and number tokens, possessives dropped ("Panel's" -> "panel")."""
    tokens = (w.lower().strip("'-") for w in WORD.findall(text.replace("\u2019", "'")))
    return [t[:-2] if t.endswith("'s") else t for t in tokens]


def content_terms(text: str) -> set[str]:
    """Stemmed content words and numbers (stop words dropped)."""
    kept = [w for w in words(text) if w and w not in STOPWORDS and w not in NEGATIONS]
    return set(_stemmer().stemWords(kept))


def numbers(text: str) -> set[str]:
    """Numbers as written, thousands separators removed ("1,500" -> "1500")."""
    return {n.replace(",", "") for n in NUMBER.findall(text)}


def has_negation(text: str) -> bool:
    return any(w in NEGATIONS for w in words(text))


def overlap(part: AbstractSet[str], whole: AbstractSet[str]) -> float:
    """Share of `part` found in `whole` (1.0 for an empty part)."""
    return len(part & whole) / len(part) if part else 1.0


_QUANTIFIER_WORDS = "all every always never none entire entirely whole only everyone everybody"
QUANTIFIERS = frozenset(_QUANTIFIER_WORDS.split())
# Terms whose swap changes a safeguarding fact: harm types, people, agencies, places of harm.
_KEY_TERM_TEXT = """physical sexual emotional neglect abuse substance alcohol drug drugs domestic
violence housing health police school schools education social care babies baby infants infant
teenagers teenage adolescents adolescent parents fathers mothers missing exclusion excluded arrest
injury suicide gangs gang knife poverty mental death deaths died killed harm"""
KEY_TERMS = frozenset(_KEY_TERM_TEXT.split())
ANTONYMS = {
    "high": "low",
    "low": "high",
    "higher": "lower",
    "lower": "higher",
    "more": "fewer",
    "fewer": "more",
    "most": "least",
    "least": "most",
    "rose": "fell",
    "fell": "rose",
    "increase": "decrease",
    "decrease": "increase",
    "increased": "decreased",
    "decreased": "increased",
    "rising": "falling",
    "falling": "rising",
    "good": "poor",
    "poor": "good",
    "well": "badly",
    "badly": "well",
    "strong": "weak",
    "weak": "strong",
}
CAPITALISED = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]{2,}\b")


def proper_nouns(text: str) -> set[str]:
    """Capitalised words that are not sentence-initial (names of people, places, bodies)."""
    return {m.group(0).lower() for m in CAPITALISED.finditer(text.strip())}


def negated_words(text: str) -> set[str]:
    """The word after each negation ("not completed" -> "completed")."""
    tokens = words(text)
    return {b for a, b in zip(tokens, tokens[1:], strict=False) if a in NEGATIONS}


ACRONYM = re.compile(r"\b[A-Z]{2,}s?\b")


def names(text: str) -> set[str]:
    """Proper nouns and acronyms (GDPR, Scotland), lower-cased, that a question is about; a
    plural's "s" goes ("SCRs" -> "scr") but a capital S stays ("CPS")."""
    return proper_nouns(text) | {
        m.group(0).removesuffix("s").lower() for m in ACRONYM.finditer(text)
    }


# Words for the same group or outcome, so "died" in a question matches "deaths" in a passage.
_KEY_GROUPS = {
    "death": "death deaths died die dies killed dead",
    "baby": "babies baby infants infant",
    "teenager": "teenagers teenager teenage adolescents adolescent",
    "school": "school schools",
    "parent": "parents parent",
    "drug": "drug drugs",
    "gang": "gang gangs",
}
KEY_CANONICAL = {word: key for key, group in _KEY_GROUPS.items() for word in group.split()}


def key_terms(text: str) -> set[str]:
    """The harm types, groups and agencies a text names, in canonical form."""
    return {KEY_CANONICAL.get(w, w) for w in words(text) if w in KEY_TERMS}


SPECIFIC = re.compile(r"\b(\d{4})\s*(?:-|–|to)\s*(\d{2,4})\b|\b\d+(?:[.,]\d+)*%?")
CAPITALISED_RUN = re.compile(r"\b[A-Z][A-Za-z]+(?:\s+(?:of|for|and|the|on)?\s*[A-Z][A-Za-z]+)+")
CONNECTORS = frozenset("of for and the on".split())


def specific_terms(text: str) -> set[str]:
    """Year ranges ("2009-11") and figures ("60%", "482") in normalised form."""
    found = set()
    for match in SPECIFIC.finditer(text):
        if match.group(1):
            found.add(f"{match.group(1)}-{match.group(2)[-2:]}")
        else:
            found.add(match.group(0).replace(",", ""))
    return found


def spelled_out(text: str) -> dict[str, str]:
    """The acronyms of the names a text spells out, each with its name: "Local Government
    Association" -> "lga", and "Department for Education" -> both "de" and "dfe"."""
    found = {}
    for match in CAPITALISED_RUN.finditer(text):
        name = re.sub(r"^The\s+", "", match.group(0))
        parts = name.split()
        found["".join(p[0] for p in parts if p.lower() not in CONNECTORS).lower()] = name
        found["".join(p[0] for p in parts).lower()] = name
    return found


def with_acronyms_spelled_out(text: str, names: Mapping[str, str]) -> str:
    """The text with each acronym the corpus spells out followed by its name ("the LGA" -> "the
    LGA (Local Government Association)"), so that passages using only the name match it."""

    def spell(match: re.Match[str]) -> str:
        token = match.group(0)
        key = token.lower()
        if key not in names and key.endswith("s"):
            key = key[:-1]
        name = names.get(key) if len(key) >= 3 else None
        if name is None or name.lower() in text.lower():
            return token
        return f"{token} ({name})"

    return ACRONYM.sub(spell, text)


def written_out_acronyms(text: str, names: Mapping[str, str]) -> set[str]:
    """The acronyms in `text` whose name the text also writes out (as it does once
    `with_acronyms_spelled_out` has run), lower-cased: the name stands for them."""
    found = set()
    for match in ACRONYM.finditer(text):
        key = match.group(0).lower()
        name = names.get(key) or names.get(key.removesuffix("s"))
        if name and name.lower() in text.lower():
            found.add(key)
    return found
