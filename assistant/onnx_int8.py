"""The ONNX export with int8 weights (`SAFEGUARDING_EMBEDDER=onnx-int8`), for faster ingest.

onnxruntime's dynamic quantisation (weights int8 per output channel, activations quantised per
batch at run time) of every MatMul with a weight, except each layer's feed-forward output: its
inputs have outliers that int8 clips, as in the torch int8 path (`assistant.embedder.quantize`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def feed_forward_outputs(model_path: Path) -> list[str]:
    """The second feed-forward linear of each layer, named by torch's exporter after the
    BertLayer's `output.dense` (the attention block's `attention/output/dense` is quantised)."""
    import onnx

    graph = onnx.load(str(model_path), load_external_data=False).graph
    return [
        node.name
        for node in graph.node
        if node.op_type == "MatMul"
        and node.name.endswith("/output/dense/MatMul")
        and "/attention/" not in node.name
    ]


def quantize_export(source: Path, path: Path) -> None:
    """Write the int8 copy of the export `source` to `path`, whole or not at all."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    excluded = feed_forward_outputs(source)
    if not excluded:  # a new exporter's names: quantising them would lose accuracy unseen
        raise RuntimeError(f"{source}: no feed-forward output MatMul found to keep in fp32")
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        with quiet_root_logger():  # it advises pre-processing, which gives the same vectors here
            quantize_dynamic(
                source,
                partial,
                weight_type=QuantType.QInt8,
                per_channel=True,
                nodes_to_exclude=excluded,
            )
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


@contextmanager
def quiet_root_logger() -> Iterator[None]:
    """Hide warnings sent to the root logger, without configuring logging for the process
    (`logging.warning` would, where no handler is set yet) or changing it afterwards."""
    root = logging.getLogger()
    level, guard = root.level, logging.NullHandler()
    root.addHandler(guard)
    root.setLevel(logging.ERROR)
    try:
        yield
    finally:
        root.removeHandler(guard)
        root.setLevel(level)
