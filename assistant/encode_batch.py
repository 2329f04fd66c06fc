"""Micro-batching of query encodings: texts encoded one at a time by concurrent requests share a
model call.

On two cores a forward pass over eight short questions costs about what two single passes do
(torch's per-call overhead dominates for a dozen word pieces), and one thread running the model
leaves the other core to retrieval instead of forty request threads contending for both. A text
that arrives alone is encoded at once, alone, so nothing waits for a batch to fill.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future

import numpy as np

EncodeFn = Callable[[list[str]], np.ndarray]


class EncodeBatcher:
    """Encodes single texts on one worker thread, in batches of whatever is waiting."""

    def __init__(self, encode: EncodeFn, max_batch: int = 32) -> None:
        self._encode = encode
        self.max_batch = max_batch
        self._waiting: queue.SimpleQueue[tuple[str, Future[np.ndarray]]] = queue.SimpleQueue()
        self._worker: threading.Thread | None = None
        self._lock = threading.Lock()

    def encode_one(self, text: str) -> np.ndarray:
        """The vector of `text`, computed with whatever other texts are waiting."""
        future: Future[np.ndarray] = Future()
        self._waiting.put((text, future))
        self._start()
        return future.result()

    def _start(self) -> None:
        with self._lock:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(
                    target=self._serve, name="encode-batch", daemon=True
                )
                self._worker.start()

    def _serve(self) -> None:
        while True:
            self._run_batch(self._next_batch())

    def _next_batch(self) -> list[tuple[str, Future[np.ndarray]]]:
        """The oldest waiting text (blocking), then every other one already waiting."""
        batch = [self._waiting.get()]
        while len(batch) < self.max_batch:
            try:
                batch.append(self._waiting.get_nowait())
            except queue.Empty:
                break
        return batch

    def _run_batch(self, batch: list[tuple[str, Future[np.ndarray]]]) -> None:
        try:
            vectors = self._encode([text for text, _ in batch])
        except BaseException as exc:  # the callers raise it, each in its own request
            for _, future in batch:
                future.set_exception(exc)
            return
        for (_, future), vector in zip(batch, vectors, strict=True):
            future.set_result(vector)
