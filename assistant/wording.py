"""How the tool words things for people: counts with the right plural, titles from file names."""

from __future__ import annotations

import re
from pathlib import Path

_SEPARATORS = re.compile(r"[\s_\-]+")


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """'1 file', '2 files', '0 files': the count and the noun in the number it needs."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def title_from_filename(path: Path) -> str:
    """A file name read as words, for a document that names itself nowhere else:
    `hard-to-escape_v2.pdf` -> 'Hard to escape v2'."""
    words = _SEPARATORS.sub(" ", path.stem).strip() or path.name
    return words[:1].upper() + words[1:]
