"""Query micro-batching: concurrent single encodings share model calls and get their own vectors."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from assistant.encode_batch import EncodeBatcher


class GatedEncoder:
    """Records each batch; the first call waits for a gate so that others queue behind it."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.gate = threading.Event()
        self.entered = threading.Event()

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.entered.set()
        if not self.batches:
            self.gate.wait(10)
        self.batches.append(list(texts))
        return np.array([[float(len(t)), float(sum(map(ord, t)))] for t in texts])


def test_a_lone_text_is_encoded_at_once_alone():
    encoder = GatedEncoder()
    encoder.gate.set()
    vector = EncodeBatcher(encoder).encode_one("neglect")
    assert encoder.batches == [["neglect"]]
    assert vector.tolist() == [7.0, float(sum(map(ord, "neglect")))]


def test_texts_waiting_during_a_call_share_the_next_one_and_get_their_own_vectors():
    encoder = GatedEncoder()
    batcher = EncodeBatcher(encoder)
    texts = [f"question {n}" + "?" * n for n in range(9)]
    with ThreadPoolExecutor(9) as pool:
        first = pool.submit(batcher.encode_one, texts[0])
        assert encoder.entered.wait(10)  # the worker is encoding the first text
        rest = [pool.submit(batcher.encode_one, t) for t in texts[1:]]
        while batcher._waiting.qsize() < len(rest):
            time.sleep(0.001)
        encoder.gate.set()
        vectors = [first.result(10)] + [f.result(10) for f in rest]
    assert encoder.batches == [texts[:1], texts[1:]]
    assert [v[0] for v in vectors] == [float(len(t)) for t in texts]


def test_a_failing_call_raises_in_every_caller_and_the_batcher_carries_on():
    calls = []

    def encode(texts: list[str]) -> np.ndarray:
        calls.append(texts)
        if len(calls) == 1:
            raise RuntimeError("model failed")
        return np.ones((len(texts), 2))

    batcher = EncodeBatcher(encode)
    with pytest.raises(RuntimeError, match="model failed"):
        batcher.encode_one("first")
    assert batcher.encode_one("second").tolist() == [1.0, 1.0]


@pytest.mark.slow
def test_batched_query_vectors_match_single_ones(embedder):
    texts = ["neglect and poverty", "critical moments in a child's life", "rapid reviews", "why?"]
    alone = np.stack([embedder._encode([t], False)[0] for t in texts])
    with ThreadPoolExecutor(len(texts)) as pool:
        together = np.stack([v[0] for v in pool.map(lambda t: embedder.encode([t]), texts)])
    np.testing.assert_allclose(together, alone, atol=1e-6)
