"""An embedder that remembers what it encoded: quiz checks judge the same statements against
several passages, and encoding them in one batch is several times cheaper than one by one."""

from __future__ import annotations

import numpy as np

from assistant.embedder import Embedder

MAX_CACHED = 20_000


class CachingEmbedder(Embedder):
    """Wraps an embedder; `prefetch` encodes many texts in one batch for later `encode` calls."""

    def __init__(self, inner: Embedder) -> None:
        super().__init__(inner.batch_size)
        self.inner = inner
        self._cache: dict[str, np.ndarray] = {}

    def warm_up(self) -> None:
        self.inner.warm_up()

    def prefetch(self, texts: list[str]) -> None:
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if not missing:
            return
        if len(self._cache) + len(missing) > MAX_CACHED:
            self._cache.clear()
        for text, vector in zip(missing, self.inner.encode(missing), strict=True):
            self._cache[text] = vector

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        self.prefetch(texts)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts])
