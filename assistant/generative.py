"""Generative answers: a language model writes from retrieved passages; every sentence is checked.

Each generated sentence must cite a prompt passage that the SupportJudge finds supports it;
unsupported sentences are removed (or flagged, by setting). When nothing checked survives, the
model declines, or the endpoint fails, the extractive answer is given with the reason in warnings.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from assistant.answer import BRIEFING_NOTICE, ExtractiveAnswerer
from assistant.answer_schema import Answer, Citation
from assistant.embedder import Embedder
from assistant.followup import Turn
from assistant.index_schema import Passage
from assistant.llm import ChatClient, LLMError, Message
from assistant.sentences import split_sentences
from assistant.settings import Settings
from assistant.store import IndexStore
from assistant.support import SupportJudge

NOT_COVERED = "NOT_COVERED"
PROMPT_PASSAGES = 5  # the top passages shown to the model, numbered [1]..[N]
SYSTEM = (
    "You answer questions from child-safeguarding practitioners using only the numbered passages"
    " from three English safeguarding reports (March 2020) that the user gives you. Rules:\n"
    "- Answer in at most 5 short sentences of plain English.\n"
    "- Use only what the passages state; keep their figures and wording; add nothing from your"
    " own knowledge.\n"
    "- End every sentence with the number of the passage it comes from in square brackets,"
    " e.g. [2] or [1][3].\n"
    f"- If the passages do not answer the question, reply exactly {NOT_COVERED} and nothing else."
)
CONDENSE = (
    "Rewrite the follow-up question as one standalone question that can be understood without"
    " the conversation. Keep its meaning; add only what it refers to. Reply with the question only."
)
MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
MARKERS_AFTER_STOP = re.compile(r"([.!?])((?:\s*\[\d+(?:\s*,\s*\d+)*\])+)")
LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
PREFIX = re.compile(r"^(?:standalone question|question)\s*:\s*", re.IGNORECASE)


def ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 1)


def parse_reply(reply: str) -> list[tuple[str, list[int]]]:
    """The reply's sentences without their [n] markers, each with the numbers it cites."""
    parsed: list[tuple[str, list[int]]] = []
    for raw in reply.splitlines():
        line = MARKERS_AFTER_STOP.sub(r"\2\1", LIST_ITEM.sub("", raw).strip())
        for sentence in split_sentences(line) if line else []:
            cited = [int(n) for group in MARKER.findall(sentence) for n in group.split(",")]
            claim = re.sub(r"\s+", " ", MARKER.sub("", sentence))
            claim = re.sub(r"\s+([.!?,;:])", r"\1", claim).strip()
            if not re.search(r"[A-Za-z0-9]", claim):
                if parsed:  # markers standing alone belong to the sentence before
                    parsed[-1][1].extend(n for n in cited if n not in parsed[-1][1])
                continue
            parsed.append((claim, list(dict.fromkeys(cited))))
    return parsed


def with_markers(claim: str, markers: str) -> str:
    """'Some claim [1][2].' from 'Some claim.' and '[1][2]'."""
    if claim[-1] in ".!?":
        return f"{claim[:-1].rstrip()} {markers}{claim[-1]}"
    return f"{claim} {markers}"


def prompt(query: str, passages: list[Passage]) -> str:
    """The user message: numbered passages with their provenance, then the question."""
    blocks = [
        f"[{n}] {' | '.join(x for x in (p.report_title, p.section, p.pages_label) if x)}\n{p.text}"
        for n, p in enumerate(passages, start=1)
    ]
    return (
        "Passages:\n\n" + "\n\n".join(blocks) + f"\n\nQuestion: {query}\n\n"
        f"Answer in at most 5 short sentences, each ending with its [n] citation, "
        f"or reply exactly {NOT_COVERED}."
    )


@dataclass
class Draft:
    """What run() and stream() share before the model writes."""

    question: str
    query: str
    report_ids: list[str] | None
    passages: list[Passage]
    messages: list[Message]
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    skip: str | None = None  # why to answer extractively without asking the model


class GenerativeAnswerer:
    """Answers with an OpenAI-compatible model, keeping only sentences the passages support."""

    def __init__(
        self,
        store: IndexStore,
        embedder: Embedder,
        settings: Settings,
        client: ChatClient | None = None,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.extractive = ExtractiveAnswerer(store, embedder)
        self.judge = SupportJudge(embedder)
        self.client = client or ChatClient.from_settings(settings)
        self.unsupported = settings.llm_unsupported

    def condense(self, question: str, history: list[Turn]) -> tuple[str, str | None]:
        """A standalone question written by the model, or the deterministic rewrite with a
        warning."""
        turns = "\n".join(f"Q: {t.question}\nA: {t.answer[:400]}" for t in history[-3:])
        messages: list[Message] = [
            {"role": "system", "content": CONDENSE},
            {"role": "user", "content": f"Conversation:\n{turns}\n\nFollow-up: {question}"},
        ]
        try:
            reply = self.client.complete(messages)
        except LLMError as exc:
            why = exc.reason
            return self.rewritten(question, history), f"follow-up expanded without the model: {why}"
        lines = [line.strip() for line in reply.splitlines() if line.strip()]
        rewrite = PREFIX.sub("", lines[0]).strip().strip("\"'").strip() if lines else ""
        if not rewrite or len(rewrite) > 500 or NOT_COVERED in rewrite:
            why = "unusable rewrite"
            return self.rewritten(question, history), f"follow-up expanded without the model: {why}"
        return rewrite, None

    def rewritten(self, question: str, history: list[Turn]) -> str:
        return self.extractive.rewriter.run(question, history).text

    def prepare(self, question: str, report_ids: list[str] | None, history: list[Turn]) -> Draft:
        """Condense a follow-up, retrieve, decide answerability as extractive mode does, and build
        the prompt (or a reason to skip the model)."""
        started = time.perf_counter()
        query, warning = self.condense(question, history) if history else (question, None)
        timings = {"condense": ms(started)} if history else {}
        started = time.perf_counter()
        trace = self.extractive.trace(query, report_ids)
        decision = self.extractive.decide(trace)
        timings["retrieve"] = ms(started)
        passages = [h.passage for h in trace.hits]
        shown = passages[:PROMPT_PASSAGES]
        messages: list[Message] = [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": prompt(query, shown)},
        ]
        draft = Draft(question, query, report_ids, shown, messages, [], timings)
        draft.warnings = [warning] if warning else []
        if not passages:
            draft.skip = "no passages retrieved"
        elif not decision.answerable:
            draft.skip = decision.why
        return draft

    def fallback(self, draft: Draft, reason: str) -> Answer:
        """The extractive answer (or refusal) for the same query, with the reason as a warning."""
        answer = self.extractive.run(draft.query, draft.report_ids)
        answer.question = draft.question
        lead = f"generative mode fell back to extractive: {reason}"
        answer.warnings = [lead, *draft.warnings, *answer.warnings]
        answer.timings_ms = {**draft.timings, **answer.timings_ms}
        return answer

    def check(self, draft: Draft, reply: str) -> Answer | str:
        """The checked generative answer, or the reason there is none."""
        if NOT_COVERED in reply:
            return "the model found the passages don't answer the question"
        parsed = parse_reply(reply)
        if not parsed:
            return "LLM reply empty"
        vectors = self.embedder.encode([claim for claim, _ in parsed])
        warnings = list(draft.warnings)
        numbers: dict[tuple[str, str], int] = {}
        citations: list[Citation] = []
        shown: list[str] = []
        for i, ((claim, cited), vector) in enumerate(zip(parsed, vectors, strict=True), start=1):
            bad = [n for n in cited if not 1 <= n <= len(draft.passages)]
            if bad:
                marks = ", ".join(f"[{n}]" for n in bad)
                warnings.append(f"dropped citation {marks} in sentence {i}: no such passage")
            marks, reasons = "", []
            for n in (n for n in cited if n not in bad):
                passage = draft.passages[n - 1]
                quote, why = self.judge.evidence(
                    claim, vector, passage, self.store.sentences(passage.id)
                )
                if quote is None:
                    reasons.append(why)
                    continue
                if (passage.id, quote) not in numbers:
                    numbers[(passage.id, quote)] = len(numbers) + 1
                    citations.append(Citation.of(len(numbers), passage, quote))
                marks += f"[{numbers[(passage.id, quote)]}]"
            if marks:
                shown.append(with_markers(claim, marks))
                continue
            reason = reasons[0] if reasons else "no valid citation"
            if self.unsupported == "flag":
                shown.append(f"[unsupported: {claim}]")
                warnings.append(f"sentence {i} flagged: not supported by the passages ({reason})")
            else:
                warnings.append(f"sentence {i} removed: not supported by the passages ({reason})")
        if not citations:
            return "no generated sentence was supported by the passages it cites"
        return Answer(
            question=draft.question,
            answer=" ".join(shown),
            refused=False,
            citations=citations,
            mode="generative",
            query=draft.query,
            notice=BRIEFING_NOTICE if any(c.source_kind == "briefing" for c in citations) else None,
            warnings=warnings,
        )

    def finish(self, draft: Draft, reply: str) -> Answer:
        started = time.perf_counter()
        result = self.check(draft, reply)
        draft.timings["check"] = ms(started)
        if isinstance(result, str):
            return self.fallback(draft, result)
        result.timings_ms = dict(draft.timings)
        return result

    def run(
        self,
        question: str,
        report_ids: list[str] | None = None,
        history: list[Turn] | None = None,
    ) -> Answer:
        """A checked generative answer, or the extractive fallback with the reason in warnings."""
        draft = self.prepare(question, report_ids, history or [])
        if draft.skip:
            return self.fallback(draft, draft.skip)
        started = time.perf_counter()
        try:
            reply = self.client.complete(draft.messages)
        except LLMError as exc:
            draft.timings["generate"] = ms(started)
            return self.fallback(draft, exc.reason)
        draft.timings["generate"] = ms(started)
        return self.finish(draft, reply)

    def stream(
        self,
        question: str,
        report_ids: list[str] | None = None,
        history: list[Turn] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Token events while the model writes, then one answer event with the checked answer."""
        draft = self.prepare(question, report_ids, history or [])
        if draft.skip:
            yield answer_event(self.fallback(draft, draft.skip))
            return
        started = time.perf_counter()
        parts: list[str] = []
        held = True  # hold tokens back while the reply may still be NOT_COVERED
        try:
            for piece in self.client.stream(draft.messages):
                parts.append(piece)
                if held:
                    text = "".join(parts).lstrip()
                    if NOT_COVERED.startswith(text) or text.startswith(NOT_COVERED):
                        continue
                    held, piece = False, "".join(parts)
                yield {"event": "token", "data": piece}
        except LLMError as exc:
            draft.timings["generate"] = ms(started)
            yield answer_event(self.fallback(draft, exc.reason))
            return
        draft.timings["generate"] = ms(started)
        yield answer_event(self.finish(draft, "".join(parts)))


def answer_event(answer: Answer) -> dict[str, Any]:
    """The final stream event: the answer as a JSON-ready dict."""
    return {"event": "answer", "data": answer.model_dump(mode="json")}
