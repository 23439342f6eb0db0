"""Normalised records every feed parser produces, the parse error, and the shared vocabularies
(TLP markings, technique and CVE identifiers) the parsers use."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import orjson

TLP_LEVELS = ("clear", "green", "amber", "amber+strict", "red")
_TLP_RANK = {name: rank for rank, name in enumerate(TLP_LEVELS)}

# The TLP marking-definition objects published with STIX 2.1 (TLP 1.0) and by FIRST/OASIS (TLP 2.0).
TLP_MARKING_IDS: dict[str, str] = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": "clear",  # TLP 1.0 WHITE
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": "green",
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": "amber",
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": "red",
    "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487": "clear",  # TLP 2.0
    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb": "green",
    "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421": "amber",
    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003": "amber+strict",
    "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1": "red",
}

CVE_RE = re.compile(r"\bCVE-\d{4}-\d{4,7}\b", re.IGNORECASE)
ATLAS_RE = re.compile(r"\bAML\.T\d{4}(?:\.\d{3})?\b")
ATTACK_RE = re.compile(r"(?<![\w.])T\d{4}(?:\.\d{3})?\b")


def tlp_from_name(name: str) -> str | None:
    """'TLP:AMBER+STRICT', 'tlp:white', 'amber' -> the TLP 2.0 level, or None."""
    value = name.strip().lower()
    value = value.removeprefix("tlp:").strip()
    if value == "white":
        return "clear"
    return value if value in _TLP_RANK else None


def stricter_tlp(a: str, b: str) -> str:
    return a if _TLP_RANK.get(a, 0) >= _TLP_RANK.get(b, 0) else b


def atlas_uid(technique_id: str) -> str:
    return f"atlas:{technique_id}"


def attack_uid(technique_id: str) -> str:
    return f"attack:{technique_id}"


def techniques_in_text(text: str) -> list[str]:
    """Catalogue uids of the ATLAS and ATT&CK technique ids mentioned in a text, in first-seen order."""
    found: dict[str, None] = {}
    for match in ATLAS_RE.finditer(text):
        found[atlas_uid(match.group(0))] = None
    for match in ATTACK_RE.finditer(text):
        found[attack_uid(match.group(0))] = None
    return list(found)


def cves_in_text(text: str) -> list[str]:
    return list(dict.fromkeys(m.group(0).upper() for m in CVE_RE.finditer(text)))


@dataclass(frozen=True)
class Position:
    """Where in a file: byte offset from the start (0-based) and, when known, line (1-based)."""

    offset: int
    line: int | None = None
    where: str = ""  # a JSON path or CSV row, e.g. "objects[3]" or "row 5"

    def __str__(self) -> str:
        parts = []
        if self.line is not None:
            parts.append(f"line {self.line}")
        parts.append(f"byte {self.offset}")
        if self.where:
            parts.append(self.where)
        return ", ".join(parts)


class IntelParseError(Exception):
    """A feed file refused as a whole: which file, where, and why."""

    def __init__(self, file: str, position: Position, reason: str) -> None:
        self.file = file
        self.position = position
        self.reason = reason
        where = position
        if position.where and position.where in reason:
            where = Position(position.offset, position.line)  # the reason names the place already
        super().__init__(f"{file}:{where}: {reason}")


def wrong_type(file: str, reason: str) -> IntelParseError:
    """The file is not of the format asked for (detected at its start)."""
    return IntelParseError(file, Position(0, 1), f"wrong type: {reason}")


@dataclass
class ParsedItem:
    kind: str
    external_id: str
    title: str
    description: str = ""
    stix_id: str = ""
    pattern: str = ""
    confidence: int | None = None
    tlp: str | None = None
    technique_uids: list[str] = field(default_factory=list)
    cve_ids: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    observables: list[dict[str, Any]] = field(default_factory=list)
    ref: str = ""  # the id in the original feed (STIX id, MISP uuid, CVE id)
    marking_refs: list[str] = field(default_factory=list)
    object_refs: list[str] = field(default_factory=list)
    published: datetime | None = None  # when the feed says the item was created or published

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.external_id)


@dataclass(frozen=True)
class CpeMatch:
    criteria: str
    vulnerable: bool
    version_start_including: str | None = None
    version_start_excluding: str | None = None
    version_end_including: str | None = None
    version_end_excluding: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "criteria": self.criteria,
            "vulnerable": self.vulnerable,
            "versionStartIncluding": self.version_start_including,
            "versionStartExcluding": self.version_start_excluding,
            "versionEndIncluding": self.version_end_including,
            "versionEndExcluding": self.version_end_excluding,
        }


@dataclass(frozen=True)
class KevEntry:
    vendor_project: str
    product: str
    name: str
    date_added: date
    due_date: date | None
    required_action: str
    known_ransomware: bool | None
    notes: str = ""


@dataclass(frozen=True)
class NvdRecord:
    published: datetime | None
    last_modified: datetime | None
    cvss_score: float | None
    cvss_vector: str
    cpe_matches: tuple[CpeMatch, ...]
    references: tuple[str, ...] = ()
    weaknesses: tuple[str, ...] = ()


@dataclass
class ParsedVulnerability:
    cve_id: str
    description: str = ""
    kev: KevEntry | None = None
    nvd: NvdRecord | None = None
    ref: str = ""


@dataclass(frozen=True)
class ParsedEpss:
    cve_id: str
    epss: float
    percentile: float
    score_date: date | None


@dataclass
class ParsedFeed:
    """Everything a file holds, validated in full before anything is stored."""

    format: str
    items: list[ParsedItem] = field(default_factory=list)
    vulnerabilities: list[ParsedVulnerability] = field(default_factory=list)
    epss: list[ParsedEpss] = field(default_factory=list)
    skipped: int = 0
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def record_count(self) -> int:
        return len(self.items) + len(self.vulnerabilities) + len(self.epss)


def _hash_part(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return "\x00"
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "\x1d".join(value) + "\x1d"
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS, default=str).decode()


def content_hash(values: dict[str, Any]) -> str:
    """A stable digest of an item's content, to tell an update from a re-sighting."""
    try:
        # One C call for the whole item: keys sorted, compact, UTF-8.
        data = orjson.dumps(values, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS, default=str)
    except (TypeError, orjson.JSONEncodeError):  # e.g. lone surrogates: the slower, forgiving path
        text = "\x1f".join(f"{key}\x1e{_hash_part(values[key])}" for key in sorted(values))
        data = text.encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()


def parse_iso_datetime(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def parse_iso_date(value: object) -> date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None
