"""The lexical index: bm25s with an English Snowball stemmer, shared by ingest and search."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


def build_bm25(texts: Iterable[str], directory: Path) -> None:
    """Index `texts` (row order = passage order) and save the index into `directory`. The
    texts may stream from disk: only their token ids are held (about 0.6 GB at 100k passages,
    bench/ingest.py)."""
    import bm25s

    tokens = bm25s.tokenize(texts, stemmer=_stemmer(), show_progress=False)
    index = bm25s.BM25()
    index.index(tokens, show_progress=False)
    index.save(str(directory))


class Bm25Index:
    """A saved BM25 index, queried by row number."""

    def __init__(self, directory: Path, size: int) -> None:
        import bm25s

        # memory-mapped: the score matrix is shared by every worker serving this build
        self._index = bm25s.BM25.load(str(directory), mmap=True)
        self.size = size

    def query(self, text: str, k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top-k (row, score) pairs with a positive score; `mask` zeroes rows out."""
        import bm25s

        tokens = bm25s.tokenize([text], stemmer=_stemmer(), return_ids=False, show_progress=False)
        if not tokens or not tokens[0]:
            return []
        # n_threads=0 scores in this thread; 1 would start a one-thread pool on every query
        rows, scores = self._index.retrieve(
            tokens, k=min(k, self.size), show_progress=False, weight_mask=mask, n_threads=0
        )
        return [(int(r), float(s)) for r, s in zip(rows[0], scores[0], strict=True) if s > 0]
