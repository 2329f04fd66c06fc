"""The int8 copy of the ONNX export: made once, feed-forward outputs kept fp32, close vectors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from assistant.embedder import ONNX_FILE, ONNX_INT8_FILE, Embedder, embedder_name
from assistant.index_schema import IndexPaths
from assistant.onnx_int8 import feed_forward_outputs, quantize_export
from assistant.settings import get_settings
from assistant.store import IndexMismatch, IndexStore
from ingest.pipeline import run_ingest

TEXTS = [
    "Neglect was present in about three-quarters of the serious case reviews.",
    "Dale Simon led the review.",
    "short",
    "Moving a child away from the area buys respite but fails as a strategy. " * 30,  # cut
]


def tiny_layer(path: Path, names: list[str]) -> Path:
    """A chain of 4x4 MatMuls named like torch's export of a BertLayer's linears."""
    rng = np.random.default_rng(0)
    weights = [
        numpy_helper.from_array(rng.standard_normal((4, 4)).astype(np.float32), f"w{i}")
        for i in range(len(names))
    ]
    nodes = [
        helper.make_node("MatMul", ["x" if i == 0 else f"h{i}", f"w{i}"], [f"h{i + 1}"], name=n)
        for i, n in enumerate(names)
    ]
    graph = helper.make_graph(
        nodes,
        "layer",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])],
        [helper.make_tensor_value_info(f"h{len(names)}", TensorProto.FLOAT, ["batch", 4])],
        weights,
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    return path


def test_only_each_layers_feed_forward_output_is_kept_out(tmp_path):
    names = [
        "/inner/encoder/layer.0/attention/self/query/MatMul",
        "/inner/encoder/layer.0/attention/output/dense/MatMul",
        "/inner/encoder/layer.0/intermediate/dense/MatMul",
        "/inner/encoder/layer.0/output/dense/MatMul",
    ]
    path = tiny_layer(tmp_path / "layer.onnx", names)
    assert feed_forward_outputs(path) == ["/inner/encoder/layer.0/output/dense/MatMul"]
    quantize_export(path, tmp_path / "int8.onnx")
    graph = onnx.load(str(tmp_path / "int8.onnx")).graph
    assert [n.name for n in graph.node if n.op_type == "MatMul"] == [names[3]]
    assert sum(n.op_type == "MatMulInteger" for n in graph.node) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["int8.onnx", "layer.onnx"]


def test_an_export_without_the_feed_forward_names_is_not_quantised(tmp_path):
    path = tiny_layer(tmp_path / "layer.onnx", ["/encoder/layer.0/ffn/MatMul"])
    with pytest.raises(RuntimeError, match="no feed-forward output"):
        quantize_export(path, tmp_path / "int8.onnx")
    assert [p.name for p in tmp_path.iterdir()] == ["layer.onnx"]  # nothing half-written


def test_onnx_int8_has_its_own_name():
    names = {embedder_name(kind) for kind in ("fp32", "int8", "onnx", "onnx-int8")}
    assert len(names) == 3  # fp32 and onnx share one
    assert embedder_name("onnx-int8").endswith("onnx-int8")


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A models folder of the module's own, so the shared export's folder is never written."""
    folder = tmp_path_factory.mktemp("models")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SAFEGUARDING_MODELS_DIR", str(folder))
        get_settings.cache_clear()
        yield folder
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def int8(models: Path) -> Embedder:
    model = Embedder(kind="onnx-int8", batch_size=3)  # two batches, of different lengths
    model.warm_up()
    return model


@pytest.mark.slow
def test_onnx_int8_vectors_are_unit_length_and_near_fp32s(int8):
    vectors = int8.encode(TEXTS)
    assert vectors.shape == (4, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    cosines = (vectors * Embedder(kind="fp32").encode(TEXTS)).sum(axis=1)
    assert cosines.min() >= 0.98, cosines
    assert cosines.max() < 0.9999, cosines  # int8 did change the vectors
    alone = int8.encode(TEXTS[1:2])[0]  # a query on its own: activations are scaled per
    assert float(alone @ vectors[1]) >= 0.98  # batch, so a text's companions move it a little


@pytest.mark.slow
def test_the_int8_file_is_made_once_beside_the_export_and_reused(int8, models):
    files = sorted(p.name for p in models.iterdir())
    assert files == sorted([ONNX_FILE, ONNX_INT8_FILE])  # whole, no partial file left
    stamps = {p.name: p.stat().st_mtime_ns for p in models.iterdir()}
    exported = feed_forward_outputs(models / ONNX_FILE)
    assert len(exported) == 6  # one per layer of the model
    graph = onnx.load(str(models / ONNX_INT8_FILE)).graph
    assert set(exported) <= {n.name for n in graph.node if n.op_type == "MatMul"}  # kept fp32
    assert sum(n.op_type == "MatMulInteger" for n in graph.node) == 6 * 5
    Embedder(kind="onnx-int8").encode(TEXTS[:1])
    assert {p.name: p.stat().st_mtime_ns for p in models.iterdir()} == stamps


@pytest.mark.slow
def test_an_onnx_int8_index_is_queried_only_with_onnx_int8(int8, settings):
    run_ingest(settings, ["briefings"], embedder=int8, announce=lambda _: None)
    paths = IndexPaths(settings.index_dir)
    build = paths.build(paths.live_build_id() or "")
    with pytest.raises(IndexMismatch, match="onnx-int8.*SAFEGUARDING_EMBEDDER"):
        IndexStore(settings.model_copy(update={"embedder": "onnx"}), build)
    store = IndexStore(settings.model_copy(update={"embedder": "onnx-int8"}), build)
    assert store.manifest.embedder == embedder_name("onnx-int8")
