"""What the live index holds: each report, where it is indexed from, and its sections.

Shared by the API (`GET /api/reports`, `.../sections`) and the UI's report browser.
"""

from __future__ import annotations

from pydantic import BaseModel

from assistant.corpus import load_manifest
from assistant.settings import Settings
from assistant.store import IndexStore

BRIEFING_NOTICE = (
    "Answers come from the project's briefings, compiled from public summaries of the reports,"
    " not from the reports' own text. Run `safeguarding fetch` and `safeguarding ingest` to use"
    " the reports themselves."
)


class SectionSummary(BaseModel):
    """One section of a report: where it starts and how many passages it holds."""

    section: str
    page_start: int | None
    passages: int
    first_passage_id: str


def report_status(settings: Settings, store: IndexStore) -> dict[str, object]:
    """Each manifest report with the kind of source indexed for it, and the briefing notice."""
    kinds: dict[str, set[str]] = {}
    for record in store.manifest.sources:
        kinds.setdefault(record.report_id, set()).add(record.kind)
    items = []
    for report in load_manifest(settings.manifest_path).reports:
        indexed = kinds.get(report.id, set())
        source = "report" if "report" in indexed else "briefing" if indexed else "none"
        items.append({**report.model_dump(mode="json"), "indexed_from": source})
    from_briefings = any(i["indexed_from"] == "briefing" for i in items)
    return {
        "corpus": store.manifest.corpus,
        "build": store.build_id,
        "reports": items,
        "notice": BRIEFING_NOTICE if from_briefings else None,
    }


def report_titles(settings: Settings, store: IndexStore) -> dict[str, str]:
    """Every report id in the index with a short title: the manifest's reports first, in
    manifest order, then any other source (such as the common-themes briefing)."""
    indexed: dict[str, str] = {}
    for p in store.passages:
        indexed.setdefault(p.report_id, p.report_title.removeprefix("Briefing: "))
    manifest = load_manifest(settings.manifest_path).reports
    titles = {r.id: r.short_title for r in manifest if r.id in indexed}
    return titles | {rid: title for rid, title in indexed.items() if rid not in titles}


def report_sections(store: IndexStore, report_id: str) -> list[SectionSummary]:
    """The report's sections in reading order (empty when the report is not indexed)."""
    found: dict[str, SectionSummary] = {}
    for p in store.passages:
        if p.report_id != report_id:
            continue
        if p.section in found:
            found[p.section].passages += 1
        else:
            found[p.section] = SectionSummary(
                section=p.section, page_start=p.page_start, passages=1, first_passage_id=p.id
            )
    return list(found.values())
