"""Ingest benchmark: parse and embedding throughput, whole-ingest time, peak memory.

Run with `make bench` (or `python -m bench.ingest`). Prints a table and writes
bench/results/ingest.json. Baselines measured in the same run make the figures comparable on a
noisy machine: pypdf's bare `extract_text()` for parsing, and a bare model.encode() over the same
passages for embedding.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

from pypdf import PdfReader

from assistant.embedder import get_embedder
from assistant.sentences import split_sentences
from assistant.settings import PROJECT_ROOT, Settings, apply_offline_env
from bench.library.report_pdf import make_report_pdf
from ingest.chunk import ChunkParams, ChunkSource, chunk_blocks
from ingest.parse import parse_file
from ingest.pipeline import run_ingest

RESULTS = PROJECT_ROOT / "bench" / "results"


def peak_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, time.perf_counter() - start


def bare_extract(path: Path) -> int:
    """Baseline: pypdf text extraction of every page, nothing else."""
    return sum(len(page.extract_text() or "") for page in PdfReader(path).pages)


def bench_pdf_parse(folder: Path, pages: int) -> dict[str, float]:
    chapters = max(1, pages // 10)
    path = folder / f"report-{pages}.pdf"
    _, gen_s = timed(make_report_pdf, path, chapters=chapters, pages_per_chapter=10)
    doc, parse_s = timed(parse_file, path)
    _, bare_s = timed(bare_extract, path)
    return {
        "pages": doc.page_count,
        "generate_s": round(gen_s, 2),
        "parse_s": round(parse_s, 2),
        "pages_per_s": round(doc.page_count / parse_s, 1),
        "bare_pypdf_s": round(bare_s, 2),
        "parse_vs_bare": round(parse_s / bare_s, 2),
        "peak_mb": round(peak_mb()),
    }


def bench_embedding(settings: Settings) -> dict[str, float]:
    """Passages/s through the ingest path versus a bare encode of the same texts."""
    embedder = get_embedder()
    _, load_s = timed(embedder.warm_up)
    passages = []
    params = ChunkParams(settings.chunk_min_words, settings.chunk_max_words)
    for path in sorted(settings.briefings_dir.glob("*.md")):
        doc = parse_file(path)
        source = ChunkSource(path.stem, path.stem, doc.title, "briefing")
        passages += chunk_blocks(doc.blocks, source, params)
    texts = [s for p in passages for s in split_sentences(p.text)]
    _, bare_s = timed(embedder.encode, texts)
    words = sum(len(t.split()) for t in texts)
    return {
        "model_load_s": round(load_s, 2),
        "passages": len(passages),
        "sentences": len(texts),
        "mean_words": round(words / len(texts)),
        "sentences_per_s": round(len(texts) / bare_s, 1),
        "words_per_s": round(sum(len(t.split()) for t in texts) / bare_s),
    }


def bench_ingest(settings: Settings, names: list[str]) -> dict[str, float]:
    first, first_s = timed(run_ingest, settings, names, announce=lambda _: None)
    second, second_s = timed(run_ingest, settings, names, announce=lambda _: None)
    return {
        "documents": first.documents,
        "pages": first.pages,
        "passages": first.passages,
        "ingest_s": round(first_s, 2),
        "embedded_passages_per_s": round(first.embedded / first_s, 1),
        "reingest_s": round(second_s, 2),
        "reingest_embedded": second.embedded,
        "reingest_vs_first": round(second_s / first_s, 3),
        "peak_mb": round(peak_mb()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300, help="Pages of the generated PDF.")
    parser.add_argument("--corpus-pages", type=int, default=400, help="Pages in the ingest run.")
    args = parser.parse_args()
    apply_offline_env()
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        base = Settings(data_dir=folder / "data-briefings")
        results["embedding_briefings"] = bench_embedding(base)
        results["ingest_briefings"] = bench_ingest(base, ["briefings"])
        results[f"parse_pdf_{args.pages}"] = bench_pdf_parse(folder, args.pages)
        # about the size of the three reports: one long PDF and two short ones
        split = [args.corpus_pages * 7 // 10, args.corpus_pages * 15 // 100]
        split.append(args.corpus_pages - sum(split))
        pdfs = folder / "pdfs"
        pdfs.mkdir()
        for i, pages in enumerate(split):
            make_report_pdf(
                pdfs / f"r{i}.pdf", chapters=max(1, pages // 10), pages_per_chapter=10, seed=i
            )
        corpus = Settings(data_dir=folder / "data-pdfs")
        results[f"ingest_pdfs_{args.corpus_pages}"] = bench_ingest(corpus, [str(pdfs)])
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "ingest.json").write_text(json.dumps(results, indent=2))
    for name, figures in results.items():
        print(f"\n{name}")
        for key, value in figures.items():  # type: ignore[union-attr]
            print(f"  {key:<26} {value}")


if __name__ == "__main__":
    main()
