"""POST /api/search: hybrid passage search."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field, computed_field

from assistant.deps import SettingsDep, raise_http
from assistant.filters import ReportFilter
from assistant.index_schema import Passage, pages_label
from assistant.questions import Question
from assistant.search import SearchError, search_passages

router = APIRouter(prefix="/api", tags=["search"])


class SearchRequest(BaseModel):
    query: Question
    k: int = Field(5, ge=1, le=50)
    report_ids: list[str] = Field(default_factory=list, max_length=10)
    filters: ReportFilter | None = Field(
        None, description="Report metadata; combined with report_ids (both must admit a report)."
    )


class PassageOut(Passage):
    """The passage contract plus the fused retrieval score."""

    score: float

    @computed_field  # type: ignore[prop-decorator]
    @property
    def pages_label(self) -> str:
        """What the pages mean, as citations say it (a briefing's page is its chapter start)."""
        return pages_label(self.page_start, self.page_end, self.source_kind)


@router.post("/search")
def search(body: SearchRequest, settings: SettingsDep) -> list[PassageOut]:
    """The top-k passages for the query, optionally filtered by report and report metadata;
    an empty list when no report matches the filter."""
    try:
        hits = search_passages(settings, body.query, body.k, body.report_ids, body.filters)
    except SearchError as exc:
        raise raise_http(exc) from exc
    return [PassageOut.model_validate(hit.to_json()) for hit in hits]
