"""The load benchmark's short form: 10 clients for 10 s against a served index, no errors."""

from __future__ import annotations

import pytest

from bench.load import run
from ingest.pipeline import run_ingest


@pytest.mark.slow
def test_ten_clients_for_ten_seconds_get_no_errors(settings, embedder):
    run_ingest(settings, ["briefings"], embedder=embedder, announce=lambda _: None)
    result = run(settings, clients=10, seconds=10, max_requests=10_000)
    rows = {row["route"]: row for row in result["rows"]}
    print(result)  # the figures, for the log; the benchmark itself asserts no timings
    assert rows["all"]["requests"] >= 10
    assert all(rows[route]["requests"] > 0 for route in ("/api/ask", "/api/search", "/api/compare"))
    assert rows["all"]["errors"] == 0
    assert result["statuses"] == [200]
