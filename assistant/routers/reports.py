"""GET /api/reports: the reports, and whether answers come from them or from briefings."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

from assistant.corpus import load_manifest
from assistant.deps import SettingsDep, StoreDep
from assistant.responses import documented

router = APIRouter(prefix="/api", tags=["reports"])

BRIEFING_NOTICE = (
    "Answers come from the project's briefings, compiled from public summaries of the reports,"
    " not from the reports' own text. Run `safeguarding fetch` and `safeguarding ingest` to use"
    " the reports themselves."
)


@router.get("/reports")
def reports(settings: SettingsDep, store: StoreDep) -> dict[str, object]:
    """Each report with the kind of source indexed for it (report, briefing or none)."""
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


class SectionOut(BaseModel):
    section: str
    page_start: int | None
    passages: int
    first_passage_id: str


@router.get("/reports/{report_id}/sections", responses=documented(404))
def sections(report_id: str, store: StoreDep) -> list[SectionOut]:
    """The report's sections in reading order, with where each starts."""
    found: dict[str, SectionOut] = {}
    for p in store.passages:
        if p.report_id != report_id:
            continue
        if p.section in found:
            found[p.section].passages += 1
        else:
            found[p.section] = SectionOut(
                section=p.section, page_start=p.page_start, passages=1, first_passage_id=p.id
            )
    if not found:
        raise HTTPException(status_code=404, detail=f"report {report_id!r} is not in the index")
    return list(found.values())
