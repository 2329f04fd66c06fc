"""A rich progress bar for embedding, as a (done, total) callback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


@contextmanager
def embedding_progress(enabled: bool = True) -> Iterator[Callable[[int, int], None] | None]:
    """Yields a callback(done, total) that drives a bar, or None when disabled."""
    if not enabled:
        yield None
        return
    columns = (
        TextColumn("Embedding passages"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task("embed", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update
