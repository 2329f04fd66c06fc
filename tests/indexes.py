"""A real index of the two conftest briefings under a folder, for module-scoped fixtures."""

from __future__ import annotations

import shutil
from pathlib import Path

from assistant.embedder import Embedder
from assistant.settings import PROJECT_ROOT, Settings
from ingest.pipeline import run_ingest
from tests.conftest import EXPLOITATION, NEGLECT, write_briefing


def briefing_index(root: Path, embedder: Embedder) -> Settings:
    """Write the corpus under `root`, ingest it, and return settings that open it."""
    settings = Settings(data_dir=root / "data", corpus_dir=root / "corpus")
    briefings = settings.briefings_dir
    briefings.mkdir(parents=True, exist_ok=True)
    shutil.copy(PROJECT_ROOT / "corpus" / "manifest.toml", settings.manifest_path)
    write_briefing(briefings, "triennial-2014-17", "Complexity and challenge", NEGLECT)
    write_briefing(briefings, "hard-to-escape", "It was hard to escape", EXPLOITATION)
    run_ingest(settings, ["briefings"], embedder=embedder, announce=lambda _: None)
    return settings
