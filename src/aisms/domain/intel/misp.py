"""MISP feeds: manifest.json (event uuid -> summary) plus one <uuid>.json file per event.

An event becomes one 'misp-event' item: its attributes (and object attributes) are kept as observables,
'vulnerability' attributes add CVE ids (and vulnerability items), galaxy tags such as
misp-galaxy:mitre-attack-pattern="... - T1059" add technique uids, and tlp:* tags set the TLP.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import IO, Any

import ijson

from aisms.domain.intel.json_stream import (
    CountingReader,
    Progress,
    file_size,
    head,
    locate,
    root_scalars,
    syntax_error,
)
from aisms.domain.intel.records import (
    CVE_RE,
    IntelParseError,
    ParsedFeed,
    ParsedItem,
    ParsedVulnerability,
    Position,
    cves_in_text,
    parse_iso_date,
    stricter_tlp,
    techniques_in_text,
    tlp_from_name,
    wrong_type,
)

OpenFile = Callable[[str], IO[bytes]]
_CONFIDENCE_WORDS = {"high": 85, "moderate": 50, "medium": 50, "low": 15}
_TEXT_TYPES = frozenset({"text", "comment"})


def parse_manifest(fp: IO[bytes], *, filename: str = "manifest.json") -> dict[str, dict[str, Any]]:
    """uuid -> {'info', 'timestamp', 'date'} for each event the feed lists."""
    root, scalars = root_scalars(head(fp))
    if root is None:
        raise IntelParseError(filename, Position(0, 1), "empty file: expected a MISP feed manifest")
    if root != "map":
        raise wrong_type(filename, f"expected a JSON object, found a {root}")
    if "type" in scalars or "Event" in scalars.get("__keys__", []):
        raise wrong_type(filename, "not a MISP manifest (uuid -> event summary)")
    reader = CountingReader(fp, file_size(fp))
    manifest: dict[str, dict[str, Any]] = {}
    try:
        for uuid, summary in ijson.kvitems(reader, "", use_float=True):
            if not isinstance(summary, dict) or not _is_uuid(uuid):
                raise IntelParseError(
                    filename, locate(fp, (uuid,)), f"{uuid!r}: expected an event uuid with its summary"
                )
            manifest[uuid] = {
                "info": str(summary.get("info") or ""),
                "timestamp": str(summary.get("timestamp") or ""),
                "date": str(summary.get("date") or ""),
            }
    except ijson.JSONError as exc:
        raise syntax_error(filename, fp, reader, exc) from exc
    return manifest


def _is_uuid(value: str) -> bool:
    parts = value.split("-")
    return len(value) == 36 and [len(p) for p in parts] == [8, 4, 4, 4, 12]


def parse_feed(
    open_file: OpenFile,
    *,
    since: dict[str, str] | None = None,
    progress: Progress | None = None,
) -> ParsedFeed:
    """Parse a whole feed. With since (uuid -> manifest timestamp from the last pull) only new or
    changed events are read; the manifest's timestamps are returned in meta['timestamps']."""
    with open_file("manifest.json") as fp:
        manifest = parse_manifest(fp)
    feed = ParsedFeed(format="misp")
    wanted = [u for u, s in manifest.items() if since is None or since.get(u) != s["timestamp"]]
    feed.skipped += len(manifest) - len(wanted)
    for done, uuid in enumerate(wanted, start=1):
        with open_file(f"{uuid}.json") as fp:
            parse_event(fp, filename=f"{uuid}.json", feed=feed, expected_uuid=uuid)
        if progress is not None:
            progress(done, len(wanted))
    feed.meta = {
        "events": len(wanted),
        "attributes": sum(len(i.observables) for i in feed.items),
        "timestamps": {u: s["timestamp"] for u, s in manifest.items()},
    }
    return feed


def parse_event(
    fp: IO[bytes], *, filename: str, feed: ParsedFeed, expected_uuid: str | None = None
) -> ParsedItem:
    """Parse one MISP event file ({"Event": {...}}) into an item appended to feed."""
    root, scalars = root_scalars(head(fp))
    keys = scalars.get("__keys__", [])
    if root is None:
        raise IntelParseError(filename, Position(0, 1), "empty file: expected a MISP event")
    if root != "map" or (keys and "Event" not in keys):
        found = "a STIX bundle" if scalars.get("type") == "bundle" else f"keys {keys[:3]}"
        raise wrong_type(filename, f"expected {{'Event': ...}}, found {found}")
    reader = CountingReader(fp, file_size(fp))
    event: dict[str, Any] = {}
    try:
        for key, value in ijson.kvitems(reader, "Event", use_float=True):
            event[key] = value
    except ijson.JSONError as exc:
        raise syntax_error(filename, fp, reader, exc) from exc
    if not event:
        raise wrong_type(filename, "'Event' is missing or empty")
    for key in ("uuid", "info"):
        if not isinstance(event.get(key), str) or not event[key]:
            raise IntelParseError(filename, locate(fp, ("Event",)), f"Event: missing required field '{key}'")
    uuid = event["uuid"]
    if expected_uuid is not None and uuid != expected_uuid:
        raise IntelParseError(
            filename, locate(fp, ("Event", "uuid")), f"Event.uuid {uuid!r} does not match the manifest"
        )
    item = ParsedItem(kind="misp-event", external_id=uuid, title=event["info"][:500], ref=uuid)
    day = parse_iso_date(event.get("date"))
    if day is not None:
        item.published = datetime(day.year, day.month, day.day, tzinfo=UTC)
    _tags(item, event.get("Tag"))
    for galaxy in event.get("Galaxy") or ():
        for cluster in galaxy.get("GalaxyCluster") or () if isinstance(galaxy, dict) else ():
            if isinstance(cluster, dict):
                _tags(item, [{"name": cluster.get("tag_name") or cluster.get("value") or ""}])
    texts = [event["info"]]
    attributes = list(_attributes(event.get("Attribute"), ("Event", "Attribute"), fp, filename))
    for o_index, obj in enumerate(event.get("Object") or ()):
        if not isinstance(obj, dict):
            raise IntelParseError(filename, locate(fp, ("Event", "Object", o_index)), "expected an object")
        where = ("Event", "Object", o_index, "Attribute")
        attributes.extend(_attributes(obj.get("Attribute"), where, fp, filename, obj.get("name")))
    for attribute in attributes:
        _tags(item, attribute.pop("_tags", None))
        value = attribute["value"]
        if attribute["type"] == "vulnerability" and CVE_RE.fullmatch(value.strip()):
            cve = value.strip().upper()
            if cve not in item.cve_ids:
                item.cve_ids.append(cve)
                feed.vulnerabilities.append(ParsedVulnerability(cve, ref=uuid))
        elif attribute["type"] in _TEXT_TYPES:
            texts.append(value)
    item.observables = attributes
    item.description = "\n\n".join(t for t in texts if t)
    for uid in techniques_in_text(item.description):
        if uid not in item.technique_uids:
            item.technique_uids.append(uid)
    for cve in cves_in_text(item.description):
        if cve not in item.cve_ids:
            item.cve_ids.append(cve)
    feed.items.append(item)
    return item


def _attributes(
    values: Any, path: tuple[str | int, ...], fp: IO[bytes], filename: str, object_name: Any = None
) -> list[dict[str, Any]]:
    if values is None:
        return []
    if not isinstance(values, list):
        raise IntelParseError(filename, locate(fp, path), f"{'.'.join(map(str, path))}: expected a list")
    out = []
    for index, attr in enumerate(values):
        if not isinstance(attr, dict) or not isinstance(attr.get("type"), str) or "value" not in attr:
            where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in (*path, index)).lstrip(".")
            raise IntelParseError(
                filename, locate(fp, (*path, index)), f"{where}: an attribute needs 'type' and 'value'"
            )
        record: dict[str, Any] = {
            "type": attr["type"],
            "category": str(attr.get("category") or ""),
            "value": str(attr["value"]),
            "to_ids": bool(attr.get("to_ids", False)),
        }
        if object_name:
            record["object"] = str(object_name)
        if attr.get("Tag"):
            record["_tags"] = attr["Tag"]
        out.append(record)
    return out


def _tags(item: ParsedItem, tags: Any) -> None:
    for tag in tags or ():
        name = tag.get("name") if isinstance(tag, dict) else None
        if not isinstance(name, str) or not name:
            continue
        lower = name.lower()
        if lower.startswith("tlp:"):
            level = tlp_from_name(name)
            if level is not None:
                item.tlp = level if item.tlp is None else stricter_tlp(item.tlp, level)
            continue
        if "galaxy" in lower:
            for uid in techniques_in_text(name):
                if uid not in item.technique_uids:
                    item.technique_uids.append(uid)
        if "confidence" in lower:
            for word, score in _CONFIDENCE_WORDS.items():
                if word in lower.rsplit("=", 1)[-1]:
                    item.confidence = max(item.confidence or 0, score)
                    break
        if name not in item.labels:
            item.labels.append(name)
