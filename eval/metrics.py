"""Pure evaluation metrics: retrieval, answer facts, citation support, refusal and latency.

No I/O and no models: every function takes plain lists and returns numbers, so each one can be
checked on hand-computed cases. `None` means "not applicable" (nothing to score), never zero.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

# Row keys `aggregate` reads as flags for refusal scoring rather than averaging.
REFUSAL_FLAGS = ("refused", "answerable", "expected_refuse")
LATENCY_KEY = "latency_ms"
WORDS_KEY = "words_to_answer"


def normalise_space(text: str) -> str:
    """`text` with every whitespace run collapsed to one space and the ends stripped."""
    return " ".join(text.split())


def _section_parts(section: str) -> list[str]:
    return [normalise_space(part).casefold() for part in section.split(">") if part.strip()]


def section_ends_with(path: str, section: str) -> bool:
    """True when heading path "A > B > C" ends with `section` ("C", "B > C"), whole parts only.

    Parts compare whitespace-normalised and case-insensitively; "C" never matches "BC"."""
    tail = _section_parts(section)
    parts = _section_parts(path)
    return bool(tail) and len(tail) <= len(parts) and parts[-len(tail) :] == tail


def _pages_overlap(pages: list[int] | tuple[int, int], span: tuple[int | None, int | None]) -> bool:
    start, end = span
    if start is None:
        return False
    end = start if end is None else end
    return start <= pages[1] and pages[0] <= end


def is_relevant(
    passage_report: str,
    passage_text: str,
    gold: list[dict[str, Any]],
    *,
    passage_section: str = "",
    passage_pages: tuple[int | None, int | None] = (None, None),
) -> bool:
    """Same report as a gold entry and the text contains its anchor (whitespace-normalised).

    Without an anchor: pages overlap if the entry has pages, else section path ends with it."""
    text = normalise_space(passage_text)
    for entry in gold:
        if entry.get("report") != passage_report:
            continue
        anchor = normalise_space(entry.get("anchor") or "")
        section = normalise_space(entry.get("section") or "")
        pages = entry.get("pages")
        if anchor:
            matched = anchor in text
        elif pages:  # real reports: [first, last] printed pages
            matched = _pages_overlap(pages, passage_pages)
        elif section:
            matched = section_ends_with(passage_section, section)
        else:  # nothing more precise known: the report alone
            matched = True
        if matched:
            return True
    return False


def _check_k(k: int) -> None:
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")


def hit_at_k(relevant: list[bool], k: int) -> float:
    """1.0 when any of the first `k` results is relevant, else 0.0."""
    _check_k(k)
    return 1.0 if any(relevant[:k]) else 0.0


def mrr_at_k(relevant: list[bool], k: int = 10) -> float:
    """Reciprocal rank (from 1) of the first relevant result within the first `k`; 0.0 if none."""
    _check_k(k)
    for rank, is_rel in enumerate(relevant[:k], start=1):
        if is_rel:
            return 1.0 / rank
    return 0.0


def _dcg(gains: Iterable[bool]) -> float:
    return sum(1.0 / math.log2(rank + 1) for rank, gain in enumerate(gains, start=1) if gain)


def ndcg_at_k(relevant: list[bool], k: int = 10, n_relevant: int | None = None) -> float:
    """Binary-gain nDCG@k against an ideal ranking of min(n_relevant, k) relevant results.

    `n_relevant` defaults to the count of True; 0.0 when nothing is relevant."""
    _check_k(k)
    top = relevant[:k]
    wanted = sum(map(bool, relevant)) if n_relevant is None else n_relevant
    # Several passages may match one gold entry: never let the ideal fall below what was found,
    # so the score stays within [0, 1].
    ideal_count = min(k, max(wanted, sum(map(bool, top))))
    if ideal_count <= 0:
        return 0.0
    return _dcg(top) / _dcg([True] * ideal_count)


def _words_before(text: str, pos: int) -> int:
    """Whole words of `text` that end before character `pos` (a word cut by `pos` not counted)."""
    prefix = text[:pos]
    words = len(prefix.split())
    if prefix and not prefix[-1].isspace():
        words -= 1  # the fact starts inside this word, e.g. "(75%)"
    return words


def words_to_answer(texts: list[str], key_facts: list[str]) -> int | None:
    """Words read in rank order before the first key fact (earlier texts in full); None if none.

    Case-sensitive, whitespace-normalised, within one text: a fact split across texts is missed."""
    facts = [normalise_space(fact) for fact in key_facts if fact.strip()]
    read = 0
    for raw in texts:
        text = normalise_space(raw)
        positions = [pos for pos in (text.find(fact) for fact in facts) if pos >= 0]
        if positions:
            return read + _words_before(text, min(positions))
        read += len(text.split())
    return None


def fact_recall(
    answer: str, must_contain: list[str], *, case_sensitive: bool = False
) -> float | None:
    """Share of `must_contain` tokens found in the answer (whitespace-normalised, in any case:
    "children's services" is the fact when a sentence starts "Children's services"); None if
    none."""
    if not must_contain:
        return None
    text = normalise_space(answer)
    tokens = [normalise_space(token) for token in must_contain]
    if not case_sensitive:
        text = text.casefold()
        tokens = [token.casefold() for token in tokens]
    return sum(token in text for token in tokens) / len(tokens)


def _share(flags: list[bool]) -> float | None:
    return sum(map(bool, flags)) / len(flags) if flags else None


def citation_precision(supports: list[bool]) -> float | None:
    """Share of citations whose passage supports the citing sentence; None when no citations.

    One entry per citation occurrence: the same passage cited twice counts twice."""
    return _share(supports)


def citation_recall(sentence_supported: list[bool]) -> float | None:
    """Share of answer sentences supported by at least one of their citations; None if none."""
    return _share(sentence_supported)


def unsupported_rate(sentence_supported: list[bool]) -> float | None:
    """Share of answer sentences that none of their citations supports; None if no sentences."""
    recall = citation_recall(sentence_supported)
    return None if recall is None else 1.0 - recall


def refusal_scores(expected_refuse: list[bool], refused: list[bool]) -> dict[str, float | None]:
    """Precision, recall, F1 (refusal is the positive class), false_refusal_rate, false_answer_rate.

    Edge cases are spelt out below; the two rates are None when there is nothing to divide by."""
    if len(expected_refuse) != len(refused):
        raise ValueError(
            f"expected_refuse and refused differ in length: {len(expected_refuse)} != "
            f"{len(refused)}"
        )
    pairs = [(bool(e), bool(r)) for e, r in zip(expected_refuse, refused, strict=True)]
    tp = sum(e and r for e, r in pairs)
    fp = sum(r and not e for e, r in pairs)
    fn = sum(e and not r for e, r in pairs)
    tn = len(pairs) - tp - fp - fn
    # Nothing refused: precision is 1.0 when nothing should have been, else 0.0 (a system that
    # never refuses earns no precision). Nothing to refuse: recall is 1.0 (nothing missed).
    # Empty input therefore scores 1.0 / 1.0 / 1.0. F1 is 0.0 when precision + recall is 0.
    precision = tp / (tp + fp) if tp + fp else float(tp + fn == 0)
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    answerable = fp + tn
    unanswerable = tp + fn
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "false_refusal_rate": fp / answerable if answerable else None,
        "false_answer_rate": fn / unanswerable if unanswerable else None,
    }


def percentile(values: Iterable[float | None], p: float) -> float | None:
    """The p-th percentile (0-100), linearly interpolated like numpy.percentile.

    None values are skipped; None when no values are left."""
    if not 0 <= p <= 100:
        raise ValueError(f"percentile must be between 0 and 100, got {p}")
    ordered = sorted(float(v) for v in values if v is not None)
    if not ordered:
        return None
    pos = (len(ordered) - 1) * p / 100
    lo = math.floor(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def mean(values: Iterable[float | bool | None]) -> float | None:
    """Arithmetic mean with None skipped (True counts 1); None when nothing is left."""
    kept = [float(v) for v in values if v is not None]
    return sum(kept) / len(kept) if kept else None


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not (isinstance(value, float) and math.isnan(value))


def _expected_refuse(row: Mapping[str, Any]) -> bool | None:
    if isinstance(row.get("expected_refuse"), bool):
        return row["expected_refuse"]
    if isinstance(row.get("answerable"), bool):
        return not row["answerable"]
    return None


def aggregate(rows: Sequence[Mapping[str, Any]]) -> dict[str, float | int | None]:
    """`n`, the mean of each numeric key (None skipped), words_to_answer_median, latency p50/p95.

    Refusal scores come from rows with bool `refused` and `answerable` (or `expected_refuse`)."""
    keys: list[str] = []
    for row in rows:
        keys.extend(k for k in row if k not in keys and k not in REFUSAL_FLAGS)
    out: dict[str, float | int | None] = {"n": len(rows)}
    for key in keys:
        values = [row.get(key) for row in rows]
        numbers = [v for v in values if _is_number(v)]
        if key == LATENCY_KEY:
            out["latency_p50_ms"] = percentile(numbers, 50)
            out["latency_p95_ms"] = percentile(numbers, 95)
            continue
        if not numbers and any(v is not None for v in values):
            continue  # a text field, not a score
        out[key] = mean(numbers)
        if key == WORDS_KEY:
            out["words_to_answer_median"] = percentile(numbers, 50)
    flagged = [
        (expected, row["refused"])
        for row in rows
        if isinstance(row.get("refused"), bool) and (expected := _expected_refuse(row)) is not None
    ]
    if flagged:
        scores = refusal_scores([e for e, _ in flagged], [r for _, r in flagged])
        out["refusal_precision"] = scores["precision"]
        out["refusal_recall"] = scores["recall"]
        out["refusal_f1"] = scores["f1"]
        out["false_refusal_rate"] = scores["false_refusal_rate"]
        out["false_answer_rate"] = scores["false_answer_rate"]
    return out
