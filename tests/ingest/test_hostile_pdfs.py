"""Hostile PDFs end in a clear per-file reason within the bounds, and other files still ingest."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from ingest.bounded_parse import ParseLimits, parse_bounded
from ingest.errors import IngestError
from ingest.pipeline import run_ingest
from tests.ingest import hostile_pdfs

LIMITS = ParseLimits(max_bytes=200 * 2**20, max_pages=5000, timeout=4.0)


def timed_parse(path: Path, limits: ParseLimits = LIMITS):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    try:
        return parse_bounded(path, limits), time.perf_counter() - started
    except IngestError as exc:
        return exc, time.perf_counter() - started


def test_hundred_thousand_blank_pages_hit_the_page_bound(tmp_path):
    path = hostile_pdfs.many_blank_pages(tmp_path / "blank.pdf", 100_000)
    # The page bound, not the clock, must stop it: about 1 s here, but a loaded shared host has
    # taken over 20 s, so the time bound is set far out of the way.
    patient = ParseLimits(LIMITS.max_bytes, LIMITS.max_pages, 300.0)
    error, seconds = timed_parse(path, patient)
    assert isinstance(error, IngestError)
    assert "100000 pages; the limit is 5000 (SAFEGUARDING_MAX_PAGES)" in str(error)
    assert str(path) in str(error)
    assert seconds < patient.timeout + 2


def test_oversized_file_is_refused_before_reading(tmp_path):
    path = hostile_pdfs.many_blank_pages(tmp_path / "big.pdf", 20_000)  # about 2 MB
    error, seconds = timed_parse(path, ParseLimits(1 * 2**20, 5000, 4.0))
    assert isinstance(error, IngestError)
    assert "the limit is 1 MB (SAFEGUARDING_MAX_FILE_MB)" in str(error)
    assert seconds < 0.5


def test_decompression_bomb_is_stopped_at_the_time_bound(tmp_path):
    path = hostile_pdfs.decompression_bomb(tmp_path / "bomb.pdf")
    assert path.stat().st_size < 2**20  # small on disk, about 240 MB once inflated
    error, seconds = timed_parse(path)
    assert isinstance(error, IngestError)
    assert "longer than 4 s and was stopped (SAFEGUARDING_PARSE_TIMEOUT)" in str(error)
    assert LIMITS.timeout <= seconds < LIMITS.timeout + 2


@pytest.mark.parametrize("shape", ["nested", "cyclic"])
def test_nested_or_cyclic_outline_does_not_stop_the_text(tmp_path, shape):
    path = hostile_pdfs.outline_pdf(
        tmp_path / f"{shape}.pdf", depth=5000 if shape == "nested" else 0, cyclic=shape == "cyclic"
    )
    doc, seconds = timed_parse(path)
    assert not isinstance(doc, IngestError), doc
    assert doc.page_count == 3
    assert "review 2" in " ".join(b.text for b in doc.blocks)
    assert seconds < LIMITS.timeout


def test_wrong_cross_reference_offsets_are_recovered(tmp_path):
    doc, _ = timed_parse(hostile_pdfs.broken_xref(tmp_path / "xref.pdf"))
    assert not isinstance(doc, IngestError), doc
    assert doc.page_count == 2
    assert "review 1" in " ".join(b.text for b in doc.blocks)


def test_unrecoverable_cross_reference_table_is_a_clear_error(tmp_path):
    path = hostile_pdfs.unrecoverable_xref(tmp_path / "garbage.pdf")
    error, seconds = timed_parse(path)
    assert isinstance(error, IngestError)
    assert str(path) in str(error) and "damaged" in str(error)
    assert "Traceback" not in str(error)
    assert seconds < LIMITS.timeout


@pytest.mark.slow
def test_hostile_files_are_skipped_with_reasons_while_the_rest_ingest(settings, embedder, tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    good = settings.briefings_dir / "triennial-2014-17.md"
    (folder / good.name).write_text(good.read_text("utf-8"), "utf-8")
    # 10,000 pages over a limit of 2,000: opening a 100,000-page file alone can take the whole
    # 4 s on a loaded machine, and then the timeout, not the page limit, would skip it
    hostile_pdfs.many_blank_pages(folder / "blank.pdf", 10_000)
    hostile_pdfs.decompression_bomb(folder / "bomb.pdf")
    hostile_pdfs.unrecoverable_xref(folder / "garbage.pdf")
    bounded = settings.model_copy(update={"parse_timeout": 4.0, "max_pages": 2000})
    lines: list[str] = []
    summary = run_ingest(bounded, [str(folder)], embedder=embedder, announce=lines.append)
    assert summary.documents == 1 and summary.passages > 0
    reasons = "\n".join(summary.skipped)
    assert len(summary.skipped) == 3
    assert "blank.pdf: the PDF has 10000 pages; the limit is 2000" in reasons
    assert "bomb.pdf: parsing took longer than 4 s" in reasons
    assert "garbage.pdf: the PDF is damaged" in reasons
    assert sum(line.startswith("Skipped ") for line in lines) == 3
