"""Blind batches (eval/sets/blind/): their figures by style, and the record of first runs.

A batch is written by someone who saw only the corpus, committed untouched and run once; that
first run is the figure that counts, logged in eval/sets/blind/LOG.md by `safeguarding eval blind
BATCH --log`. Afterwards the batch is development data.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eval.tuning_log import commit

LOG = Path(__file__).parent / "sets" / "blind" / "LOG.md"


def style_table(results: dict[str, Any]) -> str:
    """One line per style and overall: key fact, answerable refused, unanswerable refused."""
    groups = {"all": results["metrics"]["overall"], **results["metrics"].get("by_style", {})}
    rows = results["questions"]
    lines = [f"{'group':<14}{'n':>4}{'key fact':>10}{'ans. refused':>14}{'unans. refused':>16}"]
    for name, metrics in groups.items():
        asked = [q for q in rows if name == "all" or q.get("style") == name]
        has = {
            True: any(q["answerable"] for q in asked),
            False: any(not q["answerable"] for q in asked),
        }
        wanted = {
            "key_fact": has[True],
            "false_refusal_rate": has[True],
            "refusal_recall": has[False],
        }
        shown = [
            "-" if metrics.get(k) is None or not wanted[k] else f"{metrics[k]:.3f}"
            for k in ("key_fact", "false_refusal_rate", "refusal_recall")
        ]
        lines.append(f"{name:<14}{metrics['n']:>4}{shown[0]:>10}{shown[1]:>14}{shown[2]:>16}")
    return "\n".join(lines)


def log_row(batch: Path, results: dict[str, Any], note: str = "", log: Path = LOG) -> str:
    """Append the run's row to LOG.md and return it."""
    metrics = results["metrics"]
    overall, styles = metrics["overall"], metrics.get("by_style", {})
    rows = results["questions"]
    answerable = sum(q["answerable"] for q in rows)

    def show(value: float | None) -> str:
        return "-" if value is None else f"{value:.3f}"

    row = (
        f"| `{batch.name}` | {datetime.now(UTC).date()} | {commit()} {note} |"
        f" {len(rows)} ({answerable} / {len(rows) - answerable}) |"
        f" {show(overall.get('key_fact'))} | {show(overall.get('false_refusal_rate'))} |"
        f" {show(overall.get('refusal_recall'))} |"
        f" {show(styles.get('conversation', {}).get('key_fact'))} |"
        f" {show(styles.get('practitioner', {}).get('key_fact'))} |"
    )
    with log.open("a", encoding="utf-8") as handle:
        handle.write(row + "\n")
    return row
