"""The record an unfinished build keeps of how far it got, so a killed ingest resumes there.

A build folder holds work/ until it is switched in: key.json names the ingest it belongs to
(sources with their sha256, settings, embedder, the live build it reuses from), docs/ one file
per parsed document, and one small file per finished stage or counted step. Each is written
whole (to a temporary name, then renamed), so a kill leaves either the old record or the new.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

from assistant.index_schema import MANIFEST_FILE, WORK_DIR, IndexPaths

KEY_FILE = "key.json"


def write_atomic(path: Path, text: str) -> None:
    """Replace `path` with `text` in one rename."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def ingest_key(description: dict[str, Any]) -> str:
    """A digest of everything that decides a build's content."""
    return hashlib.sha256(json.dumps(description, sort_keys=True).encode()).hexdigest()


class BuildWork:
    """One unfinished (or finished but not yet switched) build and its progress record."""

    def __init__(self, build: Path, resumed: bool) -> None:
        self.build = build
        self.dir = build / WORK_DIR
        self.docs = self.dir / "docs"
        self.resumed = resumed

    @classmethod
    def open(cls, paths: IndexPaths, key: str, new_id: str) -> BuildWork:
        """The unfinished build of the same ingest, to resume; else a new build `new_id`."""
        live = paths.live_build_id()
        for build in sorted(paths.builds.iterdir()):
            if build.name != live and build.is_dir() and _key(build) == key:
                return cls(build, resumed=True)
        work = cls(paths.build(new_id), resumed=False)
        work.docs.mkdir(parents=True)
        write_atomic(work.dir / KEY_FILE, json.dumps({"key": key}))
        return work

    @property
    def build_id(self) -> str:
        return self.build.name

    @property
    def complete(self) -> bool:
        """The manifest is written: only the switch is left."""
        return (self.build / MANIFEST_FILE).exists()

    def doc_file(self, index: int) -> Path:
        return self.docs / f"{index:06d}.jsonl"

    def done(self, stage: str) -> bool:
        return (self.dir / f"{stage}.done").exists()

    def mark(self, stage: str) -> None:
        write_atomic(self.dir / f"{stage}.done", "")

    def count(self, name: str) -> int:
        """A step counter (e.g. embedded chunks), 0 when never written."""
        try:
            return int((self.dir / f"{name}.count").read_text())
        except (FileNotFoundError, ValueError):
            return 0

    def set_count(self, name: str, value: int) -> None:
        write_atomic(self.dir / f"{name}.count", str(value))

    def save(self, name: str, data: Any) -> None:
        write_atomic(self.dir / f"{name}.json", json.dumps(data))

    def load(self, name: str) -> Any:
        return json.loads((self.dir / f"{name}.json").read_text(encoding="utf-8"))

    def finish(self) -> None:
        """Drop the record once the build is live."""
        shutil.rmtree(self.dir, ignore_errors=True)


def _key(build: Path) -> str | None:
    try:
        return str(json.loads((build / WORK_DIR / KEY_FILE).read_text())["key"])
    except (OSError, ValueError, KeyError):
        return None
