"""Opening an index: refuses other embedders or schemas with a clear message."""

from __future__ import annotations

import json

import pytest

from assistant.index_schema import MANIFEST_FILE, IndexPaths, passage_of, vector_id
from assistant.store import IndexMismatch, IndexStore, open_store
from ingest.pipeline import run_ingest


@pytest.fixture
def build(settings, embedder):
    run_ingest(settings, ["briefings"], embedder=embedder, announce=lambda _: None)
    paths = IndexPaths(settings.index_dir)
    return paths.build(paths.live_build_id() or "")


def rewrite_manifest(build, **changes):
    path = build / MANIFEST_FILE
    data = json.loads(path.read_text())
    data.update(changes)
    path.write_text(json.dumps(data))


@pytest.mark.slow
def test_other_embedder_is_refused(settings, build):
    rewrite_manifest(build, embedder="bge-small-en")
    with pytest.raises(IndexMismatch, match="bge-small-en.*safeguarding ingest"):
        IndexStore(settings, build)


@pytest.mark.slow
def test_other_schema_is_refused(settings, build):
    rewrite_manifest(build, schema_version=99)
    with pytest.raises(IndexMismatch, match="schema 99"):
        IndexStore(settings, build)


@pytest.mark.slow
def test_store_reopens_after_a_new_build(settings, embedder, build):
    first = open_store(settings)
    run_ingest(settings, ["briefings"], embedder=embedder, announce=lambda _: None)
    second = open_store(settings)
    assert second.build_id != first.build_id
    assert len(second.passages) == len(first.passages)


def test_a_vector_id_names_its_passage_even_when_the_passage_id_has_colons():
    assert passage_of(vector_id("a1b2", 3)) == "a1b2"
    assert passage_of(vector_id("doc:part:7", 12)) == "doc:part:7"
