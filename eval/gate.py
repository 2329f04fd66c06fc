"""The CI gate: the held-out set's metrics against `eval/thresholds.toml`.

`gate` holds the levels CI enforces (set a little under the measured level, for noise);
`target` holds the issue's floors. Where a gate value is under its target, the project has not
reached the target yet: `shortfalls` names them so every run says so.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

THRESHOLDS = Path(__file__).parent / "thresholds.toml"


def load_thresholds(path: Path = THRESHOLDS) -> dict[str, dict[str, float]]:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    return {"gate": data["gate"], "target": data["target"]}


def failures(metrics: dict[str, Any], levels: dict[str, float]) -> list[str]:
    """One line per metric below its level (a missing metric fails too)."""
    lines = []
    for name, level in levels.items():
        value = metrics.get(name)
        if value is None or value < level:
            shown = round(value, 3) if isinstance(value, float) else value
            lines.append(f"{name} = {shown} is below {level}")
    return lines


def shortfalls(metrics: dict[str, Any], path: Path = THRESHOLDS) -> list[str]:
    """The metrics still under the issue's targets."""
    return failures(metrics, load_thresholds(path)["target"])
