"""Plain data types for reference content. Identifiers are stable uids such as ``iso27002:2022:5.7``."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Relation(StrEnum):
    """How two catalogue entries are linked (source -> target)."""

    TACTIC = "tactic"  # technique -> the tactic it serves
    MITIGATES = "mitigates"  # mitigation -> technique
    RELATED_TECHNIQUE = "related-technique"  # OWASP entry -> ATLAS technique
    TREATED_BY = "treated-by"  # AI threat -> ISO/IEC 27002 control, with a rationale
    MAPS_TO = "maps-to"  # AI threat -> ISO/IEC 42001 control or NIST AI RMF category


@dataclass(frozen=True)
class SourceInfo:
    """One catalogue: its key, identifier prefix, version and where its facts come from."""

    key: str
    prefix: str
    version: str
    title: str
    publisher: str
    url: str
    licence: str


@dataclass(frozen=True)
class Entry:
    uid: str
    catalogue: str
    ref: str
    kind: str
    name: str
    summary: str
    parent_uid: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    position: int = 0


@dataclass(frozen=True)
class Link:
    source_uid: str
    target_uid: str
    relation: Relation
    rationale: str = ""


@dataclass(frozen=True)
class LabelledExample:
    """A case-study procedure step: a piece of text labelled with the technique it shows."""

    text: str
    technique_uid: str
    case_study: str
    case_study_name: str
    step: int


@dataclass
class Catalogue:
    sources: dict[str, SourceInfo] = field(default_factory=dict)
    entries: dict[str, Entry] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)

    def of(self, catalogue: str, kind: str | None = None) -> list[Entry]:
        return [
            e for e in self.entries.values() if e.catalogue == catalogue and (kind is None or e.kind == kind)
        ]

    def counts(self) -> dict[str, dict[str, int]]:
        """Entries per catalogue and kind, plus link counts per relation."""
        out: dict[str, dict[str, int]] = {}
        for e in self.entries.values():
            per = out.setdefault(e.catalogue, {})
            per[e.kind] = per.get(e.kind, 0) + 1
        rel: dict[str, int] = {}
        for link in self.links:
            rel[link.relation.value] = rel.get(link.relation.value, 0) + 1
        out["links"] = rel
        return out


PREFIXES: dict[str, str] = {
    "iso27001": "iso27001:2022",
    "iso27002": "iso27002:2022",
    "atlas": "atlas",
    "owasp-llm": "owasp-llm:2025",
    "owasp-ml": "owasp-ml:2023",
    "iso42001": "iso42001:2023",
    "nist-ai-rmf": "nist-ai-rmf:1.0",
    "eu-ai-act": "eu-ai-act:2024",
}


SHORT_NAMES: dict[str, str] = {
    "iso27001": "ISO/IEC 27001",
    "iso27002": "ISO/IEC 27002",
    "atlas": "MITRE ATLAS",
    "owasp-llm": "OWASP LLM Top 10",
    "owasp-ml": "OWASP ML Top 10",
    "iso42001": "ISO/IEC 42001",
    "nist-ai-rmf": "NIST AI RMF",
    "eu-ai-act": "EU AI Act",
}


def uid_for(catalogue: str, ref: str) -> str:
    return f"{PREFIXES[catalogue]}:{ref}"


AI_THREAT_CATALOGUES = ("atlas", "owasp-llm", "owasp-ml")
