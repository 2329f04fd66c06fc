"""The embedding model run by ONNX Runtime (`SAFEGUARDING_EMBEDDER=onnx`), for faster ingest.

The installed package's weights are exported once to an ONNX file under the data folder (torch's
exporter, no download) and run by onnxruntime, which chromadb already installs. Mean pooling and
normalisation are those of the sentence-transformers model, so the vectors equal torch's (cosine
above 0.9999; `python -m bench.ingest --embedders` measures both the speed and the distance).
`SAFEGUARDING_EMBEDDER=onnx-int8` runs an int8 copy of the export instead (`assistant.onnx_int8`).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.embedder import EMBEDDER_DIMENSION

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OPSET = 17
_threads = 0  # onnxruntime's own choice (every core) unless the serving process sets one


def set_threads(count: int) -> None:
    """Threads each later session runs a batch on: ingest encodes big batches on every core,
    while a server already answers requests in parallel, one thread each."""
    global _threads
    _threads = count


def export(model: SentenceTransformer, path: Path) -> None:
    """Trace the model's transformer into `path`, written whole or not at all."""
    import torch

    transformer: Any = model[0].auto_model
    transformer.eval()

    class LastHidden(torch.nn.Module):
        """The transformer with positional inputs and one output, as the exporter wants it."""

        def __init__(self) -> None:
            super().__init__()
            self.inner = transformer

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            out = self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )
            return out.last_hidden_state

    sample = model.tokenizer(["a sentence", "another one"], padding=True, return_tensors="pt")
    axes = {name: {0: "batch", 1: "tokens"} for name in (*INPUTS, "last_hidden_state")}
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # the TorchScript exporter announces its deprecation
        torch.onnx.export(
            LastHidden(),
            tuple(sample[name] for name in INPUTS),
            str(partial),
            input_names=list(INPUTS),
            output_names=["last_hidden_state"],
            dynamic_axes=axes,
            opset_version=OPSET,
            dynamo=False,
        )
    partial.replace(path)


class OnnxEncoder:
    """Encodes with an exported model: batches of similar length, mean pooling, unit length."""

    def __init__(self, model: SentenceTransformer, path: Path, int8: Path | None = None) -> None:
        """Run the export at `path`, or its int8 copy at `int8`; each is made once, when missing."""
        import onnxruntime

        if not path.exists():
            export(model, path)
        if int8 is not None:
            if not int8.exists():
                from assistant.onnx_int8 import quantize_export

                quantize_export(path, int8)
            path = int8
        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = _threads
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(
            str(path), options, providers=["CPUExecutionProvider"]
        )
        self.tokenizer = model.tokenizer
        self.max_length = model.max_seq_length or 256  # the model's own limit, in tokens

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        order = np.argsort([len(t) for t in texts])  # little padding within a batch
        vectors = np.zeros((len(texts), EMBEDDER_DIMENSION), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            picked = order[start : start + batch_size]
            vectors[picked] = self.batch([texts[i] for i in picked])
        return vectors

    def batch(self, texts: list[str]) -> np.ndarray:
        tokens = self.tokenizer(
            texts, padding=True, truncation=True, max_length=self.max_length, return_tensors="np"
        )
        feed = {name: tokens[name].astype(np.int64) for name in INPUTS}
        hidden = self.session.run(None, feed)[0]
        mask = tokens["attention_mask"][..., None].astype(np.float32)
        pooled = (hidden * mask).sum(axis=1) / mask.sum(axis=1).clip(1e-9)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True).clip(1e-12)
