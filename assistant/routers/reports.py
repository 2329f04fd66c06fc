"""GET /api/reports: the reports, and whether answers come from them or from briefings."""

from __future__ import annotations

from typing import cast

from fastapi import APIRouter, HTTPException

from assistant.catalogue import SectionSummary, report_sections, report_status
from assistant.deps import SettingsDep, StoreDep
from assistant.filters import catalogue
from assistant.responses import documented

router = APIRouter(prefix="/api", tags=["reports"])


@router.get("/reports")
def reports(settings: SettingsDep, store: StoreDep) -> dict[str, object]:
    """Each report with the kind of source indexed for it (report, briefing or none) and its
    year, type, publisher and area; `filters` lists the values each filter field knows."""
    status = report_status(settings, store)
    known = catalogue(settings.manifest_path)
    years = {r.id: r.published.year for r in known.manifest.reports}
    items = cast("list[dict[str, object]]", status["reports"])
    status["reports"] = [{**item, "year": years.get(str(item["id"]))} for item in items]
    return {**status, "filters": known.choices()}


@router.get("/reports/{report_id}/sections", responses=documented(404))
def sections(report_id: str, store: StoreDep) -> list[SectionSummary]:
    """The report's sections in reading order, with where each starts."""
    found = report_sections(store, report_id)
    if not found:
        raise HTTPException(status_code=404, detail=f"report {report_id!r} is not in the index")
    return found
