"""GET /api/passages/{id}: one passage with its neighbours, for "show me the source"."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

from assistant.deps import StoreDep
from assistant.index_schema import Passage
from assistant.responses import documented

router = APIRouter(prefix="/api", tags=["passages"])


class PassageWithContext(BaseModel):
    passage: Passage
    previous_id: str | None
    next_id: str | None


@router.get("/passages/{passage_id}", responses=documented(404))
def passage(passage_id: str, store: StoreDep) -> PassageWithContext:
    """The passage, and the ids of the passages before and after it in its document."""
    found = store.passage(passage_id)
    if found is None:
        raise HTTPException(status_code=404, detail=f"no passage with id {passage_id!r}")
    before, after = store.neighbours(passage_id)
    return PassageWithContext(
        passage=found,
        previous_id=before.id if before else None,
        next_id=after.id if after else None,
    )
