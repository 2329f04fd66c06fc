"""What a question asks for (a count, a person, a date, a named body) and whether a sentence gives
it: "how many children?" is answered by "404 children", not by a sentence that shares its words."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from assistant.text_features import STOPWORDS, _stemmer, specific_terms, words

Kind = Literal["count", "money", "person", "date", "duration", "named", "reason", "signs"]

# Words that end the noun phrase after "how many" / "which" ("how many SCRs were ..."); nouns the
# general stop list holds ("reviews", "reports") are kept, since they are what is counted.
FUNCTION_WORDS = STOPWORDS - {"report", "reports", "review", "reviews", "one"}
DETERMINERS = frozenset("of the those these all their its his her".split())
SAME = {"kid": "child", "kids": "children", "youngsters": "children", "teens": "teenagers"}
COUNT = re.compile(
    r"(?:\bhow many|\bnumber of|\bwhat (?:share|percentage|proportion|fraction|number|per ?cent|%)"
    r"(?: of)?)\s+((?:the |those |these |all )?[\w' -]+)",
    re.IGNORECASE,
)
MONEY = re.compile(
    r"\bhow much\b.*\b(?:cost|costs|spend|spent|pay|paid|fund|funding|fine|worth|money|budget|"
    r"invest\w*)\b",
    re.IGNORECASE,
)
MONEY_TEXT = re.compile(r"[£$€]\s?\d|\b\d+(?:\.\d+)?\s?(?:million|billion|bn)\b|\bpounds\b", re.I)
# A limit is a count of what it limits: "the maximum caseload" is answered by "18 cases".
LIMIT = re.compile(r"\b(?:maximum|minimum)\s+(?:number of\s+)?([\w' -]+)", re.IGNORECASE)
# "how long is the report, page-wise?" asks for pages, not time.
DURATION = re.compile(
    r"\bhow long\b(?!.*\b(?:pages?|page-wise|words?)\b)"
    r"|\b(?:timescales?|time limits?|deadlines?)\b",
    re.IGNORECASE,
)
TIME_UNITS = frozenset("hour hours day days week weeks month months year years".split())
PLAIN_COUNT = re.compile(r"\bhow (?:much|often)\b|\bwhat (?:share|percentage|proportion)\b", re.I)
REASON = re.compile(
    r"^\W*(?:(?:and|so|but|then|ok|okay)\W+)?(?:why|how come)\b"
    r"|\b(?:what|which) (?:were |are |was |is )?(?:the )?(?:reasons?|causes?|drivers?)\b"
    r"|\bwhat (?:led|caused|drove)\b",
    re.IGNORECASE,
)
# A reason is given by a sentence that says what caused or explains something.
REASON_TEXT = re.compile(
    r"\b(?:because|due to|owing to|as a result|result(?:ed|s|ing)? (?:in|from)|led to|leads? to|"
    r"caus\w*|meant that|so that|reasons?|driven by|contribut\w*|explain\w*|underl\w*|linked to|"
    r"made it|left (?:them|children|young people))\b",
    re.IGNORECASE,
)
# "What are the signs of ...?": signs, features, indicators are given as a list of them.
SIGNS = re.compile(
    r"\b(?:signs?|indicators?|red flags?|warning signs?|clues?|features|characteristics|"
    r"risk factors|vulnerabilit\w+|what to look (?:out )?for|tell-tale)\b",
    re.IGNORECASE,
)
LIST_TEXT = re.compile(
    r"\b(?:such as|including|includes?|for example|e\.g\.)|,[^,.;]+,|,[^,.;]+\band\b",
    re.IGNORECASE,
)
PERSON = re.compile(r"^\W*(?:(?:and|so|but|then)\s+)?who\b|\bwhich (?:person|people)\b", re.I)
DATE = re.compile(r"^\W*(?:(?:and|so|but|then)\s+)?when\b|\bwhat (?:year|date|month)\b", re.I)
NAMED = re.compile(r"\bwhich (?:of the |of their |one of the )?([\w' -]+)", re.IGNORECASE)
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
DATE_TEXT = re.compile(rf"\b(?:\d{{1,2}} )?(?:{MONTHS})(?: \d{{4}})?\b|\b(?:19|20)\d\d\b")
_ON = rf"(?:\d{{1,2}} )?(?:{MONTHS})(?: \d{{4}})?|(?:19|20)\d\d"
# "from April 2018 to March 2020" says how long something ran as well as a figure of time would
DATE_SPAN = re.compile(rf"\b(?:from|between)\s+(?:{_ON})\s+(?:to|until|till|and)\s+(?:{_ON})\b")
QUANTITY_TOKEN = re.compile(
    r"^\d|^(?:half|third|thirds|quarter|quarters|three-quarters|two-thirds|majority|minority|"
    r"most|dozen|hundreds?|thousands?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
    r"twelve|fifteen|twenty|thirty|forty|fifty)$"
)
# A person's name: two or three capitalised words, none of them a word that starts bodies,
# places or documents rather than people.
NAME = re.compile(r"\b[A-Z][a-z]+(?: [A-Z]\.)?(?: [A-Z][a-z]+(?:-[A-Z][a-z]+)?){1,2}\b")
NOT_NAME = frozenset(
    """child children safeguarding practice review reviews panel department university office
    home local national annual report government education council police health social
    england wales scotland ireland united kingdom london research news daily times guardian
    telegraph serious case cases analysis institute association network learning evidence
    it was hard escape the first pathways harm protection complexity challenge secretary state
    minister ministers house commons lords parliament committee board boards services service
    county borough city district trust nhs january february march april may june july august
    september october november december""".split()
)
# Nouns too general to pick out a name: every report title has "Report" or "Review" in it.
GENERIC = frozenset({"report", "review", "one", "two", "three", "part", "way", "thing"})
PERIOD = re.compile(r"\b(?:19|20)\d\d\s*(?:-|–|to)\s*\d{2,4}\b")  # "2014-17" is no count
YEAR = re.compile(r"^(?:19|20)\d\d$")
ORDINAL = re.compile(
    r"^(?:\d+(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)$"
)
# A case review counts children by their cases ("289 of the 538 cases were known to services").
COUNTED_AS = {"child": "case", "children": "case"}
PARTITIVE = re.compile(r"of (?:the|those|these)\b", re.IGNORECASE)
WINDOW = 4  # words after a figure in which the counted noun must appear ("404 children")
BEFORE = 6  # or before a share: "neglect was present in about three-quarters (75%)"
PROPORTION = re.compile(
    r"^(?:\d+(?:\.\d+)?%|half|third|thirds|quarter|quarters|three-quarters|two-thirds|"
    r"majority|minority|most)$"
)


@dataclass(frozen=True)
class AnswerType:
    """The kind of answer wanted and, for counts and named things, the stems of the noun."""

    kind: Kind
    nouns: frozenset[str]
    stated: frozenset[str]  # figures the question states itself, which cannot be its answer
    ordinal: bool = False  # "what number analysis is it?" is answered by "the eighth"
    share: bool = False  # a share may follow what it is of: "neglect was present in 75%"


def stems(tokens: list[str]) -> frozenset[str]:
    return frozenset(_stemmer().stemWords(tokens))


def noun_phrase(text: str, limit: int = 3) -> list[str]:
    """The words after a question word, up to the first function word ("SCRs were" -> SCRs);
    none when a verb follows at once ("how many did they ...": the noun is elided)."""
    found: list[str] = []
    for token in words(text):
        if token in DETERMINERS or token.isdigit():
            if found:
                break
            continue
        if token in FUNCTION_WORDS:
            break
        if token.endswith("ly") and not found:
            continue  # an adverb ("how many actually had ...") is not what is counted
        if token.endswith("ed") and len(token) > 4 and not found:
            break  # a verb at once: "how many involved a death" counts what came before
        found.append(SAME.get(token, token))
        if len(found) == limit:
            break
    return found


def answer_type(question: str) -> AnswerType | None:
    """What the question asks for, or None for an open question ("what did the Panel say")."""
    if REASON.search(question):
        return AnswerType("reason", frozenset(), frozenset())  # not a figure: a reason
    stated = frozenset(specific_terms(question))
    if match := COUNT.search(question):
        ordinal = "what number" in match.group(0).lower()
        share = not re.match(r"how many|number of|what number", match.group(0), re.IGNORECASE)
        # "how many of the rapid reviews led to ..." asks for a part: the group's own size is no
        # answer ("538 rapid reviews"), a proportion or "120 of them" is
        share = share or bool(PARTITIVE.match(match.group(1)))
        counted = noun_phrase(match.group(1))
        elsewhere = set(words(question[: match.start()] + question[match.end(1) :]))
        rest = set(words(match.group(1))) - set(counted)  # "... across the serious case reviews"
        counted += [
            COUNTED_AS[n]
            for n in counted
            if n in COUNTED_AS and COUNTED_AS[n] not in rest | elsewhere
        ]
        return AnswerType("count", stems(counted), stated, ordinal, share)
    if match := LIMIT.search(question):
        return AnswerType("count", stems(noun_phrase(match.group(1))), stated)
    if MONEY.search(question):
        return AnswerType("money", frozenset(), stated)
    if PLAIN_COUNT.search(question):
        return AnswerType("count", frozenset(), stated)
    if PERSON.search(question):
        return AnswerType("person", frozenset(), stated)
    if DATE.search(question):
        return AnswerType("date", frozenset(), stated)
    if DURATION.search(question):
        return AnswerType("duration", frozenset(), stated)
    if SIGNS.search(question):
        return AnswerType("signs", frozenset(), stated)
    if match := NAMED.search(question):
        nouns = stems(noun_phrase(match.group(1))) - GENERIC
        return AnswerType("named", nouns, stated) if nouns else None
    return None


def gives_count(wanted: AnswerType, sentence: str) -> bool:
    """A figure the question did not state, followed closely by the counted noun if there is one;
    for a share, a proportion ("27%", "three-quarters", "144 of the 538")."""
    tokens = [SAME.get(t, t) for t in words(PERIOD.sub(" period ", sentence))]
    stemmed = _stemmer().stemWords(tokens)
    for i, token in enumerate(tokens):
        is_figure = QUANTITY_TOKEN.match(token) or wanted.ordinal and ORDINAL.match(token)
        if not is_figure or YEAR.match(token) or token in wanted.stated:
            continue
        proportion = PROPORTION.match(token) or "of" in tokens[i + 1 : i + 3]  # "144 of the 538"
        if wanted.share and not proportion:
            continue  # a share is a proportion, not a count ("500 incidents")
        near = set(stemmed[i + 1 : i + 1 + WINDOW])
        if wanted.share:  # "neglect was present in 75%"
            near |= set(stemmed[max(0, i - BEFORE) : i])
        if not wanted.nouns or wanted.nouns & near:
            return True
    return False


def gives_duration(wanted: AnswerType, sentence: str) -> bool:
    """A figure the question did not state, followed by a unit of time ("seven years", "15
    working days"), or a span from one date to another."""
    if DATE_SPAN.search(sentence):
        return True
    tokens = words(sentence)
    for i, token in enumerate(tokens):
        figure = QUANTITY_TOKEN.match(token) and not YEAR.match(token)
        if figure and token not in wanted.stated and TIME_UNITS & set(tokens[i + 1 : i + 3]):
            return True
    return False


def person_names(sentence: str) -> set[str]:
    """Runs of capitalised words that look like people's names ("Edward Timpson")."""
    found = set()
    for match in NAME.finditer(sentence):
        parts = [p.lower().rstrip(".") for p in match.group(0).split()]
        if not any(p in NOT_NAME for p in parts):
            found.add(match.group(0))
    return found


def gives_named(wanted: AnswerType, sentence: str) -> bool:
    """A capitalised name containing the asked-for noun ("University of East Anglia")."""
    capitalised = [w for w in re.findall(r"\b[A-Z][a-z]+", sentence[1:])]
    return bool(wanted.nouns & stems([w.lower() for w in capitalised]))


def gives(wanted: AnswerType | None, question: str, sentence: str) -> bool:
    """Whether the sentence holds an answer of the wanted kind that the question lacks."""
    if wanted is None:
        return False
    if wanted.kind == "count":
        return gives_count(wanted, sentence)
    if wanted.kind == "money":
        return bool(MONEY_TEXT.search(sentence))
    if wanted.kind == "person":
        return bool(person_names(sentence) - person_names(question))
    if wanted.kind == "duration":
        return gives_duration(wanted, sentence)
    if wanted.kind == "date":
        return bool(set(DATE_TEXT.findall(sentence)) - set(DATE_TEXT.findall(question)))
    if wanted.kind == "reason":
        return bool(REASON_TEXT.search(sentence))
    if wanted.kind == "signs":
        return bool(LIST_TEXT.search(sentence))
    return gives_named(wanted, sentence)
