"""Adding documents to an index: only the new ones are parsed and embedded, and the old build
answers until the new one is switched in."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant.embedder import Embedder
from assistant.index_schema import PASSAGES_FILE, SENTENCE_ROWS_FILE, IndexPaths
from assistant.store import open_store
from ingest import parse_stage
from ingest.pipeline import run_ingest
from tests.ingest.report_pdfs import report_folder


class RecordingEmbedder(Embedder):
    """The real embedder, noting every text it encodes and checking the old index serves."""

    def __init__(self, inner: Embedder, while_encoding=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(inner.batch_size, inner.kind)
        self.inner, self.while_encoding = inner, while_encoding
        self.texts: list[str] = []

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        self.texts += texts
        if self.while_encoding:
            self.while_encoding()
        return self.inner.encode(texts)


def sentences_of(build: Path, doc_ids: set[str]) -> list[str]:
    passages = [json.loads(line) for line in (build / PASSAGES_FILE).open()]
    rows = np.load(build / SENTENCE_ROWS_FILE)
    return [
        passages[row]["text"][start:end]
        for row, start, end in rows.tolist()
        if passages[row]["doc_id"] in doc_ids
    ]


@pytest.mark.slow
def test_adding_reports_parses_and_embeds_only_them_while_the_old_build_serves(
    settings, embedder, tmp_path, monkeypatch
):
    folder = report_folder(tmp_path / "pdfs", 4, pages=3)
    run_ingest(settings, [str(folder)], embedder=embedder, announce=lambda _: None)
    old = open_store(settings)
    query = embedder.encode(["neglect and poverty"])[0]
    before = (old.dense(query, 5), old.lexical("neglect and poverty", 5))

    served: list[bool] = []

    def old_build_serves() -> None:
        store = open_store(settings)
        served.append(
            store.build_id == old.build_id
            and (store.dense(query, 5), store.lexical("neglect and poverty", 5)) == before
        )

    parsed: list[Path] = []
    real_parse_many = parse_stage.parse_many

    def recording_parse_many(jobs, limits, workers=0):  # type: ignore[no-untyped-def]
        jobs = list(jobs)
        parsed.extend(path for _, path, _ in jobs)
        return real_parse_many(jobs, limits, workers)

    monkeypatch.setattr(parse_stage, "parse_many", recording_parse_many)
    report_folder(folder, 2, pages=3, first_seed=4)
    recorder = RecordingEmbedder(embedder, old_build_serves)
    steps: list[tuple[str | None, float | None]] = []
    summary = run_ingest(
        settings,
        [str(folder)],
        embedder=recorder,
        announce=lambda _: None,
        progress=lambda done, total, label=None, pages=None: steps.append((label, pages)),
    )

    new_docs = {"report-004", "report-005"}
    assert sorted(p.name for p in parsed) == ["report-004.pdf", "report-005.pdf"]
    new = open_store(settings)
    added = sentences_of(new.build, new_docs)
    assert set(recorder.texts) == set(added)  # every new sentence, and nothing else
    assert summary.manifest.embedded_sentences == len(added)
    assert summary.manifest.embedded_passages == sum(
        s.passages for s in summary.manifest.sources if s.doc_id in new_docs
    )
    assert served and all(served)
    assert new.build_id != old.build_id
    assert new.vectors == len(np.load(new.build / SENTENCE_ROWS_FILE))
    assert old.lexical("neglect and poverty", 5) == before[1]  # the replaced build still answers
    assert IndexPaths(settings.index_dir).live_build_id() == new.build_id
    labels = {label for label, _ in steps}
    assert {"Parsing documents", "Embedding sentences"} <= labels
    assert max(pages or 0 for _, pages in steps) == summary.pages
