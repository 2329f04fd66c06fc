"""Run axe-core (the npm package, injected into the page) and sort its findings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.ui.conftest import AXE

BLOCKING = ("serious", "critical")
# WCAG 2.0-2.2 A and AA rules, the standard UK public-sector services must meet.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@dataclass(frozen=True)
class Finding:
    rule: str
    impact: str
    target: str
    html: str


def run_axe(page: Any) -> list[Finding]:
    """Every violation node axe finds on the page as it is now."""
    if not AXE.exists():
        raise AssertionError(f"{AXE} is missing: run `make browser-deps` (npm install axe-core)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS
    )
    return [
        Finding(v["id"], v.get("impact") or "", " ".join(map(str, n["target"])), n["html"][:200])
        for v in result["violations"]
        for n in v["nodes"]
    ]
