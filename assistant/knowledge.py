"""What the project knows about its reports, read from the corpus manifest as data: the names
practitioners use for each report, the labels answers start with, the comparison briefing and the
glossary of acronyms. Another corpus brings its own manifest; no code names these reports."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from assistant.corpus import Manifest, ManifestError, load_manifest
from assistant.text_features import content_terms, words


def phrase_pattern(phrases: list[str]) -> re.Pattern[str] | None:
    """One pattern matching any of the phrases as whole words, in any case, with an optional
    plural or possessive ending; longer phrases first so they win over their parts."""
    if not phrases:
        return None
    ordered = sorted(set(phrases), key=len, reverse=True)
    body = "|".join(r"\s+".join(re.escape(w) for w in p.split()) for p in ordered)
    return re.compile(rf"(?<![\w-])(?:{body})(?:'s|s|’s)?(?![\w-])", re.IGNORECASE)


def term_pattern(term: str) -> re.Pattern[str]:
    """A glossary term: an acronym in capitals matches only in capitals ("CP", not "cp"), with an
    optional plural "s"; a term with lower-case letters matches in any case."""
    body = r"\s+".join(re.escape(w) for w in term.split())
    flags = 0 if term.isupper() else re.IGNORECASE
    return re.compile(rf"(?<![\w-]){body}(?:'s|’s|s)?(?![\w-])", flags)


@dataclass(frozen=True)
class CorpusKnowledge:
    """Names, leads and glossary of one corpus (an empty one knows nothing and changes nothing)."""

    report_names: dict[str, re.Pattern[str]] = field(default_factory=dict)
    # the first word of each report name, lower-cased, with the reports it names: a name can be in
    # a text only where its first word is, and at 1,000 reports 1,000 regex scans cost 1.6 ms
    name_cues: dict[str, frozenset[str]] = field(default_factory=dict)
    leads: dict[str, str] = field(default_factory=dict)
    across_id: str | None = None
    across: re.Pattern[str] | None = None
    glossary: tuple[tuple[str, re.Pattern[str], str], ...] = ()  # (term, pattern, meaning)
    known_names: frozenset[str] = frozenset()  # titles, publishers, meanings: never "another"
    own_words: frozenset[str] = frozenset()  # words of the reports' titles, names, publishers
    documents: re.Pattern[str] | None = None  # phrases that name a report as a document

    @classmethod
    def from_manifest(cls, manifest: Manifest) -> CorpusKnowledge:
        phrases = {r.id: [r.title, r.short_title, *r.names] for r in manifest.reports}
        names = {rid: p for rid, found in phrases.items() if (p := phrase_pattern(found))}
        cues: dict[str, set[str]] = {}
        for rid in names:
            for first in {f.split()[0].lower() for f in phrases[rid] if f.split()}:
                cues.setdefault(first, set()).add(rid)
        leads = {r.id: r.lead for r in manifest.reports if r.lead}
        comparison = manifest.comparison
        if comparison and comparison.lead:
            leads[comparison.id] = comparison.lead
        entries = sorted(manifest.glossary, key=lambda e: len(e.term), reverse=True)
        owners = {r.title.lower() for r in manifest.reports} | {
            r.publisher.lower() for r in manifest.reports
        }
        known = owners | {e.means.lower() for e in manifest.glossary}
        texts = [
            " ".join([r.title, r.short_title, r.publisher, *r.names]) for r in manifest.reports
        ]
        texts += [
            e.term
            for e in manifest.glossary
            if e.means.lower() in owners or any(n.search(e.means) for n in names.values())
        ]  # "CCE review" is the criminal exploitation review; "SUDI review" is another one
        own = {w.strip("'’()\":,").lower() for text in texts for w in text.split()}
        return cls(
            report_names=names,
            name_cues={cue: frozenset(rids) for cue, rids in cues.items()},
            leads=leads,
            across_id=comparison.id if comparison else None,
            across=phrase_pattern(comparison.asks_across) if comparison else None,
            glossary=tuple((e.term, term_pattern(e.term), e.means) for e in entries),
            known_names=frozenset(known),
            own_words=frozenset(w.removesuffix("'s") for w in own if w),
            documents=phrase_pattern(
                [
                    d
                    for r in manifest.reports
                    for d in (r.title, r.short_title, r.publisher, *r.documents)
                ]
            ),
        )

    def named_reports(self, text: str) -> set[str]:
        """The reports a question names, and the comparison briefing when it names two or asks
        across them."""
        lowered = text.lower()
        cued = {rid for cue, rids in self.name_cues.items() if cue in lowered for rid in rids}
        named = {rid for rid in cued if self.report_names[rid].search(text)}
        if self.across_id and (len(named) >= 2 or (self.across and self.across.search(text))):
            named.add(self.across_id)
        return named

    def without_names(self, text: str, named: set[str]) -> str:
        """The text without the names of the reports in `named` (BM25 would rank on them)."""
        for rid in named & self.report_names.keys():
            text = self.report_names[rid].sub(" ", text)
        return text

    def lead(self, report_id: str, title: str) -> str:
        return self.leads.get(report_id, title)

    def spell_out(self, text: str) -> str:
        """Each glossary term followed by its meaning, once ("the CSPRP" -> "the CSPRP (Child
        Safeguarding Practice Review Panel)"), unless the meaning is already written out."""
        taken: list[tuple[int, int]] = []
        inserts: list[tuple[int, str]] = []
        lowered = text.lower()
        for term, pattern, means in self.glossary:
            # a substring test first: regex scans cost 20x more, and most sentences of an index
            # (every one is read for its words) hold no term
            if term.split()[0].lower() not in lowered or means.lower() in lowered:
                continue
            for match in pattern.finditer(text):
                if any(a < match.end() and match.start() < b for a, b in taken):
                    continue
                taken.append(match.span())
                inserts.append((match.end(), f" ({means})"))
        for at, insert in sorted(inserts, reverse=True):
            text = text[:at] + insert + text[at:]
        return text

    def glossed_words(self, text: str) -> set[str]:
        """The words of the glossary terms in a text that their meaning doesn't repeat ("csprp",
        "cp"): once spelled out, the meaning stands for them."""
        found: set[str] = set()
        for _term, pattern, means in self.glossary:
            meant = content_terms(means)
            for match in pattern.finditer(text):
                found |= {w for w in words(match.group(0)) if not content_terms(w) <= meant}
        return found

    def is_known_name(self, phrase: str) -> bool:
        """Whether a phrase is part of a name the corpus owns (a title, publisher or meaning)."""
        lowered = " ".join(phrase.lower().split())
        return any(lowered in name for name in self.known_names)


EMPTY = CorpusKnowledge()


@lru_cache(maxsize=8)
def knowledge_at(manifest_path: Path) -> CorpusKnowledge:
    """The knowledge in the manifest at `manifest_path`; none when there is no manifest."""
    try:
        return CorpusKnowledge.from_manifest(load_manifest(manifest_path))
    except ManifestError:
        return EMPTY
