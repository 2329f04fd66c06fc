"""A hand-made quiz with every kind of item and every character the export formats treat
specially, for the export round-trip tests."""

from __future__ import annotations

from assistant.answer_schema import Citation
from assistant.quiz.models import Quiz, QuizItem, QuizRequest

NASTY = r"a~b=c#d{e}f:g\h <i>&amp; “j” 'k' 50% é"


def citation(quote: str) -> Citation:
    return Citation(
        n=1,
        passage_id="p-123",
        report_id="triennial-2014-17",
        report_title="Complexity & challenge: <triennial>",
        section="3 Neglect > Poverty {blindness}",
        page_start=54,
        page_end=55,
        quote=quote,
        source_kind="briefing",
    )


def item(kind: str, stem: str, options: list[str], answer: str, **extra: object) -> QuizItem:
    quote = f"The quote = {NASTY}."
    return QuizItem(
        id=f"id-{kind}",
        kind=kind,  # type: ignore[arg-type]
        stem=stem,
        options=options,
        answer=answer,
        answer_index=options.index(answer) if options else None,
        statement=f"Statement {NASTY}",
        feedback_correct=f"Correct. Source: {NASTY}.",
        feedback_incorrect=f"Not quite: the answer is {answer}. Source: {NASTY}.",
        citation=citation(quote),
        difficulty=0.5,
        difficulty_label="medium",
        tags=[kind, "triennial-2014-17", "a:b"],
        **extra,  # type: ignore[arg-type]
    )


def sample_quiz() -> Quiz:
    items = [
        item("mcq", f"Label: {NASTY} _____ {{x}}", ["12%", "x=1", "a~b", "#3"], "x=1"),
        item("tf", f"True or false? Label: {NASTY}", ["True", "False"], "False"),
        item("tf", "True or false? Label: plain", ["True", "False"], "True"),
        item("cloze", f"Label: _____ {NASTY}", [], "75%", accepted=["75%", "75 per cent", "75"]),
        item("report", f"Which report says this? “{NASTY}”", ["R: one", "R{two}", "R~3"], "R{two}"),
    ]
    return Quiz(
        id="q1-test",
        request=QuizRequest(topic="neglect", n=5),
        build_id="b1",
        items=items,
        notice="From briefings: not the reports' text.",
    )
