"""Filters by report metadata (year, type, publisher, area), resolved to the report ids they
admit, so that dense and BM25 retrieval restrict to exactly the same reports."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from assistant.corpus import Manifest, load_manifest

Year = Annotated[int, Field(ge=1900, le=2100)]
Value = Annotated[str, Field(min_length=1, max_length=200)]
Values = Annotated[list[Value], Field(max_length=50)]
Facet = Literal["types", "publishers", "areas"]
FACETS: dict[Facet, str] = {"types": "type", "publishers": "publisher", "areas": "area"}


class FilterError(ValueError):
    """A filter value no report in the manifest has; the message lists the known ones."""


class ReportFilter(BaseModel):
    """Which reports to search: years inclusive; several values of one field mean any of them,
    and the fields combine (a report must match each one given). Values match any case."""

    model_config = ConfigDict(extra="forbid")

    year_from: Year | None = None
    year_to: Year | None = None
    types: Values = []
    publishers: Values = []
    areas: Values = []

    @model_validator(mode="after")
    def _ordered(self) -> ReportFilter:
        first, last = self.year_from, self.year_to
        if first is not None and last is not None and first > last:
            raise PydanticCustomError(
                "year_range",
                "year_from {year_from} is after year_to {year_to}",
                {"year_from": first, "year_to": last},
            )
        return self

    @property
    def empty(self) -> bool:
        """True when the filter restricts nothing."""
        return self.year_from is None and self.year_to is None and not any(self.facets().values())

    def facets(self) -> dict[Facet, list[str]]:
        return {"types": self.types, "publishers": self.publishers, "areas": self.areas}

    def describe(self) -> str:
        """'published 2016-2019; type SCR or LCSPR', for messages."""
        first, last = self.year_from, self.year_to
        years = [
            f"published {first}-{last}" if first and last else "",
            f"published from {first}" if first and not last else "",
            f"published up to {last}" if last and not first else "",
        ]
        facets = [f"{FACETS[f]} {' or '.join(v)}" for f, v in self.facets().items() if v]
        return "; ".join([y for y in years if y] + facets)


def fold(value: str) -> str:
    """The form values are compared in: any case, any spacing."""
    return " ".join(value.split()).casefold()


@dataclass(frozen=True)
class Catalogue:
    """The manifest's reports with the metadata filters read, and the values each field knows."""

    manifest: Manifest

    @cached_property
    def values(self) -> dict[Facet, list[str]]:
        """Each field's distinct values across the manifest, sorted case-insensitively."""
        found: dict[Facet, dict[str, str]] = {f: {} for f in FACETS}
        for report in self.manifest.reports:
            for facet, name in FACETS.items():
                if value := getattr(report, name):
                    found[facet].setdefault(fold(value), value)
        return {f: sorted(v.values(), key=fold) for f, v in found.items()}

    def years(self) -> list[int]:
        return sorted({r.published.year for r in self.manifest.reports})

    def choices(self) -> dict[str, list[str] | list[int]]:
        """What clients can offer in each filter control."""
        known: dict[str, list[str] | list[int]] = {"years": self.years()}
        return known | dict(self.values)

    def check(self, filters: ReportFilter) -> None:
        """Raise a FilterError naming the first value no report has, with the known ones."""
        for facet, values in filters.facets().items():
            known = self.values[facet]
            folded = {fold(k) for k in known}
            for value in values:
                if fold(value) not in folded:
                    listed = ", ".join(known) or "none (no report in the manifest has one)"
                    raise FilterError(f"unknown {FACETS[facet]} {value!r}; known {facet}: {listed}")

    def matching(self, filters: ReportFilter) -> list[str]:
        """The ids of the manifest reports the filter admits, in manifest order."""
        low, high = filters.year_from or 0, filters.year_to or 9999
        wanted = {FACETS[f]: {fold(v) for v in vs} for f, vs in filters.facets().items() if vs}
        return [
            r.id
            for r in self.manifest.reports
            if low <= r.published.year <= high
            and all(fold(getattr(r, name) or "") in ok for name, ok in wanted.items())
        ]


_catalogues: dict[Path, Catalogue] = {}


def catalogue(manifest_path: Path) -> Catalogue:
    """The catalogue of the manifest at `manifest_path`, rebuilt only when the manifest is
    read again (`load_manifest` caches it per path)."""
    manifest = load_manifest(manifest_path)
    known = _catalogues.get(manifest_path)
    if known is None or known.manifest is not manifest:
        known = _catalogues[manifest_path] = Catalogue(manifest)
    return known


def admitted(
    manifest_path: Path, filters: ReportFilter | None, report_ids: list[str] | None = None
) -> list[str] | None:
    """The report ids to search: None for all, [] for none. A filter admits only manifest
    reports that match it; explicit `report_ids` narrow that further (intersection)."""
    if filters is None or filters.empty:
        return report_ids or None
    known = catalogue(manifest_path)
    known.check(filters)
    ids = known.matching(filters)
    if not report_ids:
        return ids
    asked = set(report_ids)
    return [r for r in ids if r in asked]
