"""How the server works on requests: how many at once, and (in worker processes) a warm model
and the live index opened ahead of requests.

Starlette runs sync routes in anyio's thread pool (40 threads by default). On two cores, forty
threads answering at once take turns holding the GIL, and the one thread running the embedding
model waits behind all of them at every step of its forward pass; a few threads keep it fed and
finish each request sooner, in arrival order.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI

from assistant.settings import Settings

log = logging.getLogger("assistant")
FOLLOW_SECONDS = 1.0  # how soon a worker opens a newly switched-in build


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Size the thread pool for sync routes; a worker (`app.state.follow_index`) also warms up
    before it takes connections and then follows the live build."""
    limiter = anyio.to_thread.current_default_thread_limiter()
    limiter.total_tokens = app.state.settings.request_threads
    stop = threading.Event()
    if getattr(app.state, "follow_index", False):
        await anyio.to_thread.run_sync(warm, app.state.settings)
        follower = threading.Thread(
            target=follow, args=(app.state.settings, stop), name="index-follower", daemon=True
        )
        follower.start()
    yield
    stop.set()


def warm(settings: Settings) -> None:
    """Load the model and open the live index, so the first request pays for neither."""
    from assistant.embedder import get_embedder
    from assistant.store import IndexUnavailable, open_store

    get_embedder().warm_up()
    try:
        open_store(settings)
    except IndexUnavailable as exc:
        log.warning("no live index yet: %s", exc)


def follow(settings: Settings, stop: threading.Event) -> None:
    """Re-open the live build within FOLLOW_SECONDS of a switch, before requests need it:
    each worker process sees a re-ingest on its own, with no shared state."""
    from assistant.store import IndexUnavailable, open_store

    while not stop.wait(FOLLOW_SECONDS):
        try:
            open_store(settings)
        except IndexUnavailable:
            continue  # reported by /health and the requests themselves
        except Exception as exc:  # never let the follower die silently
            log.warning("index follower: %s", type(exc).__name__)
