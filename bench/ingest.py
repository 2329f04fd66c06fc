"""Ingest benchmark: parse and embedding throughput, whole-ingest time, peak memory.

Run with `make bench` (or `python -m bench.ingest`). Prints a table and writes
bench/results/ingest.json. Baselines measured in the same run make the figures comparable on a
noisy machine: pypdf's bare `extract_text()` for parsing, and a bare model.encode() over the same
passages for embedding.

`python -m bench.ingest --reports 1000 [--fake-embedder]` measures ingest at scale instead: N
generated 10-page reports ingested in a child process (its pages/s and peak RSS), then 10 more
added (the add-10 time and what was embedded), the RSS of a process serving the index, and
BM25's build memory at 100k passages. `--fake-embedder` swaps the model for a hash (bench only)
to measure everything but the model at sizes the model would take hours on; `--embedders`
compares fp32, int8, ONNX Runtime and ONNX Runtime int8 encoding on report sentences. The
ingest runs with the configured embedder (SAFEGUARDING_EMBEDDER, or `--embedder`).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path
from typing import get_args

import numpy as np
from pypdf import PdfReader

from assistant.embedder import EMBEDDER_NAME, Embedder, EmbedderKind, get_embedder
from assistant.sentences import split_sentences
from assistant.settings import PROJECT_ROOT, Settings, apply_offline_env, get_settings
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


class HashEmbedder(Embedder):
    """Vectors from a hash of the text: no model, for measuring the rest of ingest at scale.
    It takes the real embedder's name so the bench index opens; never use it outside bench/."""

    def __init__(self) -> None:
        super().__init__()
        self.name = EMBEDDER_NAME

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        rows = [np.random.default_rng(zlib.crc32(t.encode())).standard_normal(384) for t in texts]
        vectors = np.array(rows, dtype=np.float32).reshape(-1, 384)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True).clip(1e-9)


def report_sentences(folder: Path, pages: int = 60) -> list[str]:
    """Sentences of real length from a generated report, as ingest embeds them."""
    path = folder / "sentences.pdf"
    make_report_pdf(path, chapters=max(1, pages // 10), pages_per_chapter=10, seed=7)
    doc = parse_file(path)
    return [s for block in doc.blocks for s in split_sentences(block.text)]


def bench_embedders(folder: Path, alone: int = 200) -> dict[str, float]:
    """Sentences/s of each embedder kind on report sentences, and how far the others' vectors
    move from fp32's: encoded in batches as ingest does, and the first `alone` one at a time as
    queries are (the int8 kinds scale activations per batch, so a text's companions move it)."""
    texts = report_sentences(folder)
    figures: dict[str, float] = {"sentences": len(texts)}
    figures["mean_words"] = round(sum(len(t.split()) for t in texts) / len(texts), 1)
    vectors, embedders = {}, {}
    kinds: tuple[EmbedderKind, ...] = ("fp32", "int8", "onnx", "onnx-int8")
    for kind in kinds * 2:  # twice, alternating: the machine is shared
        embedder = embedders.setdefault(kind, Embedder(kind=kind))
        embedder.warm_up()
        embedder.encode(texts[:64])
        vectors[kind], seconds = timed(embedder.encode, texts)
        figures[f"{kind}_sentences_per_s"] = max(
            figures.get(f"{kind}_sentences_per_s", 0), round(len(texts) / seconds, 1)
        )
    for kind in kinds[1:]:
        cosines = (vectors["fp32"] * vectors[kind]).sum(axis=1)
        figures[f"{kind}_cosine_mean"] = round(float(cosines.mean()), 5)
        figures[f"{kind}_cosine_min"] = round(float(cosines.min()), 5)
        single = np.vstack([embedders[kind].encode([t]) for t in texts[:alone]])
        cosines = (vectors["fp32"][:alone] * single).sum(axis=1)
        figures[f"{kind}_alone_cosine_min"] = round(float(cosines.min()), 5)
        figures[f"{kind}_vs_fp32"] = round(
            figures[f"{kind}_sentences_per_s"] / figures["fp32_sentences_per_s"], 2
        )
    return figures


def make_reports(folder: Path, first: int, count: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for seed in range(first, first + count):
        path = folder / f"report-{seed:05d}.pdf"
        make_report_pdf(path, chapters=1, pages_per_chapter=10, seed=seed)


def child(*args: str) -> dict[str, float]:
    """Run one measurement in a fresh process (its own peak RSS); its last line is JSON."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.ingest", *args], capture_output=True, text=True, check=True
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def vm_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run_child(args: argparse.Namespace) -> None:
    """The child side of `child`: one ingest, one serving process, or one BM25 build."""
    settings = Settings(data_dir=Path(args.data))
    if args.child == "ingest":
        embedder = HashEmbedder() if args.fake_embedder else get_embedder()
        summary, seconds = timed(
            run_ingest, settings, [args.source], embedder=embedder, announce=lambda _: None
        )
        figures = {
            "documents": summary.documents,
            "pages": summary.pages,
            "passages": summary.passages,
            "embedded_passages": summary.embedded,
            "embedded_sentences": summary.manifest.embedded_sentences,
            "seconds": round(seconds, 1),
            "pages_per_s": round(summary.pages / seconds, 1),
            "peak_rss_mb": round(peak_mb()),
            "embedder": "hash (bench only)" if args.fake_embedder else embedder.name,
        }
    elif args.child == "serve":
        figures = serving_rss(settings)
    else:
        figures = bm25_rss(Path(args.data), args.passages)
    print(json.dumps(figures))


def serving_rss(settings: Settings) -> dict[str, float]:
    """RSS of a process that opened the index and answered searches (model not loaded)."""
    from assistant.store import open_store

    store, seconds = timed(open_store, settings)
    opened = vm_rss_mb()
    rng = np.random.default_rng(0)
    for _ in range(20):
        query = rng.standard_normal(384).astype(np.float32)
        store.dense(query / np.linalg.norm(query), 10)
        store.lexical("neglect and poverty in families", 10)
    return {
        "passages": len(store.passages),
        "sentences": store.vectors,
        "open_s": round(seconds, 1),
        "rss_after_open_mb": round(opened),
        "rss_after_searches_mb": round(vm_rss_mb()),
        "peak_rss_mb": round(peak_mb()),
    }


def bm25_rss(data: Path, passages: int) -> dict[str, float]:
    """Peak RSS of building BM25 over `passages` texts streamed from the bench index."""
    from assistant.bm25 import build_bm25
    from assistant.index_schema import PASSAGES_FILE, IndexPaths

    paths = IndexPaths(data / "index")
    source = paths.build(paths.live_build_id() or "") / PASSAGES_FILE
    texts = [json.loads(line)["text"] for line in source.open()]

    def stream():  # type: ignore[no-untyped-def]
        for n in range(passages):
            yield f"{texts[n % len(texts)]} variant{n}"

    with tempfile.TemporaryDirectory() as out:
        _, seconds = timed(build_bm25, stream(), Path(out))
    return {"passages": passages, "seconds": round(seconds, 1), "peak_rss_mb": round(peak_mb())}


def bench_scale(reports: int, fake: bool, folder: Path) -> dict[str, dict[str, float]]:
    """Ingest N reports, then the same plus 10; serving RSS; BM25 at 100k passages."""
    data, pdfs = folder / "data-scale", folder / "scale-pdfs"
    make_reports(pdfs, 0, reports)
    flags = ["--fake-embedder"] if fake else []
    common = ["--data", str(data), "--source", str(pdfs), *flags]
    results = {f"ingest_{reports}_reports": child("--child", "ingest", *common)}
    make_reports(pdfs, reports, 10)
    results[f"add_10_to_{reports}"] = child("--child", "ingest", *common)
    results["serving"] = child("--child", "serve", "--data", str(data))
    results["bm25_100k"] = child("--child", "bm25", "--data", str(data), "--passages", "100000")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300, help="Pages of the generated PDF.")
    parser.add_argument("--corpus-pages", type=int, default=400, help="Pages in the ingest run.")
    parser.add_argument("--reports", type=int, default=0, help="Measure ingest at this scale.")
    parser.add_argument("--fake-embedder", action="store_true", help="Hash instead of model.")
    parser.add_argument(
        "--embedders", action="store_true", help="Compare fp32, int8, onnx and onnx-int8."
    )
    parser.add_argument(
        "--embedder",
        choices=get_args(EmbedderKind),
        help="The embedder ingest runs with (default: SAFEGUARDING_EMBEDDER, else onnx).",
    )
    parser.add_argument("--child", choices=["ingest", "serve", "bm25"], help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--source", help=argparse.SUPPRESS)
    parser.add_argument("--passages", type=int, default=100_000, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.embedder:  # the settings, and so the child processes, read it from the environment
        os.environ["SAFEGUARDING_EMBEDDER"] = args.embedder
        get_settings.cache_clear()
    apply_offline_env()
    if args.child:
        run_child(args)
        return
    if args.reports or args.embedders:
        with tempfile.TemporaryDirectory() as tmp:
            scale: dict[str, object] = {}
            if args.embedders:
                scale["embedders"] = bench_embedders(Path(tmp))
            if args.reports:
                scale.update(bench_scale(args.reports, args.fake_embedder, Path(tmp)))
        show(scale, "ingest-scale.json")
        return
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
    show(results, "ingest.json")


def show(results: dict[str, object], filename: str) -> None:
    """Print the figures and merge them into the results file (other runs' keys are kept)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / filename
    kept = json.loads(path.read_text()) if path.exists() else {}
    path.write_text(json.dumps({**kept, **results}, indent=2))
    for name, figures in results.items():
        print(f"\n{name}")
        for key, value in figures.items():  # type: ignore[attr-defined]
            print(f"  {key:<26} {value}")


if __name__ == "__main__":
    main()
