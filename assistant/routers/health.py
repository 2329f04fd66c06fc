"""Liveness and readiness."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel

from assistant.deps import SettingsDep
from assistant.store import IndexUnavailable, VectorsUnreachable, open_store

router = APIRouter(tags=["health"])


class IndexInfo(BaseModel):
    build: str
    corpus: str
    passages: int


class Health(BaseModel):
    status: Literal["ok", "degraded", "unavailable"]
    index: IndexInfo | None = None
    detail: str | None = None


@router.get("/health", responses={503: {"model": Health, "description": "Chroma is down."}})
def health(settings: SettingsDep, response: Response) -> Health:
    """`ok` when the index is readable; `degraded` with the reason when it is missing or
    damaged (the operator must ingest); 503 while the Chroma server is down (it recovers)."""
    try:
        store = open_store(settings)
        store.check()
    except VectorsUnreachable as exc:
        response.status_code = 503
        return Health(status="unavailable", detail=str(exc))
    except IndexUnavailable as exc:
        return Health(status="degraded", detail=str(exc))
    info = IndexInfo(
        build=store.build_id, corpus=store.manifest.corpus, passages=store.manifest.passages
    )
    return Health(status="ok", index=info)
