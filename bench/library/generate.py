"""Generate the library: N report PDFs in a process pool, plus the corpus folder around them
(manifest.toml, briefings/, raw/) that `safeguarding ingest` reads directly."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from assistant.settings import PROJECT_ROOT
from bench.library.manifest import library_manifest, report_entry
from bench.library.plan import PAGES, ReviewPlan, plan_library
from bench.library.review_pdf import build_review
from bench.library.vocabulary import load_vocabulary

SOURCE_CORPUS = PROJECT_ROOT / "corpus"


@dataclass(frozen=True)
class LibrarySummary:
    """What a run made, for the command's one-line report."""

    out: Path
    reports: int
    pages: int
    seconds: float


def write_review(plan: ReviewPlan, raw: Path) -> int:
    """Lay out one report into raw/<filename>; returns its page count (runs in a worker)."""
    path = raw / plan.filename
    review = build_review(plan, load_vocabulary(), path)
    path.write_bytes(review.data)
    return review.spec.page_count


def generate_library(
    out: Path,
    reports: int,
    seed: int,
    workers: int | None = None,
    source: Path = SOURCE_CORPUS,
    pages: tuple[int, int] = PAGES,
) -> LibrarySummary:
    """Write `reports` reports and their corpus folder to `out`: the same seed, the same bytes."""
    start = time.perf_counter()
    plans = plan_library(reports, seed, load_vocabulary(), pages)
    raw = out / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source / "briefings", out / "briefings", dirs_exist_ok=True)
    counts = _write_all(plans, raw, workers or os.cpu_count() or 1)
    header = (
        f"A synthetic library of case reviews: `python -m bench.library --reports {reports}"
        f" --seed {seed} --pages {pages[0]} {pages[1]}`.\nThe real manifest"
        " (corpus/manifest.toml) follows, then the generated reports (raw/<id>.pdf)."
    )
    real = (source / "manifest.toml").read_text(encoding="utf-8")
    entries = [report_entry(plan, n) for plan, n in zip(plans, counts, strict=True)]
    (out / "manifest.toml").write_text(library_manifest(real, entries, header), encoding="utf-8")
    return LibrarySummary(out, reports, sum(counts), time.perf_counter() - start)


def _write_all(plans: list[ReviewPlan], raw: Path, workers: int) -> list[int]:
    """Page counts in plan order; one process per core (the layout is CPU-bound), started
    fresh ("spawn"), as forking a process with threads (a loaded model, a server) can hang."""
    if workers <= 1 or len(plans) <= 1:
        return [write_review(plan, raw) for plan in plans]
    chunk = max(1, len(plans) // (workers * 8))
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(write_review, plans, [raw] * len(plans), chunksize=chunk))
