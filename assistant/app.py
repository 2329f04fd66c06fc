"""The FastAPI application: API routers, and the web UI when the caller supplies one.

`assistant` never imports `ui`: the composition root (`safeguarding serve`) passes
`ui.mount.mount_ui` in, so the library and the API stay usable without Gradio.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse

from assistant.deps import require_api_key
from assistant.docs import DOCS_URL, add_docs
from assistant.limits import BodySizeLimit
from assistant.responses import API_ERRORS
from assistant.routers import ask, feedback, health, passages, quiz, reports, search
from assistant.security import secure
from assistant.serving import lifespan
from assistant.settings import Settings, apply_offline_env, get_settings
from assistant.store import IndexUnavailable

log = logging.getLogger("assistant")


UiMount = Callable[[FastAPI, Settings], None]


def one_thread_per_request() -> None:
    """Requests already run in parallel threads; one torch (or ONNX Runtime) thread each stops
    them fighting over the cores (query embedding on a busy 2-core machine: 49 ms instead of
    608 ms), and lets a second worker process use the second core."""
    import torch

    from assistant.onnx_model import set_threads

    torch.set_num_threads(1)
    set_threads(1)


def create_app(settings: Settings | None = None, ui: UiMount | None = None) -> FastAPI:
    """A fresh app bound to `settings` (the environment's by default), with `ui` mounted at /."""
    apply_offline_env()
    settings = settings or get_settings()
    logging.basicConfig(level=settings.log_level)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # request lines would add noise only
    app = FastAPI(
        title="Safeguarding case-review assistant",
        version="0.1.0",
        description="Search and cited answers over three child safeguarding reports (March 2020).",
        lifespan=lifespan,
        docs_url=None,  # served from installed assets instead of a CDN: assistant.docs
        redoc_url=None,
    )
    app.state.settings = settings
    one_thread_per_request()
    add_docs(app)
    app.include_router(health.router)
    guarded = [Depends(require_api_key)]
    routers = (search, ask, reports, passages, feedback, quiz)
    for router in (module.router for module in routers):
        app.include_router(router, dependencies=guarded, responses=API_ERRORS)
    app.add_middleware(BodySizeLimit)
    secure(app, settings)

    if ui is None:

        @app.get("/", include_in_schema=False)
        def _root() -> RedirectResponse:
            return RedirectResponse(DOCS_URL)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        # Reasons only: echoing the input would put question text into responses and logs.
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        return JSONResponse(status_code=422, content={"detail": errors})

    @app.exception_handler(IndexUnavailable)
    async def _unavailable(_: Request, exc: IndexUnavailable) -> JSONResponse:
        return JSONResponse(status_code=503, content={"detail": str(exc)})

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error: %s", type(exc).__name__)
        return JSONResponse(status_code=500, content={"detail": "internal error"})

    if ui is not None:
        ui(app, settings)  # last: the UI's mount at / must not shadow the routes above
    return app


def worker_app() -> FastAPI:
    """The API for one of `serve --workers N`'s processes: built from the environment in each
    process, warmed up before it takes connections, and following the live build."""
    app = create_app(get_settings())
    app.state.follow_index = True
    return app
