"""The synthetic library: reproducible, real-looking reports the project's parser reads, a manifest
assistant.corpus accepts, and a corpus folder ingest indexes directly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from assistant.corpus import Manifest, load_manifest
from assistant.embedder import Embedder
from assistant.settings import PROJECT_ROOT, Settings
from bench.library.__main__ import main
from bench.library.generate import generate_library
from bench.library.plan import (
    LCSPR_START,
    NATIONAL_AREA,
    PAGES,
    REPORT_TYPES,
    THEMES_PER_REPORT,
    YEARS,
    ReviewPlan,
    plan_library,
)
from bench.library.review_pdf import Review, build_review
from bench.library.vocabulary import load_vocabulary
from ingest.chunk import ChunkParams, ChunkSource, chunk_blocks
from ingest.document import ParsedDocument
from ingest.parse import parse_file
from ingest.sources import resolve_sources

SEED = 20
REAL_IDS = [r.id for r in load_manifest(PROJECT_ROOT / "corpus" / "manifest.toml").reports]


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("library")
    generate_library(out, 3, SEED, workers=1)
    return out


@pytest.fixture(scope="module")
def manifest(library: Path) -> Manifest:
    return load_manifest(library / "manifest.toml")


Parsed = list[tuple[ReviewPlan, Review, ParsedDocument]]


@pytest.fixture(scope="module")
def parsed(library: Path) -> Parsed:
    """Each generated report: its plan, its layout (the expectations) and what the parser reads."""
    vocab = load_vocabulary()
    found = []
    for plan in plan_library(3, SEED, vocab):
        path = library / "raw" / plan.filename
        found.append((plan, build_review(plan, vocab, path), parse_file(path)))
    return found


def _text(doc: ParsedDocument) -> str:
    return "\n".join(block.text for block in doc.blocks)


def test_same_seed_gives_byte_identical_manifest_and_pdfs(library: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate_library(again, 3, SEED, workers=1)
    assert (again / "manifest.toml").read_bytes() == (library / "manifest.toml").read_bytes()
    pdfs = sorted(p.name for p in (library / "raw").glob("*.pdf"))
    assert len(pdfs) == 3 and pdfs == sorted(p.name for p in (again / "raw").glob("*.pdf"))
    for name in pdfs:
        assert (again / "raw" / name).read_bytes() == (library / "raw" / name).read_bytes()


def test_creation_date_comes_from_the_plan_not_the_clock(manifest: Manifest, library: Path) -> None:
    for report in manifest.reports[3:]:
        info = PdfReader(library / "raw" / report.filename).metadata
        assert info is not None and info.creation_date is not None
        assert info.creation_date.date() == report.published


def test_another_seed_gives_another_library(library: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    generate_library(other, 3, SEED + 1, workers=1)
    assert (other / "manifest.toml").read_bytes() != (library / "manifest.toml").read_bytes()


def test_different_seeds_give_reports_on_different_themes() -> None:
    vocab = load_vocabulary()
    first = [plan.themes for plan in plan_library(3, 1, vocab)]
    second = [plan.themes for plan in plan_library(3, 2, vocab)]
    assert first != second
    many = plan_library(200, 3, vocab)
    assert len({theme for plan in many for theme in plan.themes}) == len(vocab.themes) >= 20
    assert all(THEMES_PER_REPORT[0] <= len(plan.themes) <= THEMES_PER_REPORT[1] for plan in many)
    assert len({plan.themes for plan in many}) > 150  # reports differ in subject matter


def test_manifest_validates_real_reports_first(manifest: Manifest, library: Path) -> None:
    assert manifest.ids[:3] == REAL_IDS
    assert len(manifest.reports) == 6 and len(set(manifest.ids)) == 6
    assert (library / "briefings" / "common-themes.md").is_file()
    assert manifest.comparison is not None and manifest.glossary  # the real manifest, whole
    for report in manifest.reports[3:]:
        assert (library / "raw" / report.filename).is_file()
        assert report.filename == f"{report.id}.pdf"


def test_metadata_values_are_within_the_allowed_sets(manifest: Manifest) -> None:
    areas = set(load_vocabulary().areas) | {NATIONAL_AREA}
    for report in manifest.reports:
        assert report.type in REPORT_TYPES and report.area in areas
    for report in manifest.reports[3:]:
        assert YEARS[0] <= report.published.year <= YEARS[1]
        assert report.pages is not None and PAGES[0] <= report.pages <= PAGES[1]
    plans = plan_library(300, 4, load_vocabulary())
    for plan in plans:
        assert plan.type in REPORT_TYPES and plan.area in areas
        if plan.type in ("SCR", "LCSPR"):  # SCRs before mid-2019, LCSPRs after, as in England
            assert (plan.type == "SCR") == (plan.published < LCSPR_START)
            assert plan.publisher.startswith(plan.area)
    assert {plan.type for plan in plans} == set(REPORT_TYPES)
    assert len({plan.title for plan in plans}) == len(plans)


def test_corpus_folder_attributes_each_pdf_to_its_manifest_entry(
    library: Path, manifest: Manifest
) -> None:
    settings = Settings(corpus_dir=library, data_dir=library / "data")
    _, files = resolve_sources(settings, ["briefings", "reports"])
    reports = {f.report_id: f for f in files if f.kind == "report"}
    assert sum(f.kind == "briefing" for f in files) == len(
        list((library / "briefings").glob("*.md"))
    )
    for report in manifest.reports[3:]:
        assert reports[report.id].report_title == report.title
        assert reports[report.id].path == library / "raw" / report.filename


def test_command_line_writes_a_library(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["--reports", "2", "--seed", "1", "--out", str(tmp_path), "--workers", "1"])
    printed = capsys.readouterr().out
    assert "Wrote 2 reports" in printed and "--source briefings --source reports" in printed
    assert len(load_manifest(tmp_path / "manifest.toml").reports) == 5


@pytest.mark.slow
def test_each_pdf_is_a_report_the_parser_reads(parsed: Parsed) -> None:
    for plan, review, doc in parsed:
        spec = review.spec
        assert doc.page_count == spec.page_count >= 10
        assert doc.metadata["contents_pages"] == spec.contents_pages == [2]
        headings = " | ".join(doc.sections)
        numbered = [s.title for s in spec.sections if re.match(r"\d+(\.\d+)? ", s.title)]
        assert len(numbered) == len(spec.sections) >= 8
        assert all(title in headings for title in numbered), doc.sections
        text = _text(doc)
        assert len(spec.table_rows) > 3 and all(" ".join(r) in text for r in spec.table_rows)
        child = plan.child  # the case vignette: a named child, their age, agencies, the area
        assert all(w in review.vignette for w in (child.name, child.age, "known to", plan.area))
        assert review.vignette in text
        assert "Recommendation 1: " in text
        assert [b.text for b in doc.blocks if spec.footnote in b.text] == [spec.footnote]


@pytest.mark.slow
def test_running_headers_and_footers_never_reach_passages(parsed: Parsed) -> None:
    for _, review, doc in parsed:
        source = ChunkSource("doc", "doc", review.spec.title, "report")
        passages = chunk_blocks(doc.blocks, source, ChunkParams())
        assert passages
        raw = [page.extract_text() for page in PdfReader(doc.path).pages]
        assert sum(review.spec.header in page for page in raw) == doc.page_count - 1
        assert not any(review.spec.header in p.text for p in passages)
        assert not any(re.search(r"\bPage \d+ of \d+\b", p.text) for p in passages)


@pytest.mark.slow
def test_process_pool_writes_the_same_library(library: Path, tmp_path: Path) -> None:
    generate_library(tmp_path, 3, SEED, workers=2)
    assert (tmp_path / "manifest.toml").read_bytes() == (library / "manifest.toml").read_bytes()
    for pdf in (library / "raw").glob("*.pdf"):
        assert (tmp_path / "raw" / pdf.name).read_bytes() == pdf.read_bytes()


@pytest.mark.slow
def test_ingest_indexes_briefings_and_reports_in_one_command(
    tmp_path: Path, embedder: Embedder
) -> None:
    from assistant.store import open_store
    from ingest.pipeline import run_ingest

    corpus = tmp_path / "corpus"
    generate_library(corpus, 1, SEED, workers=1, pages=(10, 10))
    settings = Settings(corpus_dir=corpus, data_dir=tmp_path / "data")
    run_ingest(settings, ["briefings", "reports"], embedder=embedder, announce=lambda _: None)
    report = load_manifest(corpus / "manifest.toml").reports[3]
    passages = open_store(settings).passages
    titles = {p.report_id: p.report_title for p in passages}
    assert titles[report.id] == report.title
    assert {"triennial-2014-17", "common-themes"} <= titles.keys()  # the briefings too
