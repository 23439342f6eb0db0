"""STIX 2.1 bundles: streamed object by object, normalised into items.

attack-pattern, vulnerability, indicator, malware, tool, threat-actor, campaign, intrusion-set, report and
note objects become items; relationships, identities, marking definitions and cyber-observables are
counted as skipped (marking definitions are read for their TLP level). Indicator patterns are kept as
text and never evaluated. Also used for TAXII 2.1 envelopes, whose objects have the same shape.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

import ijson

from aisms.domain.intel.json_stream import (
    CountingReader,
    Progress,
    file_size,
    head,
    items,
    locate,
    root_scalars,
    syntax_error,
)
from aisms.domain.intel.records import (
    CVE_RE,
    TLP_MARKING_IDS,
    IntelParseError,
    ParsedFeed,
    ParsedItem,
    ParsedVulnerability,
    Position,
    atlas_uid,
    attack_uid,
    cves_in_text,
    parse_iso_datetime,
    techniques_in_text,
    tlp_from_name,
    wrong_type,
)

ITEM_TYPES = frozenset(
    {
        "attack-pattern",
        "vulnerability",
        "indicator",
        "malware",
        "tool",
        "threat-actor",
        "campaign",
        "intrusion-set",
        "report",
        "note",
    }
)
# Properties STIX 2.1 requires on every SDO, plus what each type we import needs to be useful.
_COMMON_REQUIRED = ("spec_version", "created", "modified")
_TYPE_REQUIRED: dict[str, tuple[str, ...]] = {
    "attack-pattern": ("name",),
    "vulnerability": ("name",),
    "indicator": ("pattern", "pattern_type", "valid_from"),
    "tool": ("name",),
    "threat-actor": ("name",),
    "campaign": ("name",),
    "intrusion-set": ("name",),
    "report": ("name", "published"),
    "note": ("content",),
}
# What each imported type must carry, worked out once: the common properties, then the type's own.
_REQUIRED: dict[str, tuple[str, ...]] = {
    kind: _COMMON_REQUIRED + _TYPE_REQUIRED.get(kind, ()) for kind in ITEM_TYPES
}
# Properties whose string values become an item's labels, in this order.
_LABEL_KEYS = (
    "labels",
    "malware_types",
    "tool_types",
    "threat_actor_types",
    "indicator_types",
    "report_types",
)
_ATLAS_SOURCES = frozenset({"mitre-atlas", "atlas"})
_ATTACK_SOURCES = frozenset({"mitre-attack", "mitre-mobile-attack", "mitre-ics-attack", "capec-attack"})


def _wrong_type(filename: str, root: str | None, scalars: dict[str, Any]) -> IntelParseError | None:
    keys = scalars.get("__keys__", [])
    if root is None:
        return None
    if root != "map":
        return wrong_type(filename, f"expected a STIX bundle (a JSON object), found a {root}")
    if "type" in scalars and scalars["type"] != "bundle":
        return IntelParseError(
            filename, Position(0, 1, "type"), f"wrong type: 'type' is {scalars['type']!r}, expected 'bundle'"
        )
    hint = None
    if "Event" in keys or "response" in keys:
        hint = "a MISP event"
    elif "catalogVersion" in keys:
        hint = "a CISA KEV catalogue"
    elif "resultsPerPage" in keys or ("format" in keys and scalars.get("format") == "NVD_CVE"):
        hint = "an NVD CVE API response"
    if hint is not None:
        return wrong_type(filename, f"this looks like {hint}, not STIX")
    return None


def parse_bundle(
    fp: IO[bytes],
    *,
    filename: str,
    progress: Progress | None = None,
    envelope: bool = False,
) -> ParsedFeed:
    """Parse a STIX 2.1 bundle (or, with envelope=True, a TAXII 2.1 envelope) from a binary file."""
    root, scalars = root_scalars(head(fp))
    if not envelope:
        problem = _wrong_type(filename, root, scalars)
        if problem is not None:
            raise problem
    reader = CountingReader(fp, file_size(fp), progress)
    feed = ParsedFeed(format="stix")
    markings: dict[str, str] = {}
    index = -1
    try:
        for index, obj in enumerate(items(reader, "objects.item")):
            _normalise(obj, index, feed, markings, filename, fp)
    except ijson.JSONError as exc:
        raise syntax_error(filename, fp, reader, exc) from exc
    if not envelope:
        if root is None:
            raise IntelParseError(filename, Position(0, 1), "empty file: expected a STIX bundle")
        bundle_type = scalars.get("type")
        if bundle_type is None:
            fp.seek(0)
            bundle_type = next(iter(ijson.items(fp, "type")), None)
        if bundle_type != "bundle":
            raise IntelParseError(
                filename, Position(0, 1, "type"), f"wrong type: 'type' is {bundle_type!r}, expected 'bundle'"
            )
    _apply_markings(feed.items, markings)
    _link_report_techniques(feed.items)
    feed.meta["objects"] = index + 1
    return feed


def _apply_markings(parsed: Iterable[ParsedItem], markings: dict[str, str]) -> None:
    known = {**TLP_MARKING_IDS, **markings}
    for item in parsed:
        for ref in item.marking_refs:
            level = known.get(ref)
            if level is not None:
                item.tlp = level
                break


def _link_report_techniques(parsed: list[ParsedItem]) -> None:
    """A report's object_refs that point at attack-patterns in the same bundle add their techniques."""
    by_stix_id = {i.stix_id: i.technique_uids for i in parsed if i.kind == "attack-pattern"}
    for item in parsed:
        for ref in item.object_refs:
            for uid in by_stix_id.get(ref, ()):
                if uid not in item.technique_uids:
                    item.technique_uids.append(uid)


def _fail(filename: str, fp: IO[bytes], index: int, reason: str) -> IntelParseError:
    return IntelParseError(filename, locate(fp, ("objects", index)), reason)


def _normalise(
    obj: Any, index: int, feed: ParsedFeed, markings: dict[str, str], filename: str, fp: IO[bytes]
) -> None:
    if not isinstance(obj, dict):
        raise _fail(
            filename, fp, index, f"objects[{index}]: expected a STIX object, found {type(obj).__name__}"
        )
    obj_type = obj.get("type")
    obj_id = obj.get("id")
    if not isinstance(obj_type, str) or not obj_type:
        raise _fail(filename, fp, index, f"objects[{index}]: missing required property 'type'")
    if not isinstance(obj_id, str) or not obj_id:
        raise _fail(filename, fp, index, f"objects[{index}] ({obj_type}): missing required property 'id'")
    if not obj_id.startswith(obj_type + "--"):
        raise _fail(filename, fp, index, f"objects[{index}]: id {obj_id!r} does not match type {obj_type!r}")
    if obj_type == "marking-definition":
        level = _marking_level(obj)
        if level is not None:
            markings[obj_id] = level
        feed.skipped += 1
        return
    required = _REQUIRED.get(obj_type)
    if required is None:
        feed.skipped += 1
        return
    for prop in required:
        value = obj.get(prop)
        if value is None or value == "":
            raise _fail(
                filename, fp, index, f"objects[{index}] ({obj_id}): missing required property '{prop}'"
            )
    confidence = obj.get("confidence")
    if confidence is not None and (not isinstance(confidence, int | float) or not 0 <= confidence <= 100):
        raise _fail(filename, fp, index, f"objects[{index}] ({obj_id}): confidence must be 0-100")
    if obj.get("revoked") is True:
        feed.skipped += 1
        return
    feed.items.append(_item(obj_type, obj_id, obj, feed))


def _marking_level(obj: dict[str, Any]) -> str | None:
    name = obj.get("name")
    if isinstance(name, str):
        level = tlp_from_name(name)
        if level is not None:
            return level
    definition = obj.get("definition")
    if isinstance(definition, dict) and isinstance(definition.get("tlp"), str):
        return tlp_from_name(definition["tlp"])
    return None


def _strings(values: Any) -> list[str]:
    """The string members of an optional list property (absent or empty: [])."""
    return [v for v in values if isinstance(v, str)] if values else []


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values)) if len(values) > 1 else values


def _item(obj_type: str, obj_id: str, obj: dict[str, Any], feed: ParsedFeed) -> ParsedItem:
    external_id = obj_id
    techniques: list[str] = []
    cves: list[str] = []
    references: list[str] = []
    for ref in obj.get("external_references") or ():
        if not isinstance(ref, dict):
            continue
        ext = ref.get("external_id")
        url = ref.get("url")
        if isinstance(url, str):
            references.append(url)
        if not isinstance(ext, str):
            continue
        source = str(ref.get("source_name", "")).lower()
        if source in _ATLAS_SOURCES:
            techniques.append(atlas_uid(ext))
            if obj_type == "attack-pattern" and external_id == obj_id:
                external_id = ext
        elif source in _ATTACK_SOURCES and ext.startswith("T"):
            techniques.append(attack_uid(ext))
            if obj_type == "attack-pattern" and external_id == obj_id:
                external_id = ext
        elif source == "cve" or CVE_RE.fullmatch(ext):
            cves.append(ext.upper())
    name = str(obj.get("name") or obj.get("abstract") or "")
    description = str(obj.get("description") or obj.get("content") or "")
    if obj_type == "vulnerability":
        if not cves and CVE_RE.fullmatch(name.strip()):
            cves.append(name.strip().upper())
        if cves:
            external_id = cves[0]
            feed.vulnerabilities.append(ParsedVulnerability(cves[0], description=description, ref=obj_id))
    elif obj_type in ("report", "note"):
        techniques.extend(t for t in techniques_in_text(description) if t not in techniques)
        cves.extend(c for c in cves_in_text(description) if c not in cves)
    labels: list[str] = []
    for key in _LABEL_KEYS:
        values = obj.get(key)
        if values:
            labels.extend(v for v in values if isinstance(v, str))
    confidence = obj.get("confidence")
    return ParsedItem(
        kind=obj_type,
        external_id=external_id,
        stix_id=obj_id,
        title=(name or external_id)[:500],
        description=description,
        pattern=str(obj.get("pattern") or ""),
        confidence=int(confidence) if confidence is not None else None,
        technique_uids=_unique(techniques),
        cve_ids=_unique(cves),
        labels=_unique(labels),
        references=references,
        ref=obj_id,
        marking_refs=_strings(obj.get("object_marking_refs")),
        object_refs=_strings(obj.get("object_refs")),
        published=parse_iso_datetime(obj.get("published") or obj.get("created")),
    )
