"""Run a question set through the assistant and score retrieval, answers, citations, refusals."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.answer_schema import Answer
from assistant.compose import lead_for
from assistant.embedder import get_embedder
from assistant.index_schema import Passage
from assistant.pipeline import PipelineError
from assistant.pipeline import make_answerer as build_answerer
from assistant.settings import Settings
from assistant.store import IndexStore, open_store
from assistant.support import SupportJudge
from eval import metrics
from eval.corpora import CorpusName, ensure_index
from eval.judge import judge_accuracy
from eval.questions import (
    EvalError,
    Question,
    known_reports,
    load_questions,
    replay,
    set_path,
)
from eval.report import write_reports

SEGMENT = re.compile(r"(.+?)\s*((?:\[\d+\]\s*)+)", re.S)
MARKER = re.compile(r"\[(\d+)\]")
RETRIEVE_K = 10


def answer_sentences(answer: Answer, store: IndexStore) -> list[tuple[str, list[int]]]:
    """(sentence, cited numbers) pairs, with each paragraph's report label taken off."""
    by_n = {c.n: c for c in answer.citations}
    pairs: list[tuple[str, list[int]]] = []
    for paragraph in answer.answer.split("\n\n"):
        for text, markers in SEGMENT.findall(paragraph):
            numbers = [int(n) for n in MARKER.findall(markers)]
            for n in numbers:
                passage = store.passage(by_n[n].passage_id) if n in by_n else None
                lead = lead_for(passage, store.knowledge) if passage else None
                if lead and text.startswith(lead):
                    text = text[len(lead) :]
            pairs.append((text.strip(), numbers))
    return pairs


def judge_citations(
    answer: Answer, store: IndexStore, judge: SupportJudge
) -> tuple[list[bool], list[bool], list[dict[str, Any]]]:
    """Per-citation support, per-sentence support, and the citations with their verdicts."""
    by_n = {c.n: c for c in answer.citations}
    verdicts: dict[int, bool] = {}
    per_citation: list[bool] = []
    per_sentence: list[bool] = []
    for sentence, numbers in answer_sentences(answer, store):
        supported = []
        for n in numbers:
            passage = store.passage(by_n[n].passage_id) if n in by_n else None
            ok = passage is not None and support(judge, store, sentence, passage)
            verdicts[n] = verdicts.get(n, False) or ok
            supported.append(ok)
        per_citation += supported
        per_sentence.append(any(supported))
    cited = [{**c.model_dump(), "supported": verdicts.get(c.n, False)} for c in answer.citations]
    return per_citation, per_sentence, cited


def support(judge: SupportJudge, store: IndexStore, sentence: str, passage: Passage) -> bool:
    sentences = store.sentences(passage.id)
    return judge.run(sentence, passage.text, sentences.texts(passage), sentences.vectors).supported


def relevance(question: Question, passages: list[Passage]) -> list[bool]:
    gold = [g.model_dump() for g in question.gold]
    return [
        metrics.is_relevant(
            p.report_id,
            p.text,
            gold,
            passage_section=p.section,
            passage_pages=(p.page_start, p.page_end),
        )
        for p in passages
    ]


def retrieval_scores(question: Question, passages: list[Passage]) -> dict[str, Any]:
    """hit@5, MRR@10, nDCG@10 (None for unanswerable questions and those without gold) and words
    to the answer (None when nothing says what the answer contains)."""
    if not question.answerable:
        return {"hit@5": None, "mrr@10": None, "ndcg@10": None, "words_to_answer": None}
    rel = relevance(question, passages)
    facts = question.must_contain or [g.anchor for g in question.gold if g.anchor]
    graded = bool(question.gold)
    return {
        "hit@5": metrics.hit_at_k(rel, 5) if graded else None,
        "mrr@10": metrics.mrr_at_k(rel, 10) if graded else None,
        "ndcg@10": metrics.ndcg_at_k(rel, 10, n_relevant=len(question.gold) or None)
        if graded
        else None,
        "words_to_answer": metrics.words_to_answer([p.text for p in passages], facts)
        if facts
        else None,
    }


GOLD_METRICS = ("hit@5", "mrr@10", "ndcg@10")  # scored only against gold passages


def set_notes(questions: list[Question], baselines: bool) -> list[str]:
    """What the results leave out or score differently for this set, and why."""
    answerable = [q for q in questions if q.answerable]
    ungraded = sum(not q.gold for q in answerable)
    notes = []
    if not any(q.gold for q in questions):
        notes.append(
            "retrieval metrics (hit@5, MRR@10, nDCG@10) left out: the set has no gold passages"
        )
        if baselines:
            notes.append("retrieval baselines left out: they need gold passages")
    elif ungraded:
        notes.append(
            f"retrieval metrics cover the {len(answerable) - ungraded} answerable questions with"
            f" gold passages; {ungraded} without gold are not scored on retrieval"
        )
    if bare := sum(not q.must_contain for q in answerable):
        notes.append(
            f"{bare} answerable question{'s have' if bare > 1 else ' has'} no must_contain"
            " tokens: scored on answering rather than refusing and on citation support only"
        )
    return notes


def quality(scores: dict[str, Any], answerable: bool, refused: bool) -> float:
    """One number to rank questions by (worst first in the report)."""
    if not answerable:
        return 1.0 if refused else 0.0
    if refused:
        return 0.0
    parts = [scores.get(k) for k in ("hit@5", "fact_recall", "citation_precision")]
    values = [float(v) for v in parts if v is not None]
    return round(sum(values) / len(values), 3) if values else 0.0


def score_question(
    question: Question, answerer: Any, store: IndexStore, judge: SupportJudge, graded: bool = True
) -> dict[str, Any]:
    """Answer one question and score everything about it; retrieval is scored on the passages
    the answer was built from (its context), not on a second search, and left out when the
    set is not `graded` (has no gold passages)."""
    started = time.perf_counter()
    answer: Answer = answerer.run(question.question, None, question.history)
    latency = (time.perf_counter() - started) * 1000
    passages = [p for pid in answer.context[:RETRIEVE_K] if (p := store.passage(pid))]
    scores = retrieval_scores(question, passages)
    per_citation, per_sentence, cited = judge_citations(answer, store, judge)
    answered = not answer.refused
    scores |= {
        "fact_recall": metrics.fact_recall(answer.answer, question.must_contain)
        if question.answerable and answered
        else None,
        "citation_precision": metrics.citation_precision(per_citation) if answered else None,
        "citation_recall": metrics.citation_recall(per_sentence) if answered else None,
        "unsupported_rate": metrics.unsupported_rate(per_sentence) if answered else None,
        # the key fact as a user meets it: a refused answerable question has none of it
        "key_fact": (
            0.0 if answer.refused else metrics.fact_recall(answer.answer, question.must_contain)
        )
        if question.answerable and question.must_contain
        else None,
        "refusal_correct": answer.refused == (not question.answerable),
        "latency_ms": round(latency, 1),
    }
    if not graded:
        scores = {k: v for k, v in scores.items() if k not in GOLD_METRICS}
    scores["quality"] = quality(scores, question.answerable, answer.refused)
    rel: list[bool | None] = (
        list(relevance(question, passages))
        if question.answerable and question.gold
        else [None if question.answerable else False] * len(passages)
    )
    return {
        **question.model_dump(include={"id", "question", "kind", "answerable", "reports", "style"}),
        "answer": answer.answer,
        "refused": answer.refused,
        "query": answer.query,
        "warnings": answer.warnings,
        "citations": cited,
        "retrieved": [
            {"passage_id": p.id, "report_id": p.report_id, "section": p.section, "relevant": r}
            for p, r in zip(passages, rel, strict=True)
        ],
        "scores": scores,
    }


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Overall, by question kind and by report."""

    def agg(selected: list[dict[str, Any]]) -> dict[str, Any]:
        flat = [
            {**r["scores"], "refused": r["refused"], "answerable": r["answerable"]}
            for r in selected
        ]
        return metrics.aggregate(flat)

    kinds = sorted({r["kind"] for r in rows})
    reports = sorted({rep for r in rows for rep in r["reports"]})
    styles = sorted({r.get("style") or "" for r in rows} - {""})
    return {
        "overall": agg(rows),
        "by_kind": {k: agg([r for r in rows if r["kind"] == k]) for k in kinds},
        "by_report": {rep: agg([r for r in rows if rep in r["reports"]]) for rep in reports},
        "by_style": {s: agg([r for r in rows if r.get("style") == s]) for s in styles},
    }


def make_answerer(
    settings: Settings, store: IndexStore, mode: str, without_guards: frozenset[str] = frozenset()
) -> Any:
    """The pipeline from the one factory; EvalError when it cannot be built."""
    try:
        return build_answerer(settings, store, mode, without_guards=without_guards)  # type: ignore[arg-type]
    except PipelineError as exc:
        raise EvalError(str(exc)) from exc


def run_set(
    settings: Settings,
    set_name: str,
    *,
    mode: str = "extractive",
    corpus: CorpusName = "briefings",
    out_dir: Path | None = None,
    baselines: bool = False,
    without_guards: frozenset[str] = frozenset(),
    announce: Callable[[str], None] = print,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Score every question of a set; write results.json and the reports when out_dir is set."""
    questions = load_questions(set_path(set_name), known_reports(settings.manifest_path))
    started = time.perf_counter()
    target = ensure_index(settings, corpus, announce)
    store = open_store(target)
    embedder = get_embedder()
    judge = SupportJudge(embedder)
    answerer = make_answerer(target, store, mode, without_guards)
    graded = any(q.gold for q in questions)
    rows: list[dict[str, Any]] = []
    given: dict[str, str] = {}
    for i, question in enumerate(questions, start=1):
        asked = replay(question, given, lambda text: answerer.run(text).answer)
        rows.append(score_question(asked, answerer, store, judge, graded))
        given[question.question] = rows[-1]["answer"]
        if progress:
            progress(i, len(questions))
    results: dict[str, Any] = {
        "run": {
            "set": set_name,
            "mode": mode,
            "corpus": corpus,
            "build": store.build_id,
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
            "seconds": round(time.perf_counter() - started, 1),
            "judge": judge_accuracy(embedder, judge.params),
            "params": asdict(answerer.params) if hasattr(answerer, "params") else {},
            "without_guards": sorted(without_guards),
        },
        "metrics": summarise(rows),
        "notes": set_notes(questions, baselines),
        "questions": rows,
    }
    if baselines and graded:
        from eval.baselines import compare_retrievers

        results["baselines"] = compare_retrievers(target, store, questions)
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "results.json").write_text(json.dumps(results, indent=2, default=str))
        write_reports(results, out_dir)
    return results


def reports_skip_reason(settings: Settings) -> str | None:
    """Why the real-reports set cannot run now (None when the live index has the reports)."""
    from assistant.store import IndexUnavailable

    try:
        store = open_store(settings)
    except IndexUnavailable as exc:
        return str(exc)
    if not any(s.kind == "report" for s in store.manifest.sources):
        return "the live index has no downloaded reports (run `safeguarding fetch`, then ingest)"
    return None
