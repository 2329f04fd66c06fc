"""A rich progress bar driven by a (done, total) callback: ingest, evaluation."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text


class ProgressFn(Protocol):
    """(done, total) so far; ingest also names its stage and counts the pages it got through."""

    def __call__(
        self, done: int, total: int, *, label: str | None = None, pages: float | None = None
    ) -> None: ...


class PagesPerSecond(TextColumn):
    """Pages per second since the stage began, when the caller counts pages."""

    def __init__(self) -> None:
        super().__init__("")

    def render(self, task: Task) -> Text:
        pages = task.fields.get("pages")
        if pages is None or not task.elapsed:
            return Text("")
        return Text(f"{pages / task.elapsed:.1f} pages/s")


@contextmanager
def task_progress(label: str, enabled: bool = True) -> Iterator[ProgressFn | None]:
    """A (done, total) progress callback with a bar labelled `label`, the rate and an ETA; a
    new `label` starts a new bar (ingest: parsing, then embedding)."""
    if not enabled:
        yield None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        PagesPerSecond(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, transient=True) as bar:
        current = {"label": label, "task": bar.add_task(label, total=None)}

        def update(
            done: int, total: int, *, label: str | None = None, pages: float | None = None
        ) -> None:
            if label is not None and label != current["label"]:
                bar.remove_task(current["task"])  # type: ignore[arg-type]
                current.update(label=label, task=bar.add_task(label, total=None))
            task = current["task"]
            bar.update(task, completed=done, total=total, pages=pages)  # type: ignore[arg-type]

        yield update
