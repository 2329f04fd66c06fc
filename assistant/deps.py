"""FastAPI dependencies: settings and the opened index, as `Annotated` types."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from assistant.settings import Settings
from assistant.store import IndexStore, IndexUnavailable, open_store


def settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(settings_dep)]


def store_dep(settings: SettingsDep) -> IndexStore:
    try:
        return open_store(settings)
    except IndexUnavailable as exc:
        raise HTTPException(status_code=503, detail=str(exc)) from exc


StoreDep = Annotated[IndexStore, Depends(store_dep)]
