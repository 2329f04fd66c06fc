"""The CI gate: dev, the blind batches and metamorphic invariance against `eval/thresholds.toml`.

`gate` holds the levels CI enforces, each a margin under the measured level so that one question
does not fail a build; `target` holds the issue's targets. A name ending in `_max` is an upper
bound (a rate of errors). `shortfalls` names what is still short of its target, so every CI log
says how far the project is.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

THRESHOLDS = Path(__file__).parent / "thresholds.toml"
BLIND_DIR = Path(__file__).parent / "sets" / "blind"
Levels = dict[str, dict[str, float]]


def load_thresholds(path: Path = THRESHOLDS) -> dict[str, Levels]:
    """{"gate": {part: levels}, "target": {part: levels}}; parts: dev, blind, metamorphic."""
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    return {"gate": data["gate"], "target": data["target"]}


def failures(metrics: dict[str, Any], levels: dict[str, float]) -> list[str]:
    """One line per metric on the wrong side of its level (a missing metric fails too)."""
    lines = []
    for name, level in levels.items():
        upper = name.endswith("_max")
        key = name.removesuffix("_max")
        value = metrics.get(key)
        shown = round(value, 3) if isinstance(value, float) else value
        if value is None or (value > level if upper else value < level):
            lines.append(f"{key} = {shown} is {'above' if upper else 'below'} {level}")
    return lines


def shortfalls(metrics: dict[str, Any], part: str, path: Path = THRESHOLDS) -> list[str]:
    """The metrics of one part still short of the issue's targets."""
    return failures(metrics, load_thresholds(path)["target"].get(part, {}))


def blind_batches(folder: Path = BLIND_DIR) -> list[Path]:
    """The blind batches whose first run is logged (a batch not yet run stays out of the gate)."""
    log = (folder / "LOG.md").read_text(encoding="utf-8") if (folder / "LOG.md").exists() else ""
    return [p for p in sorted(folder.glob("*.jsonl")) if f"`{p.name}`" in log]
