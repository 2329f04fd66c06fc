"""Checks generated quiz items the way issue 6 asks, with the evaluation's support judge.

For each item: is the fact its answer asserts supported by the cited passage; how many options
would the passage (or, for "which report", each report's nearest passages) support; is the
quote the passage's own text. Over a set: duplicate stems and how evenly answers are placed.

    python -m eval.quiz_check                 # 100 items over the briefings index, prints rates
    python -m eval.quiz_check --json out.json
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from dataclasses import asdict, dataclass

from assistant.embedder import Embedder, get_embedder
from assistant.quiz.builder import NothingToAsk, QuizBuilder
from assistant.quiz.models import QuizItem, QuizRequest
from assistant.quiz.service import report_labels
from assistant.retrieval import HybridRetriever
from assistant.settings import Settings, get_settings
from assistant.store import IndexStore, open_store
from assistant.support import SupportJudge

TOPICS = (
    "neglect",
    "criminal exploitation",
    "babies",
    "poverty",
    "schools and education",
    "multi-agency working",
    "adolescents and harm outside the family",
    "rapid reviews and notifications",
    "domestic abuse and parental mental health",
    "children's social care involvement",
    "going missing",
    "serious case reviews",
    "police and knife crime",
    "fathers and mothers",
    "health services",
    "recommendations to government",
)
RIVAL_PASSAGES = 3


@dataclass(frozen=True)
class ItemCheck:
    item_id: str
    kind: str
    answer_supported: bool
    supported_options: int  # options the evidence supports (1 is right; 0 or 2+ is a fault)
    quote_in_passage: bool


@dataclass(frozen=True)
class Rates:
    items: int
    answer_supported: float
    two_options_supported: int
    no_option_supported: int
    quote_exact: float
    duplicate_stems: int
    positions: dict[str, dict[int, int]]
    kinds: dict[str, int]


def swap(statement: str, answer: str, option: str) -> str | None:
    """The statement with the answer replaced by another option (None if not found once)."""
    pattern = rf"(?<![\w.,-]){re.escape(answer)}(?![\w-]|[.,]\d)"
    if len(re.findall(pattern, statement)) != 1:
        return None
    return re.sub(pattern, lambda _: option, statement)


class QuizChecker:
    """Judges items against their cited passages (and rival reports' passages)."""

    def __init__(self, store: IndexStore, embedder: Embedder, labels: dict[str, str]) -> None:
        self.store = store
        self.judge = SupportJudge(embedder)
        self.retriever = HybridRetriever(store, embedder)
        self.report_of = {label: report for report, label in labels.items()}

    def supported(self, statement: str, passage_id: str) -> bool:
        passage = self.store.passage(passage_id)
        if passage is None:
            return False
        s = self.store.sentences(passage_id)
        return self.judge.run(statement, passage.text, s.texts(passage), s.vectors).supported

    def report_supports(self, statement: str, report_id: str, cited: str) -> bool:
        hits = self.retriever.run(statement, RIVAL_PASSAGES, [report_id])
        ids = {cited} if report_id == self.store.passage(cited).report_id else set()  # type: ignore[union-attr]
        ids |= {h.passage.id for h in hits}
        return any(self.supported(statement, pid) for pid in ids)

    def option_support(self, item: QuizItem) -> int:
        cited = item.citation.passage_id
        if item.kind == "tf":
            claim = item.stem.split(": ", 1)[1]
            return int(self.supported(claim, cited) == (item.answer == "True"))
        if item.kind == "cloze":
            return int(self.supported(item.statement, cited))
        if item.kind == "report":
            return sum(
                self.report_supports(item.statement, self.report_of[o], cited) for o in item.options
            )
        count = 0
        for option in item.options:
            filled = swap(item.statement, item.answer, option)
            count += 1 if filled is None else int(self.supported(filled, cited))
        return count

    def check(self, item: QuizItem) -> ItemCheck:
        passage = self.store.passage(item.citation.passage_id)
        return ItemCheck(
            item_id=item.id,
            kind=item.kind,
            answer_supported=self.supported(item.statement, item.citation.passage_id),
            supported_options=self.option_support(item),
            quote_in_passage=passage is not None and item.citation.quote in passage.text,
        )


def positions(quizzes: list[list[QuizItem]]) -> dict[str, dict[int, int]]:
    """How often the answer sits at each position, per kind with options."""
    found: dict[str, Counter[int]] = {}
    for items in quizzes:
        for item in items:
            if item.answer_index is not None:
                found.setdefault(item.kind, Counter())[item.answer_index] += 1
    return {k: dict(sorted(c.items())) for k, c in sorted(found.items())}


def rates(quizzes: list[list[QuizItem]], checks: list[ItemCheck]) -> Rates:
    items = [i for q in quizzes for i in q]
    duplicates = len(items) - len({" ".join(i.stem.lower().split()) for i in items})
    return Rates(
        items=len(checks),
        answer_supported=round(sum(c.answer_supported for c in checks) / len(checks), 3),
        two_options_supported=sum(c.supported_options >= 2 for c in checks),
        no_option_supported=sum(c.supported_options == 0 for c in checks),
        quote_exact=round(sum(c.quote_in_passage for c in checks) / len(checks), 3),
        duplicate_stems=duplicates,
        positions=positions(quizzes),
        kinds=dict(Counter(i.kind for i in items)),
    )


def default_requests(per_quiz: int = 10) -> list[QuizRequest]:
    """A quiz per topic, then one per report (what a trainer would ask for)."""
    topics = [QuizRequest(topic=t, n=per_quiz) for t in TOPICS]
    reports = ["triennial-2014-17", "panel-annual-2018-19", "hard-to-escape"]
    return topics + [QuizRequest(report_ids=[r], n=per_quiz) for r in reports]


def generate(
    builder: QuizBuilder, total: int = 100, requests: list[QuizRequest] | None = None
) -> list[list[QuizItem]]:
    """Quizzes for successive requests until `total` items are made, no stem twice."""
    requests = requests if requests is not None else default_requests()
    quizzes: list[list[QuizItem]] = []
    asked: set[tuple[str, str]] = set()  # (kind, sentence): no stem can repeat across the set
    for request in requests:
        if len(asked) >= total:
            break
        request = request.model_copy(update={"n": min(request.n, total - len(asked))})
        try:
            items, _ = builder.run(request, avoid=asked)
        except NothingToAsk:
            continue
        quizzes.append(items)
        asked |= {(i.kind, i.statement) for i in items}
    return quizzes


def run(settings: Settings, total: int = 100) -> tuple[Rates, list[list[QuizItem]]]:
    """Generate `total` items across topics on the settings' index and check them all."""
    store = open_store(settings)
    labels = report_labels(settings)
    embedder = get_embedder()
    quizzes = generate(QuizBuilder(store, embedder, labels), total)
    checker = QuizChecker(store, embedder, labels)
    checks = [checker.check(item) for items in quizzes for item in items]
    return rates(quizzes, checks), quizzes


def main(argv: list[str] | None = None) -> int:
    from eval.corpora import ensure_index

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--json", dest="json_path", help="Also write the rates and items here.")
    args = parser.parse_args(argv)
    settings = ensure_index(get_settings(), "briefings")
    result, quizzes = run(settings, args.items)
    for key, value in asdict(result).items():
        print(f"{key:<24} {value}")
    if args.json_path:
        dump = {
            "rates": asdict(result),
            "items": [i.model_dump(mode="json") for q in quizzes for i in q],
        }
        with open(args.json_path, "w", encoding="utf-8") as out:
            json.dump(dump, out, indent=2, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
