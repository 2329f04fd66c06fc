"""Load benchmark: concurrent clients on loopback against a uvicorn server in a second process.

Run with `python -m bench.load [--clients 50] [--seconds 60]`. Builds (or reuses) the briefings
evaluation index, serves it with uvicorn in its own process, and drives a mix of /api/ask,
/api/search and /api/compare from async httpx clients, each sending its next request when the
last one is answered. Prints requests/s, p50/p95/p99 and errors per route, and the server's
resident memory after warm-up and at the end, and the CPU the server, the load generator and the
machine's other processes used (on a shared machine the last one explains noisy figures); writes
bench/results/load.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx
import numpy as np

from assistant.settings import PROJECT_ROOT, Settings, apply_offline_env, get_settings
from eval.questions import load_questions, set_path

RESULTS = PROJECT_ROOT / "bench" / "results"
MIX = (("/api/ask", 0.5), ("/api/search", 0.35), ("/api/compare", 0.15))


@dataclass(frozen=True)
class Sample:
    route: str
    seconds: float
    status: int  # 0 when the request failed without a response
    error: str = ""  # the client-side exception's type, for status 0


@dataclass(frozen=True)
class RouteRow:
    route: str
    requests: int
    per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU time all processes on the machine have used (every core), from /proc/stat."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # minus idle, iowait


def rss_mb(pid: int) -> float:
    """Resident memory of a process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


@contextmanager
def served(settings: Settings, startup_seconds: float = 180) -> Iterator[tuple[str, int]]:
    """`uvicorn --factory assistant.app:create_app` in its own process: (base URL, pid)."""
    port = free_port()
    env = {
        **os.environ,
        "SAFEGUARDING_DATA_DIR": str(settings.data_dir),
        "SAFEGUARDING_CORPUS_DIR": str(settings.corpus_dir),
    }
    command = [sys.executable, "-m", "uvicorn", "--factory", "assistant.app:create_app"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    command += ["--timeout-keep-alive", str(settings.keep_alive_seconds)]
    proc = subprocess.Popen([*command, "--no-access-log"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_seconds
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited with code {proc.returncode}")
            try:
                if httpx.get(f"{base}/health", timeout=2).json().get("status") == "ok":
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        else:
            raise RuntimeError(f"the server was not ready within {startup_seconds:g} s")
        yield base, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def body(route: str, question: str) -> dict[str, object]:
    return {"query": question, "k": 5} if route == "/api/search" else {"question": question}


async def one_client(
    client: httpx.AsyncClient,
    questions: list[str],
    deadline: float,
    budget: list[int],
    samples: list[Sample],
    rng: random.Random,
) -> None:
    """Send requests back to back until the deadline or the shared request budget runs out."""
    routes, weights = zip(*MIX, strict=True)
    while time.monotonic() < deadline and budget[0] > 0:
        budget[0] -= 1
        route = rng.choices(routes, weights)[0]
        started = time.perf_counter()
        error = ""
        try:
            response = await client.post(route, json=body(route, rng.choice(questions)))
            status = response.status_code
        except httpx.HTTPError as exc:
            status, error = 0, type(exc).__name__
        samples.append(Sample(route, time.perf_counter() - started, status, error))


async def watch_memory(pid: int, deadline: float, every: float, rss: list[float]) -> None:
    """The server's RSS every `every` seconds until the deadline (growth vs. plateau)."""
    while time.monotonic() < deadline:
        rss.append(round(rss_mb(pid), 1))
        await asyncio.sleep(every)


async def drive(
    base: str, pid: int, questions: list[str], clients: int, seconds: float, max_requests: int
) -> tuple[list[Sample], list[float]]:
    """`clients` concurrent clients for `seconds` (at most `max_requests` in all); the samples
    and the server's RSS every 5 s."""
    samples: list[Sample] = []
    rss: list[float] = []
    budget = [max_requests]
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        await asyncio.gather(
            watch_memory(pid, deadline, 5.0, rss),
            *(
                one_client(client, questions, deadline, budget, samples, random.Random(n))
                for n in range(clients)
            ),
        )
    return samples, rss


def summarize(samples: list[Sample], seconds: float) -> list[RouteRow]:
    """One row per route and one for all, with latency percentiles in milliseconds."""
    rows = []
    for route in [r for r, _ in MIX] + ["all"]:
        picked = [s for s in samples if route in ("all", s.route)]
        ms = np.array([s.seconds * 1000 for s in picked]) if picked else np.zeros(1)
        rows.append(
            RouteRow(
                route=route,
                requests=len(picked),
                per_second=round(len(picked) / seconds, 1),
                p50_ms=round(float(np.percentile(ms, 50)), 1),
                p95_ms=round(float(np.percentile(ms, 95)), 1),
                p99_ms=round(float(np.percentile(ms, 99)), 1),
                errors=sum(not 200 <= s.status < 300 for s in picked),
            )
        )
    return rows


def table(rows: list[RouteRow]) -> str:
    head = f"{'route':<14}{'requests':>9}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
    lines = [head + f"{'errors':>8}"]
    for r in rows:
        lines.append(
            f"{r.route:<14}{r.requests:>9}{r.per_second:>8}{r.p50_ms:>9}{r.p95_ms:>9}"
            f"{r.p99_ms:>9}{r.errors:>8}"
        )
    return "\n".join(lines)


def warm_up(base: str, question: str) -> None:
    """One request per route, so the model is loaded before memory is first measured."""
    for route, _ in MIX:
        httpx.post(f"{base}{route}", json=body(route, question), timeout=120).raise_for_status()


def run(settings: Settings, clients: int, seconds: float, max_requests: int) -> dict[str, object]:
    """Serve `settings`' index, warm up, drive the load; rows, memory and the run's shape."""
    questions = [q.question for q in load_questions(set_path("dev"))]
    with served(settings) as (base, pid):
        warm_up(base, questions[0])
        rss_start = rss_mb(pid)
        cpu_start = (cpu_seconds(pid), cpu_seconds(os.getpid()), machine_busy_seconds())
        started = time.monotonic()
        samples, rss = asyncio.run(drive(base, pid, questions, clients, seconds, max_requests))
        elapsed = time.monotonic() - started
        rss_end = rss_mb(pid)
        cpu_end = (cpu_seconds(pid), cpu_seconds(os.getpid()), machine_busy_seconds())
    server, client, machine = (b - a for a, b in zip(cpu_start, cpu_end, strict=True))
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "rows": [asdict(r) for r in summarize(samples, elapsed)],
        "rss_start_mb": round(rss_start, 1),
        "rss_end_mb": round(rss_end, 1),
        "rss_growth_pct": round(100 * (rss_end - rss_start) / rss_start, 1),
        "rss_every_5s_mb": rss,
        # Where the cores went: the server, this load generator, and everything else.
        "cpu_cores": {
            "server": round(server / elapsed, 2),
            "load_client": round(client / elapsed, 2),
            "other_processes": round(max(0.0, machine - server - client) / elapsed, 2),
            "machine": os.cpu_count(),
        },
        "server_cpu_ms_per_request": round(1000 * server / max(1, len(samples)), 1),
        "statuses": sorted({s.status for s in samples}),
        "client_errors": sorted({s.error for s in samples if s.error}),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--max-requests", type=int, default=100_000)
    args = parser.parse_args()
    apply_offline_env()
    from eval.corpora import ensure_index

    settings = ensure_index(get_settings(), "briefings")
    result = run(settings, args.clients, args.seconds, args.max_requests)
    print(f"{args.clients} clients for {result['seconds']} s on the briefings corpus")
    print(table([RouteRow(**row) for row in result["rows"]]))  # type: ignore[attr-defined]
    print(
        f"server RSS: {result['rss_start_mb']} MB after warm-up, {result['rss_end_mb']} MB at"
        f" the end ({result['rss_growth_pct']:+}%); every 5 s: {result['rss_every_5s_mb']}"
    )
    cores = result["cpu_cores"]
    print(
        f"cores used: server {cores['server']}, load client {cores['load_client']}, other"  # type: ignore[index]
        f" processes {cores['other_processes']} of {cores['machine']};"  # type: ignore[index]
        f" server CPU {result['server_cpu_ms_per_request']} ms per request"
    )
    if result["client_errors"]:
        print(f"client-side errors: {result['client_errors']}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "load.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
