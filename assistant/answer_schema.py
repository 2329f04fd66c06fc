"""The answer contract (ARCHITECTURE.md): the same from the API, `ask --json` and the UI."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, computed_field

from assistant.index_schema import Passage, SourceKind, pages_label


class Citation(BaseModel):
    """A numbered reference: the passage and the exact words quoted from it."""

    n: int
    passage_id: str
    report_id: str
    report_title: str
    section: str
    page_start: int | None
    page_end: int | None
    quote: str
    url: str | None = None
    source_kind: SourceKind = "report"

    @classmethod
    def of(cls, n: int, passage: Passage, quote: str) -> Citation:
        return cls(
            n=n,
            passage_id=passage.id,
            report_id=passage.report_id,
            report_title=passage.report_title,
            section=passage.section,
            page_start=passage.page_start,
            page_end=passage.page_end,
            quote=quote,
            url=passage.url,
            source_kind=passage.source_kind,
        )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def pages_label(self) -> str:
        """'p. 12' or 'chapter starts on p. 54 of the report': derived, so older JSON validates
        and API clients need not know what a briefing's page marker means."""
        return pages_label(self.page_start, self.page_end, self.source_kind)

    def reference(self) -> str:
        """'[1] Title, Section, p. 12' for printing under an answer."""
        parts = [self.report_title, self.section, self.pages_label]
        return f"[{self.n}] " + ", ".join(p for p in parts if p)


class Answer(BaseModel):
    """An answer whose every sentence is a quote from a cited passage, or a refusal."""

    question: str
    answer: str
    refused: bool
    citations: list[Citation] = Field(default_factory=list)
    related: list[Citation] = Field(
        default_factory=list, description="Nearest passages offered as reading when refused."
    )
    mode: Literal["extractive", "generative"] = "extractive"
    query: str = Field("", description="What was searched: the question, expanded if a follow-up.")
    notice: str | None = Field(None, description="Set when passages come from briefings.")
    warnings: list[str] = Field(default_factory=list)
    timings_ms: dict[str, float] = Field(default_factory=dict)
    context: list[str] = Field(
        default_factory=list,
        description="Ids of the passages the answer was built from, best first.",
    )
    answerability: float | None = Field(
        None, description="The calibrated chance that the passages answer the question (0-1)."
    )
