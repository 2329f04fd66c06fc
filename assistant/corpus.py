"""The corpus manifest (corpus/manifest.toml): which reports exist and where they come from."""

from __future__ import annotations

import tomllib
from datetime import date
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError


class ManifestError(Exception):
    """The manifest is missing or malformed; the message says which and where."""


class Report(BaseModel):
    """One of the three reports, as the manifest describes it."""

    id: str
    title: str
    short_title: str
    publisher: str
    published: date
    landing_url: str
    pdf_url: str = ""
    filename: str
    licence: str
    licence_url: str = ""
    pages: int | None = None
    type: str | None = None  # "SCR", "LCSPR", "national review" or "annual report"
    area: str | None = None  # the local area a local review covers
    lead: str = ""  # the label an answer's paragraph from this report starts with
    names: list[str] = Field(default_factory=list)  # words that point a question at it
    documents: list[str] = Field(default_factory=list)  # phrases naming it as a document


class Comparison(BaseModel):
    """The briefing that compares the reports, and the words that ask across them."""

    id: str
    lead: str = ""
    asks_across: list[str] = Field(default_factory=list)


class GlossaryEntry(BaseModel):
    """An acronym or other name practitioners use (`term`) and what it means."""

    term: str = Field(min_length=1)
    means: str = Field(min_length=1)


class Briefings(BaseModel):
    """Where the project's own briefings live, relative to the corpus folder."""

    path: str = "briefings"
    description: str = ""


class Manifest(BaseModel):
    """The whole manifest: the reports, by id, and the briefings."""

    reports: list[Report]
    briefings: Briefings = Briefings()
    comparison: Comparison | None = None
    glossary: list[GlossaryEntry] = Field(default_factory=list)

    def report(self, report_id: str) -> Report:
        """The report with this id, or a ManifestError listing the known ids."""
        for report in self.reports:
            if report.id == report_id:
                return report
        known = ", ".join(r.id for r in self.reports)
        raise ManifestError(f"unknown report id {report_id!r}; known ids: {known}")

    @property
    def ids(self) -> list[str]:
        return [r.id for r in self.reports]


@lru_cache(maxsize=8)
def load_manifest(path: Path) -> Manifest:
    """Read and validate the manifest at `path` (cached per path)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return Manifest.model_validate(data)
    except FileNotFoundError as exc:
        raise ManifestError(f"{path}: corpus manifest not found") from exc
    except (tomllib.TOMLDecodeError, ValidationError, UnicodeDecodeError) as exc:
        first = str(exc).splitlines()[0]
        raise ManifestError(f"{path}: malformed corpus manifest ({first})") from exc
