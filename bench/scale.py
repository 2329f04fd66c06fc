"""Scale benchmark: how ingest, memory, latency and retrieval grow with the corpus.

    python -m bench.scale --reports 3,100,300,1000 --backend embedded,server --out DIR

For each N it generates N report-like PDFs (`bench.library`, seeded) beside the briefings,
ingests them in a subprocess (sampling the RSS of its whole process tree), serves the index in
another (`safeguarding serve --no-ui`, and `--workers 2` on the Chroma server), and measures
/api/ask and /api/search latency at concurrency 1 and 8, and hit@5 of the dev questions (whose
gold passages are in the briefings, so they must still be found among the N reports). It writes
DIR/scale.json (one row per N and backend, written as each row finishes) and DIR/scale.png.
Figures are comparable within one run only: quote ratios against the smallest N.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from assistant.settings import Settings, apply_offline_env
from eval.questions import load_questions, set_path

BIN = Path(sys.executable).parent
SEED = 2020
ROUNDS = 60  # sequential requests per latency figure; 8 clients send 3x as many
PAGES = (10, 12)  # pages per generated report: 1,000 reports hold >= 10,000 pages


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, seconds: float = 600) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).is_success:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {seconds:g} s")


# -- processes and memory ----------------------------------------------------------------------


def tree_rss_mb(root: int) -> float:
    """Resident memory of `root` and every descendant, in MB (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        children.setdefault(int(stat[1]), []).append(pid)
        rss[pid] = int(stat[21]) * os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total / 2**20


def run_sampled(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run `command` to the end: (seconds, peak RSS of its process tree in MB)."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0.0
    while proc.poll() is None:
        peak = max(peak, tree_rss_mb(proc.pid))
        time.sleep(0.25)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        error = proc.stderr.read().decode()[-2000:] if proc.stderr else ""
        raise RuntimeError(f"{' '.join(command[:3])} failed ({proc.returncode}): {error}")
    return seconds, peak


@contextmanager
def process(command: list[str], env: dict[str, str], ready: str) -> Iterator[int]:
    """A background process, up once `ready` answers; stopped on exit. Yields its pid."""
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_up(ready)
        yield proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()


def folder_mb(*folders: Path) -> float:
    total = sum(f.stat().st_size for folder in folders for f in folder.rglob("*") if f.is_file())
    return round(total / 2**20, 1)


# -- the corpus and its index ------------------------------------------------------------------


def generate(reports: int, seed: int, pages: tuple[int, int], out: Path) -> Path:
    """N generated reports beside the briefings, made once per N, seed and page range."""
    if not (out / "manifest.toml").exists():
        command = [sys.executable, "-m", "bench.library", "--reports", str(reports)]
        command += ["--seed", str(seed), "--pages", str(pages[0]), str(pages[1]), "--out", str(out)]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return out


def environment(data: Path, corpus: Path, chroma_port: int | None) -> dict[str, str]:
    env = {**os.environ, "SAFEGUARDING_DATA_DIR": str(data), "SAFEGUARDING_CORPUS_DIR": str(corpus)}
    env.pop("SAFEGUARDING_CHROMA_HOST", None)
    if chroma_port:
        env |= {
            "SAFEGUARDING_CHROMA_HOST": "127.0.0.1",
            "SAFEGUARDING_CHROMA_PORT": str(chroma_port),
        }
    return env


def index_counts(settings: Settings) -> dict[str, int]:
    """Pages, passages and sentences of the live build."""
    from assistant.store import open_store

    store = open_store(settings)
    sentences = sum(len(store.sentences(p.id).spans) for p in store.passages)
    pages = sum(s.pages for s in store.manifest.sources)
    return {"pages": pages, "passages": len(store.passages), "sentences": sentences}


def hit_at_5(settings: Settings) -> float | None:
    """hit@5 of the dev set on this index, as the evaluation scores it."""
    from eval.runner import run_set

    results = run_set(settings, "dev", corpus="live", announce=lambda _: None)
    return results["metrics"]["overall"].get("hit@5")


# -- load ----------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def timed_posts(
    url: str, path: str, bodies: list[dict[str, Any]], clients: int
) -> dict[str, float]:
    """Send each body once with `clients` concurrent clients: latency percentiles and rate.
    Each client keeps its connection open, as a browser or proxy does: the load generator
    shares the two cores with the servers, so it spends as little of them as it can."""
    local = threading.local()
    opened: list[httpx.Client] = []

    def one(body: dict[str, Any]) -> float:
        if not hasattr(local, "http"):
            local.http = httpx.Client(timeout=120)
            opened.append(local.http)
        started = time.perf_counter()
        local.http.post(url + path, json=body).raise_for_status()
        return (time.perf_counter() - started) * 1000

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        latencies = list(pool.map(one, bodies))
    seconds = time.perf_counter() - started
    for http in opened:
        http.close()
    return {
        "p50": percentile(latencies, 0.5),
        "p95": percentile(latencies, 0.95),
        "per_s": round(len(bodies) / seconds, 2),
    }


def questions() -> list[str]:
    """The dev set's standalone questions (follow-ups need their history)."""
    return [q.question for q in load_questions(set_path("dev")) if not q.history]


def cycle(texts: list[str], n: int, key: str, **extra: Any) -> list[dict[str, Any]]:
    return [{key: texts[i % len(texts)], **extra} for i in range(n)]


def serve_figures(url: str, pid: int, rounds: int) -> dict[str, float]:
    asked = questions()
    timed_posts(url, "/api/ask", cycle(asked, 8, "question"), 1)  # warm caches
    ask = timed_posts(url, "/api/ask", cycle(asked, rounds, "question"), 1)
    search = timed_posts(url, "/api/search", cycle(asked, rounds, "query", k=5), 1)
    c8 = timed_posts(url, "/api/ask", cycle(asked, 3 * rounds, "question"), 8)
    return {
        "serve_rss_mb": round(tree_rss_mb(pid), 1),
        "ask_p50_ms": ask["p50"],
        "ask_p95_ms": ask["p95"],
        "ask_p95_c8_ms": c8["p95"],
        "search_p95_ms": search["p95"],
        "req_per_s_c8": c8["per_s"],
    }


# -- one row -------------------------------------------------------------------------------------


@contextmanager
def chroma_server(folder: Path, wanted: bool) -> Iterator[int | None]:
    if not wanted:
        yield None
        return
    port = free_port()
    command = [str(BIN / "chroma"), "run", "--path", str(folder), "--host", "127.0.0.1"]
    env = {"ANONYMIZED_TELEMETRY": "False", "PATH": "/usr/bin:/bin"}
    with process([*command, "--port", str(port)], env, f"http://127.0.0.1:{port}/api/v2/heartbeat"):
        yield port


def measure(reports: int, backend: str, corpus: Path, work: Path, rounds: int) -> dict[str, Any]:
    """One row: ingest, index size, serving figures and hit@5 for N reports on a backend."""
    data = work / f"data-{backend}-{reports}"
    shutil.rmtree(data, ignore_errors=True)
    with chroma_server(work / f"chroma-{reports}", backend == "server") as chroma_port:
        env = environment(data, corpus, chroma_port)
        sources = ["--source", "briefings", "--source", "reports"]  # the manifest's PDFs
        seconds, peak = run_sampled([str(BIN / "safeguarding"), "ingest", "--quiet", *sources], env)
        settings = Settings(data_dir=data, corpus_dir=corpus, chroma_host=None)
        if chroma_port:
            settings = settings.model_copy(
                update={"chroma_host": "127.0.0.1", "chroma_port": chroma_port}
            )
        counts = index_counts(settings)
        extra = [work / f"chroma-{reports}"] if chroma_port else []
        row: dict[str, Any] = {
            "reports": reports,
            "backend": backend,
            **counts,
            "ingest_s": round(seconds, 1),
            "pages_per_s": round(counts["pages"] / seconds, 2),
            "ingest_peak_rss_mb": round(peak, 1),
            "index_mb": folder_mb(settings.index_dir, *extra),
        }
        row |= serving(env, 1, rounds)
        if chroma_port:
            two = serving(env, 2, rounds)
            row["req_per_s_c8_workers2"] = two["req_per_s_c8"]
            row["serve_rss_mb_workers2"] = two["serve_rss_mb"]
        row["hit_at_5"] = hit_at_5(settings)
    return row


def serving(env: dict[str, str], workers: int, rounds: int) -> dict[str, float]:
    port = free_port()
    command = [str(BIN / "safeguarding"), "serve", "--no-ui", "--port", str(port)]
    command += ["--workers", str(workers)] if workers > 1 else []
    url = f"http://127.0.0.1:{port}"
    with process(command, env, url + "/health") as pid:
        return serve_figures(url, pid, rounds)


# -- the plot ------------------------------------------------------------------------------------


PANELS: tuple[tuple[str, str], ...] = (
    ("ask_p95_ms", "/api/ask p95, concurrency 1 (ms)"),
    ("pages_per_s", "ingest speed (pages/s)"),
    ("ingest_peak_rss_mb", "ingest peak RSS (MB)"),
    ("serve_rss_mb", "serving RSS, one worker (MB)"),
    ("req_per_s_c8", "requests/s at concurrency 8"),
    ("hit_at_5", "hit@5 on dev"),
)


def plot(rows: list[dict[str, Any]], path: Path) -> None:
    """The growth curves, one panel per measure, one line per backend."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(12, 7), layout="constrained")
    axes = fig.subplots(2, 3)
    for ax, (key, title) in zip(axes.flat, PANELS, strict=True):
        for backend in sorted({r["backend"] for r in rows}):
            mine = sorted((r for r in rows if r["backend"] == backend), key=lambda r: r["reports"])
            ax.plot([r["reports"] for r in mine], [r.get(key) for r in mine], "o-", label=backend)
        ax.set_xscale("log")
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("generated reports (plus the briefings)")
        ax.grid(alpha=0.3)
    axes.flat[0].legend()
    fig.suptitle("How cost grows with the corpus (bench.scale, one run on this machine)")
    fig.savefig(path, dpi=110)


# -- main ----------------------------------------------------------------------------------------


def ratios(rows: list[dict[str, Any]]) -> list[str]:
    """The issue's targets as ratios within this run."""
    lines = []
    for backend in sorted({r["backend"] for r in rows}):
        mine = sorted((r for r in rows if r["backend"] == backend), key=lambda r: r["reports"])
        first, last = mine[0], mine[-1]
        lines.append(
            f"{backend}: ask p95 at {last['reports']} reports = {last['ask_p95_ms']} ms,"
            f" {last['ask_p95_ms'] / first['ask_p95_ms']:.2f}x its value at {first['reports']};"
            f" hit@5 {last['hit_at_5']}; {last['pages_per_s']} pages/s;"
            f" ingest peak {max(r['ingest_peak_rss_mb'] for r in mine)} MB;"
            f" serving {last['serve_rss_mb']} MB"
        )
        if "req_per_s_c8_workers2" in last:
            gain = last["req_per_s_c8_workers2"] / last["req_per_s_c8"]
            lines.append(f"{backend}: 2 workers give {gain:.2f}x the requests/s of 1 at c8")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", default="3,30", help="Comma-separated corpus sizes.")
    parser.add_argument("--backend", default="embedded", help="embedded, server or both.")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument(
        "--work", type=Path, help="Where corpora and indexes go (default OUT/work)."
    )
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--pages", type=int, nargs=2, default=PAGES, metavar=("MIN", "MAX"))
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="Requests per latency figure.")
    args = parser.parse_args(argv)
    apply_offline_env()
    sizes = [int(n) for n in args.reports.split(",")]
    backends = [b.strip() for b in args.backend.split(",")]
    if not set(backends) <= {"embedded", "server"} or min(sizes) < 1:
        parser.error("--backend takes embedded and/or server; --reports positive numbers")
    work = args.work or args.out / "work"
    work.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = []
    for n in sizes:
        pages = (args.pages[0], args.pages[1])
        corpus = generate(n, args.seed, pages, work / f"corpus-{n}-{pages[0]}-{pages[1]}")
        for backend in backends:
            rows.append(measure(n, backend, corpus, work, args.rounds))
            print(json.dumps(rows[-1]), flush=True)
            (args.out / "scale.json").write_text(json.dumps(rows, indent=2) + "\n")
    plot(rows, args.out / "scale.png")
    for line in ratios(rows):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
