"""The library's word lists (vocabulary.toml), read once into typed records."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

VOCABULARY_FILE = Path(__file__).with_name("vocabulary.toml")


@dataclass(frozen=True)
class Theme:
    """One safeguarding theme and the words a report about it is written with."""

    key: str
    title: str
    incident: str
    ages: tuple[int, int]  # the child's age range in years; 0 means a baby (months)
    headings: tuple[str, ...]
    harms: tuple[str, ...]
    signs: tuple[str, ...]
    places: tuple[str, ...]
    agencies: tuple[str, ...]
    clauses: tuple[str, ...]
    recommendations: tuple[str, ...]
    events: tuple[str, ...]
    footnote: str


@dataclass(frozen=True)
class Vocabulary:
    """Everything the generator draws from: areas, names, generic prose and the themes."""

    areas: tuple[str, ...]
    first_names: tuple[str, ...]
    surnames: tuple[str, ...]
    months: tuple[str, ...]
    professionals: tuple[str, ...]
    agencies: tuple[str, ...]
    subjects: tuple[str, ...]
    verbs: tuple[str, ...]
    tails: tuple[str, ...]
    clauses: tuple[str, ...]
    method: tuple[str, ...]
    family: tuple[str, ...]
    themes: tuple[Theme, ...]

    def theme(self, key: str) -> Theme:
        """The theme with this key (KeyError for an unknown one)."""
        for theme in self.themes:
            if theme.key == key:
                return theme
        raise KeyError(key)


def _theme(data: dict[str, object]) -> Theme:
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
    return Theme(**values)  # type: ignore[arg-type]


@lru_cache(maxsize=1)
def load_vocabulary(path: Path = VOCABULARY_FILE) -> Vocabulary:
    """Read and check the word lists (plain ASCII: the PDFs use core fonts)."""
    text = path.read_text(encoding="ascii")
    data = tomllib.loads(text)
    themes = tuple(_theme(t) for t in data.pop("themes"))
    return Vocabulary(**{k: tuple(v) for k, v in data.items()}, themes=themes)
