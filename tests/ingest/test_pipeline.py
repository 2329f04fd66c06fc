"""The whole ingest on real code: parse, chunk, embed, write, switch; incremental and safe."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from assistant.embedder import Embedder
from assistant.index_schema import PASSAGES_FILE, IndexManifest, IndexPaths
from assistant.settings import Settings
from ingest.errors import IngestError
from ingest.pipeline import IngestSummary, run_ingest
from tests.conftest import NEGLECT, write_briefing


def ingest(settings: Settings, embedder: Embedder, *names: str):
    return run_ingest(settings, list(names), embedder=embedder, announce=lambda _: None)


def live_passage_ids(settings: Settings) -> list[str]:
    paths = IndexPaths(settings.index_dir)
    build = paths.build(paths.live_build_id() or "")
    return [json.loads(line)["id"] for line in (build / PASSAGES_FILE).open()]


@pytest.mark.slow
def test_default_corpus_is_briefings_when_nothing_downloaded(settings, embedder):
    summary = ingest(settings, embedder)
    assert summary.corpus == "briefings"
    assert summary.documents == 2
    assert summary.passages >= 4
    kinds = {s.kind for s in summary.manifest.sources}
    assert kinds == {"briefing"}


@pytest.mark.slow
def test_second_ingest_reuses_every_embedding_and_keeps_ids(settings, embedder):
    first = ingest(settings, embedder, "briefings")
    ids_first = live_passage_ids(settings)
    second = ingest(settings, embedder, "briefings")
    assert second.embedded == 0
    assert first.embedded == first.passages
    assert live_passage_ids(settings) == ids_first
    assert second.manifest.build_id != first.manifest.build_id


@pytest.mark.slow
def test_changing_one_source_reembeds_only_that_source(settings, embedder):
    ingest(settings, embedder, "briefings")
    before = live_passage_ids(settings)
    changed = NEGLECT.replace("three-quarters", "three quarters")
    write_briefing(settings.briefings_dir, "triennial-2014-17", "Complexity and challenge", changed)
    summary = ingest(settings, embedder, "briefings")
    triennial = [s for s in summary.manifest.sources if s.report_id == "triennial-2014-17"][0]
    assert 1 <= summary.embedded <= triennial.passages
    after = live_passage_ids(settings)
    unchanged = [s for s in summary.manifest.sources if s.report_id == "hard-to-escape"][0]
    assert len(set(before) & set(after)) >= unchanged.passages


def test_unknown_source_is_refused(settings, embedder):
    with pytest.raises(IngestError, match="unknown --source 'nonsense'"):
        ingest(settings, embedder, "nonsense")


def test_reports_source_without_downloads_says_to_fetch(settings, embedder):
    with pytest.raises(IngestError, match="safeguarding fetch"):
        ingest(settings, embedder, "reports")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.md", b"", "empty"),
        ("binary.md", b"\x00\x01\x02binary", "binary"),
        ("latin1.txt", "caf\xe9 au lait".encode("latin-1"), "UTF-8"),
        ("notes.docx", b"PK\x03\x04", "unsupported file type"),
        ("fake.pdf", b"<html><body>not a pdf</body></html>", "fake.pdf"),
    ],
)
def test_bad_input_names_the_file_and_leaves_live_index(
    settings, embedder, tmp_path: Path, name, content, reason
):
    ingest(settings, embedder, "briefings")
    live = IndexPaths(settings.index_dir).live_build_id()
    builds = sorted(p.name for p in IndexPaths(settings.index_dir).builds.iterdir())
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / name).write_bytes(content)
    with pytest.raises(IngestError) as caught:
        ingest(settings, embedder, str(bad / name))
    assert name in str(caught.value)
    assert reason in str(caught.value)
    assert IndexPaths(settings.index_dir).live_build_id() == live
    assert sorted(p.name for p in IndexPaths(settings.index_dir).builds.iterdir()) == builds


@pytest.mark.slow
def test_failure_while_writing_removes_the_half_build(settings, embedder, monkeypatch):
    ingest(settings, embedder, "briefings")
    paths = IndexPaths(settings.index_dir)
    live = paths.live_build_id()

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("ingest.index_writer.build_bm25", boom)
    write_briefing(settings.briefings_dir, "extra", "Extra", "## A\n\nSome new text here.")
    with pytest.raises(OSError, match="disk full"):
        ingest(settings, embedder, "briefings")
    assert paths.live_build_id() == live
    assert [p.name for p in paths.builds.iterdir()] == [live]


def test_unreadable_path_is_refused(settings, embedder, tmp_path: Path):
    missing = tmp_path / "nope.md"
    with pytest.raises(IngestError, match=re.escape(f"{missing} does not exist; check the path")):
        ingest(settings, embedder, str(missing))
    folder = tmp_path / "empty-folder"
    folder.mkdir()
    with pytest.raises(IngestError, match="no supported files"):
        ingest(settings, embedder, str(folder))


def test_counts_say_one_file_not_one_files(settings, tmp_path: Path):
    empty = tmp_path / "empty.md"
    empty.write_bytes(b"")
    said: list[str] = []
    with pytest.raises(IngestError, match="empty"):
        run_ingest(settings, [str(empty)], announce=said.append)  # fails before any embedding
    assert said[0] == "Indexing the custom corpus: 1 file"


def test_summary_line_is_singular_for_one(settings):
    manifest = IndexManifest(
        build_id="b1",
        built_at=datetime.now(UTC),
        embedder="e",
        dimension=384,
        chunking={},
        corpus="custom",
        sources=[],
        passages=1,
        collection="passages",
    )
    one = IngestSummary("custom", 1, 1, 1, 1, 2.0, manifest, skipped=["x.md: empty"])
    assert one.line() == (
        "Indexed 1 document, 1 page, 1 passage (1 newly embedded) in 2.0 s; 1 file skipped"
    )
    two = IngestSummary("custom", 2, 0, 2, 0, 2.0, manifest, skipped=["a", "b"])
    assert two.line() == (
        "Indexed 2 documents, 0 pages, 2 passages (0 newly embedded) in 2.0 s; 2 files skipped"
    )
