"""Which files to index: the downloaded reports, the briefings, or paths the user names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from assistant.corpus import Manifest, load_manifest
from assistant.index_schema import SourceKind
from assistant.settings import Settings
from ingest.errors import IngestError
from ingest.parse import PARSERS

NAMED_SOURCES = ("briefings", "reports")


@dataclass(frozen=True)
class SourceFile:
    """A file to index and what it is; briefings learn their report from their front matter."""

    path: Path
    kind: SourceKind
    report_id: str | None = None  # None: taken from the document (briefings, other files)
    report_title: str | None = None
    url: str | None = None


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "document"


def report_files(settings: Settings, manifest: Manifest) -> list[SourceFile]:
    """The downloaded report PDFs present in corpus/raw/."""
    files = []
    for report in manifest.reports:
        path = settings.raw_dir / report.filename
        if path.is_file():
            url = report.pdf_url or report.landing_url
            files.append(SourceFile(path, "report", report.id, report.title, url))
    return files


def briefing_files(settings: Settings, skip_reports: set[str] | None = None) -> list[SourceFile]:
    """The briefings, optionally without those whose report is indexed from its PDF."""
    skip = skip_reports or set()
    paths = sorted(settings.briefings_dir.glob("*.md"))
    if not paths:
        raise IngestError(f"{settings.briefings_dir}: no briefings found (*.md)")
    return [SourceFile(p, "briefing") for p in paths if p.stem not in skip]


def path_files(path: Path) -> list[SourceFile]:
    """A file, or every supported file under a folder."""
    if path.is_dir():
        found = sorted(p for p in path.rglob("*") if p.suffix.lower() in PARSERS and p.is_file())
        if not found:
            raise IngestError(f"{path}: no supported files in this folder")
        return [SourceFile(p, "document") for p in found]
    return [SourceFile(path, "document")]


def looks_like_path(name: str) -> bool:
    """A --source meant as a file or folder (a separator, a suffix, `~` or `.`), not a name."""
    return "/" in name or "\\" in name or name.startswith(("~", ".")) or bool(Path(name).suffix)


def resolve_sources(settings: Settings, names: list[str]) -> tuple[str, list[SourceFile]]:
    """The corpus label ("reports", "briefings", "mixed", "custom") and the files to index."""
    manifest = load_manifest(settings.manifest_path)
    if not names:
        reports = report_files(settings, manifest)
        if not reports:
            return "briefings", briefing_files(settings)
        if len(reports) == len(manifest.reports):
            return "reports", reports
        have = {f.report_id for f in reports if f.report_id}
        return "mixed", reports + briefing_files(settings, skip_reports=have)
    files: list[SourceFile] = []
    for name in names:
        if name == "briefings":
            files += briefing_files(settings)
        elif name == "reports":
            found = report_files(settings, manifest)
            if not found:
                raise IngestError(
                    f"{settings.raw_dir}: no downloaded reports; run `safeguarding fetch` first"
                    " (or `--source briefings`)"
                )
            files += found
        elif Path(name).exists():
            files += path_files(Path(name))
        elif looks_like_path(name):
            raise IngestError(f"{name} does not exist; check the path")
        else:
            raise IngestError(
                f"unknown --source {name!r}: use briefings, reports, or a path to a file or folder"
            )
    label = names[0] if len(set(names)) == 1 and names[0] in NAMED_SOURCES else "custom"
    return label, files
