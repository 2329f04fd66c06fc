"""Shared fixtures: an isolated corpus and data dir per test, and one real embedder per session."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.embedder import Embedder, get_embedder
from assistant.settings import PROJECT_ROOT, Settings, apply_offline_env, get_settings

apply_offline_env()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI a skipped test fails the run: what an issue asks to be tested must run there."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if os.environ.get("CI") and skipped and exitstatus == 0:
        names = ", ".join(report.nodeid for report in skipped[:5])
        print(f"\nerror: {len(skipped)} test(s) skipped in CI: {names}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


BRIEFING = """---
id: {doc_id}
title: "Briefing: {title}"
kind: briefing
based_on: {report_id}
sources:
  - https://example.org/summary
---

# Briefing: {title}

> **Notice:** This is a briefing compiled from public summaries, not the report's own text.
> Run `safeguarding fetch` to use the report itself.

{body}
"""


def write_briefing(folder: Path, report_id: str, title: str, body: str) -> Path:
    """A small briefing file in the project's briefing format."""
    path = folder / f"{report_id}.md"
    doc_id = f"{report_id}-briefing"
    text = BRIEFING.format(doc_id=doc_id, title=title, report_id=report_id, body=body)
    path.write_text(text, encoding="utf-8")
    return path


NEGLECT = """## 3 Neglect
<!-- page: 54 -->

Neglect was present in about three-quarters of the serious case reviews analysed. Poverty makes
family life more stressful and can increase the likelihood of neglect. (Source: SCIE.)

### Poverty blindness

Professionals can become used to poverty when they judge risk and need. Warning signs such as
poor hygiene, dirty clothes and poor dental care can stop registering as concerns.
"""

EXPLOITATION = """## 8 Critical moments
<!-- page: 29 -->

The criminal exploitation review stresses recognising the signs of a critical moment in a
child's life, such as school exclusion, arrest or injury. (Source: local press.)

## 10 Acknowledging and managing risk
<!-- page: 32 -->

Moving a child or the whole family away from the area buys respite and short-term safety but
fails as a strategy beyond the short term. (Source: CYP Now.)
"""


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The real packaged model, loaded once for the whole run."""
    model = get_embedder()
    model.warm_up()
    return model


def write_corpus(corpus: Path) -> Path:
    """A corpus folder with the real manifest and two small briefings."""
    (corpus / "briefings").mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "corpus" / "manifest.toml", corpus / "manifest.toml")
    write_briefing(corpus / "briefings", "triennial-2014-17", "Complexity and challenge", NEGLECT)
    write_briefing(corpus / "briefings", "hard-to-escape", "It was hard to escape", EXPLOITATION)
    return corpus


def indexed_settings(root: Path, embedder: Embedder) -> Settings:
    """Settings for a `write_corpus` corpus under `root`, indexed (for module or session use)."""
    from ingest.pipeline import run_ingest

    settings = Settings(data_dir=root / "data", corpus_dir=write_corpus(root / "corpus"))
    run_ingest(settings, ["briefings"], embedder=embedder, announce=lambda _: None)
    return settings


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    """A corpus folder with the real manifest and two small briefings."""
    return write_corpus(tmp_path / "corpus")


@pytest.fixture
def settings(
    tmp_path: Path, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    """Settings pointing at the temporary corpus and data dir, also via the environment (CLI)."""
    data = tmp_path / "data"
    monkeypatch.setenv("SAFEGUARDING_DATA_DIR", str(data))
    monkeypatch.setenv("SAFEGUARDING_CORPUS_DIR", str(corpus_dir))
    get_settings.cache_clear()
    yield Settings(data_dir=data, corpus_dir=corpus_dir)
    get_settings.cache_clear()
