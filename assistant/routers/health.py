"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter

from assistant.deps import SettingsDep
from assistant.store import IndexUnavailable, open_store

router = APIRouter(tags=["health"])


@router.get("/health")
def health(settings: SettingsDep) -> dict[str, object]:
    """`ok` when the index is readable; `degraded` with the reason otherwise."""
    try:
        store = open_store(settings)
    except IndexUnavailable as exc:
        return {"status": "degraded", "index": None, "detail": str(exc)}
    return {
        "status": "ok",
        "index": {
            "build": store.build_id,
            "corpus": store.manifest.corpus,
            "passages": store.manifest.passages,
        },
    }
