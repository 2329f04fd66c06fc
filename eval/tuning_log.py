"""The tuning record: every sweep and fit appends one line (commit, set, parameters, metrics) to
eval/tuning.jsonl, so the reasons for a parameter's value are kept as data, not in docstrings."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

LOG = Path(__file__).with_name("tuning.jsonl")


def commit() -> str:
    """The checked-out commit, with "+changes" when the work tree differs from it."""
    root = Path(__file__).resolve().parents[1]
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return f"{head}+changes" if head and dirty else head or "unknown"


def append(
    what: str, sets: list[str], params: dict[str, Any], metrics: dict[str, Any], path: Path = LOG
) -> dict[str, Any]:
    """Add one record to the log and return it."""
    record = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit(),
        "what": what,
        "sets": sets,
        "params": params,
        "metrics": metrics,
    }
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, default=str) + "\n")
    return record
