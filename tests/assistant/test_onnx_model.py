"""The embedding model run by ONNX Runtime: exported once, the same vectors as torch's."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.embedder import Embedder, embedder_name, onnx_file
from assistant.settings import get_settings


def test_the_export_is_shared_by_every_data_folder_unless_a_folder_is_set(tmp_path, monkeypatch):
    monkeypatch.setenv("SAFEGUARDING_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SAFEGUARDING_MODELS_DIR", raising=False)
    get_settings.cache_clear()
    assert not onnx_file().is_relative_to(tmp_path)  # beside the installed packages
    monkeypatch.setenv("SAFEGUARDING_MODELS_DIR", str(tmp_path / "models"))
    get_settings.cache_clear()
    assert onnx_file().parent == tmp_path / "models"
    get_settings.cache_clear()


@pytest.mark.slow
def test_onnx_vectors_equal_torchs_and_the_export_is_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("SAFEGUARDING_MODELS_DIR", str(tmp_path / "models"))
    get_settings.cache_clear()
    texts = [
        "Neglect was present in about three-quarters of the serious case reviews.",
        "Dale Simon led the review.",
        "short",
        "Moving a child away from the area buys respite but fails as a strategy. " * 30,  # cut
    ]
    onnx = Embedder(kind="onnx", batch_size=3)  # two batches, of different lengths
    vectors = onnx.encode(texts)
    exported = tmp_path / "models"
    assert [p.suffix for p in exported.iterdir()] == [".onnx"]  # whole, no partial file left
    assert vectors.shape == (4, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    cosines = (vectors * Embedder(kind="fp32").encode(texts)).sum(axis=1)
    assert cosines.min() > 0.9999, cosines
    assert onnx.encode(texts[1:2]).shape == (1, 384)  # a query on its own
    assert embedder_name("onnx") == embedder_name("fp32")  # one index serves both
    stamp = next(exported.iterdir()).stat().st_mtime_ns
    Embedder(kind="onnx").encode(texts[:1])
    assert next(exported.iterdir()).stat().st_mtime_ns == stamp  # exported once, then reused
    get_settings.cache_clear()


@pytest.mark.slow
def test_a_serving_process_runs_onnx_on_one_thread_per_request(settings, monkeypatch):
    from assistant import onnx_model
    from assistant.app import create_app

    monkeypatch.setattr(onnx_model, "_threads", 0)
    ingesting = Embedder(kind="onnx")
    ingesting.warm_up()
    assert ingesting._onnx is not None
    assert ingesting._onnx.session.get_session_options().intra_op_num_threads == 0  # all cores
    create_app(settings)
    serving = Embedder(kind="onnx")
    serving.warm_up()
    assert serving._onnx is not None
    assert serving._onnx.session.get_session_options().intra_op_num_threads == 1
