"""The indexes the evaluation runs on: the briefings, or the briefings plus ~400 pages of filler.

Each lives under <data_dir>/eval/<name>/ and is (re)built incrementally, so a second run costs
nothing when the corpus has not changed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from assistant.embedder import get_embedder
from assistant.index_schema import IndexPaths
from assistant.settings import Settings
from ingest.pipeline import run_ingest

CorpusName = Literal["briefings", "large", "live"]
FILLER_PAGES = (280, 60, 60)  # about the size of the three real reports


def filler_dir(settings: Settings) -> Path:
    """Three generated report-like PDFs (deterministic), made once."""
    from bench.library.report_pdf import make_report_pdf  # bench is not installed: load on use

    folder = settings.data_dir / "eval" / "filler"
    folder.mkdir(parents=True, exist_ok=True)
    for i, pages in enumerate(FILLER_PAGES, start=1):
        path = folder / f"filler-report-{i}.pdf"
        if not path.exists():
            make_report_pdf(path, chapters=pages // 10, pages_per_chapter=10, seed=100 + i)
    return folder


def eval_settings(settings: Settings, corpus: CorpusName) -> Settings:
    """Settings whose index is the evaluation corpus (the live index for `live`)."""
    if corpus == "live":
        return settings
    return settings.model_copy(update={"data_dir": settings.data_dir / "eval" / corpus})


def ensure_index(settings: Settings, corpus: CorpusName, announce=print) -> Settings:  # type: ignore[no-untyped-def]
    """Build or refresh the evaluation corpus's index; returns settings that open it."""
    target = eval_settings(settings, corpus)
    if corpus == "live":
        return target
    sources = ["briefings"] if corpus == "briefings" else ["briefings", str(filler_dir(settings))]
    fresh = IndexPaths(target.index_dir).live_build_id() is None
    summary = run_ingest(target, sources, embedder=get_embedder(), announce=lambda _: None)
    if fresh or summary.embedded:
        announce(f"Evaluation index ({corpus}): {summary.line()}")
    return target
