"""bench.scale end to end at a tiny size: a generated library beside the briefings is ingested,
served and measured, and every field of a row is there with a sane value."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import scale

pytestmark = pytest.mark.slow

FIELDS = {
    "reports", "backend", "pages", "passages", "sentences",
    "ingest_s", "pages_per_s", "ingest_peak_rss_mb", "index_mb",
    "serve_rss_mb", "ask_p50_ms", "ask_p95_ms", "ask_p95_c8_ms", "search_p95_ms", "req_per_s_c8",
    "hit_at_5",
}  # fmt: skip


def test_a_two_report_run_writes_every_field_and_the_plot(tmp_path: Path):
    args = ["--reports", "2", "--backend", "embedded", "--rounds", "3", "--out", str(tmp_path)]
    assert scale.main(args) == 0
    (row,) = json.loads((tmp_path / "scale.json").read_text())
    assert set(row) == FIELDS
    assert row["reports"] == 2 and row["backend"] == "embedded"
    assert row["pages"] >= 20 and row["passages"] > 0 and row["sentences"] > row["passages"]
    assert row["ingest_peak_rss_mb"] > 100 and row["serve_rss_mb"] > 100
    assert 0 < row["ask_p50_ms"] <= row["ask_p95_ms"]
    assert row["hit_at_5"] >= 0.9  # the briefings are still found beside the generated reports
    assert (tmp_path / "scale.png").stat().st_size > 10_000


def test_bad_arguments_are_refused(tmp_path: Path):
    with pytest.raises(SystemExit):
        scale.main(["--reports", "2", "--backend", "cloud", "--out", str(tmp_path)])
