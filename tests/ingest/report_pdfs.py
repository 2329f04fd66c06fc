"""Small generated report PDFs for ingest tests (from the generator in bench/library)."""

from __future__ import annotations

from pathlib import Path

from bench.library.report_pdf import make_report_pdf


def report_folder(folder: Path, count: int, pages: int = 3, first_seed: int = 0) -> Path:
    """`count` report-like PDFs of one chapter of `pages` pages, distinct by seed."""
    folder.mkdir(parents=True, exist_ok=True)
    for seed in range(first_seed, first_seed + count):
        make_report_pdf(
            folder / f"report-{seed:03d}.pdf", chapters=1, pages_per_chapter=pages, seed=seed
        )
    return folder
