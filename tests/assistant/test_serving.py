"""The server works on at most `request_threads` requests at once; the rest wait their turn."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient

from assistant.app import create_app


def test_sync_routes_run_at_most_request_threads_at_once(settings):
    app = create_app(settings.model_copy(update={"request_threads": 2}))
    lock = threading.Lock()
    running = [0]
    most = [0]

    @app.get("/slow")
    def slow() -> dict[str, int]:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.2)
        with lock:
            running[0] -= 1
        return {"ok": 1}

    with TestClient(app) as client, ThreadPoolExecutor(6) as pool:
        statuses = list(pool.map(lambda _: client.get("/slow").status_code, range(6)))
    assert statuses == [200] * 6
    assert most[0] == 2


def test_request_threads_defaults_to_a_few_not_forty(settings):
    assert 1 <= settings.request_threads <= 16
