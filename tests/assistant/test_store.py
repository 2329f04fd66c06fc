"""Opening an index: refuses other embedders or schemas with a clear message."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import bm25s
import numpy as np
import pytest
import Stemmer

from assistant.embedder import embedder_name
from assistant.index_schema import (
    BM25_DIR,
    MANIFEST_FILE,
    SENTENCE_ROWS_FILE,
    SENTENCES_FILE,
    IndexManifest,
    IndexPaths,
    passage_of,
    vector_id,
)
from assistant.store import IndexMismatch, IndexStore, check_compatible, open_store
from assistant.text_features import content_terms, specific_terms
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


def manifest_with(**changes: object) -> IndexManifest:
    fields: dict[str, object] = {
        "build_id": "b1",
        "built_at": datetime.now(UTC),
        "embedder": embedder_name("fp32"),
        "dimension": 384,
        "chunking": {},
        "corpus": "custom",
        "sources": [],
        "passages": 1,
        "collection": "passages-b1",
    }
    return IndexManifest.model_validate({**fields, **changes})


def test_an_index_is_queried_only_with_the_embedder_that_built_it(tmp_path):
    int8 = manifest_with(embedder=embedder_name("int8"))
    check_compatible(int8, tmp_path, embedder_name("int8"))
    with pytest.raises(IndexMismatch, match="int8.*SAFEGUARDING_EMBEDDER.*safeguarding ingest"):
        check_compatible(int8, tmp_path, embedder_name("fp32"))
    with pytest.raises(IndexMismatch, match="SAFEGUARDING_EMBEDDER"):
        check_compatible(manifest_with(), tmp_path, embedder_name("int8"))


def test_a_build_of_the_npz_schema_is_refused_with_rebuild_in_the_message(tmp_path):
    with pytest.raises(IndexMismatch, match="schema 1, this version reads 2.*rebuild the index"):
        check_compatible(manifest_with(schema_version=1), tmp_path)


@pytest.mark.slow
def test_int8_settings_refuse_an_fp32_index(settings, build):
    with pytest.raises(IndexMismatch, match="SAFEGUARDING_EMBEDDER"):
        IndexStore(settings.model_copy(update={"embedder": "int8"}), build)


@pytest.mark.slow
def test_memory_mapped_store_searches_as_exact_search_on_the_saved_arrays(
    settings, embedder, build
):
    store = IndexStore(settings, build)
    vectors = np.load(build / SENTENCES_FILE)
    rows = np.load(build / SENTENCE_ROWS_FILE)
    assert not store.sentences(store.passages[0].id).vectors.flags.owndata  # a view of the map
    assert not store.sentences(store.passages[0].id).vectors.flags.writeable
    query = embedder.encode(["what is poverty blindness"])[0]
    best: dict[str, float] = {}
    for row in np.argsort(-(vectors @ query)):
        best.setdefault(store.passages[rows[row, 0]].id, float(vectors[row] @ query))
    exact = list(best.items())[:3]
    dense = store.dense(query, 3)
    assert [pid for pid, _ in dense] == [pid for pid, _ in exact]
    assert np.allclose([s for _, s in dense], [s for _, s in exact], atol=1e-4)
    in_memory = bm25s.BM25.load(str(build / BM25_DIR))
    tokens = bm25s.tokenize(["poverty blindness"], stemmer=Stemmer.Stemmer("english"))
    ids, scores = in_memory.retrieve(tokens, k=3, show_progress=False)
    assert store.lexical("poverty blindness", 3) == [
        (store.passages[int(r)].id, float(s))
        for r, s in zip(ids[0], scores[0], strict=True)
        if s > 0
    ]


@pytest.mark.slow
def test_a_report_filter_is_searched_exactly_with_chromas_own_order(settings, embedder, build):
    store = IndexStore(settings, build)
    query = embedder.encode(["who led the review of criminal exploitation"])[0]
    for reports in (["hard-to-escape"], ["triennial-2014-17", "panel-annual-2018-19"]):
        exact = store.exact_dense(query, 10, store.rows_of(reports))
        where = {"report_id": {"$in": reports}}
        result = store.collection.query(
            query_embeddings=[query.tolist()], n_results=400, where=where, include=["distances"]
        )
        best: dict[str, float] = {}
        for vid, dist in zip(result["ids"][0], result["distances"][0], strict=True):
            best.setdefault(passage_of(vid), 1.0 - float(dist))
        assert [pid for pid, _ in exact] == list(best)[:10]
        assert np.allclose([s for _, s in exact], list(best.values())[:10], atol=1e-4)
        assert store.dense(query, 10, reports) == exact
    assert store.exact_dense(query, 5, store.rows_of(["no-such-report"])) == []


@pytest.mark.slow
def test_a_vector_search_that_stops_short_is_done_exactly(settings, embedder, build, caplog):
    """HNSW returns fewer sentences than asked when its graph is split: its results are then not
    the nearest, and the store searches exactly instead."""
    store = IndexStore(settings, build)
    query = embedder.encode(["who led the review of criminal exploitation"])[0]
    exact = store.exact_dense(query, 5, np.arange(len(store.passages)))
    real_query = store.collection.query

    def stopped_short(**kwargs):  # type: ignore[no-untyped-def]
        found = real_query(**kwargs)
        return {key: [value[0][-3:]] for key, value in found.items() if value}

    store.collection.query = stopped_short  # the far end of what was asked, and too few
    with caplog.at_level("WARNING"):
        assert store.dense(query, 5) == exact
    assert "searching exactly" in caplog.text


def test_a_sentence_carries_the_words_of_the_acronyms_it_uses(settings, embedder):
    from tests.conftest import write_briefing

    body = "## Infant deaths\n<!-- page: 3 -->\n\nProfessor Peter Sidebotham led the SUDI review.\n"
    write_briefing(settings.briefings_dir, "panel-annual-2018-19", "Annual report", body)
    run_ingest(settings, ["briefings"], embedder=embedder, announce=lambda _: None)
    store = open_store(settings)
    passage = next(p for p in store.passages if "SUDI" in p.text)
    terms = set().union(*store.sentence_terms(passage.id))
    assert {"sudi", "sudden", "unexpect", "infanc"} <= terms  # the glossary's meaning of SUDI


def test_report_facts_worked_out_once_match_the_passages(settings, embedder, build):
    store = open_store(settings)
    passages = store.passages
    assert store.report_ids() == list(dict.fromkeys(p.report_id for p in passages))
    assert store.report_titles == tuple(sorted({p.report_title for p in passages}))
    titles = {p.report_title for p in passages}
    assert store.title_specifics == {t for title in titles for t in specific_terms(title)}
    first = passages[0]
    assert store.section_terms(first.id) == content_terms(first.section)
    assert store.section_terms(first.id) is store.section_terms(first.id)  # kept, not redone
