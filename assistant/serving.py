"""How many requests the server works on at once: the rest wait their turn in the event loop.

Starlette runs sync routes in anyio's thread pool (40 threads by default). On two cores, forty
threads answering at once take turns holding the GIL, and the one thread running the embedding
model waits behind all of them at every step of its forward pass; a few threads keep it fed and
finish each request sooner, in arrival order.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI


@asynccontextmanager
async def limit_request_threads(app: FastAPI) -> AsyncIterator[None]:
    """Lifespan: size the thread pool that runs sync routes from the app's settings."""
    limiter = anyio.to_thread.current_default_thread_limiter()
    limiter.total_tokens = app.state.settings.request_threads
    yield
