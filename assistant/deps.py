"""FastAPI dependencies: settings, the opened index and the API key check, as `Annotated` types."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from assistant.search import SearchError
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

_header = APIKeyHeader(name="X-API-Key", auto_error=False)
_bearer = HTTPBearer(auto_error=False)


def require_api_key(
    settings: SettingsDep,
    header: Annotated[str | None, Security(_header)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
) -> None:
    """When SAFEGUARDING_API_KEY is set, demand it (X-API-Key or Bearer), in constant time."""
    if settings.api_key is None:
        return
    given = header or (bearer.credentials if bearer else "")
    expected = settings.api_key.get_secret_value()
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(status_code=401, detail="missing or wrong API key")


def raise_http(exc: SearchError) -> HTTPException:
    """The HTTP form of a service error: its status and its one-line reason."""
    return HTTPException(status_code=exc.status, detail=str(exc))
