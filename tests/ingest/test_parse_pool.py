"""Parsing in parallel workers: results stream as documents finish and equal a sequential run."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.index_schema import PASSAGES_FILE, IndexPaths
from ingest.bounded_parse import ParseLimits, parse_many
from ingest.chunk import ChunkParams
from ingest.errors import IngestError
from ingest.parse import parse_file
from ingest.parse_stage import parse_stage
from ingest.sources import path_files
from ingest.work import BuildWork
from tests.ingest import hostile_pdfs
from tests.ingest.report_pdfs import report_folder

LIMITS = ParseLimits(max_bytes=200 * 2**20, max_pages=5000, timeout=4.0)


def page_texts(path: Path, max_pages: int) -> list[str]:
    return [block.text for block in parse_file(path, max_pages=max_pages).blocks]


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = report_folder(tmp_path_factory.mktemp("pdfs"), 20, pages=2)
    return sorted(folder.glob("*.pdf"))


def test_pool_gives_each_document_what_a_sequential_parse_gives(pdfs):
    jobs = [(i, path, page_texts) for i, path in enumerate(pdfs)]
    pooled = dict(parse_many(jobs, LIMITS, workers=3))
    assert sorted(pooled) == list(range(len(pdfs)))
    assert [pooled[i] for i in range(len(pdfs))] == [page_texts(p, 5000) for p in pdfs]


def test_a_runaway_document_is_stopped_and_the_others_finish(pdfs, tmp_path):
    bomb = hostile_pdfs.decompression_bomb(tmp_path / "bomb.pdf")
    jobs = [(i, path, page_texts) for i, path in enumerate([*pdfs[:5], bomb, *pdfs[5:8]])]
    results = dict(parse_many(jobs, LIMITS, workers=2))
    assert isinstance(results[5], IngestError) and "longer than 4 s" in str(results[5])
    assert all(isinstance(results[i], list) and results[i] for i in results if i != 5)


def build_passages(root: Path, pdfs: list[Path], workers: int) -> bytes:
    paths = IndexPaths(root / "index")
    paths.builds.mkdir(parents=True)
    work = BuildWork.open(paths, "key", "build")
    files = [f for p in pdfs for f in path_files(p)]
    parse_stage(work, "custom", files, ["h"] * len(files), ChunkParams(), LIMITS, workers=workers)
    return (work.build / PASSAGES_FILE).read_bytes()


def test_passages_file_is_in_source_order_whatever_the_finishing_order(pdfs, tmp_path):
    pooled = build_passages(tmp_path / "pooled", pdfs, workers=4)
    sequential = build_passages(tmp_path / "sequential", pdfs, workers=1)
    assert pooled == sequential
    assert pooled.count(b"\n") >= len(pdfs)
