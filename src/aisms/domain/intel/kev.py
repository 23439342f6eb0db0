"""The CISA Known Exploited Vulnerabilities catalogue (JSON feed), streamed entry by entry."""

from __future__ import annotations

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
    IntelParseError,
    KevEntry,
    ParsedFeed,
    ParsedVulnerability,
    Position,
    parse_iso_date,
    wrong_type,
)

REQUIRED = ("cveID", "vendorProject", "product", "vulnerabilityName", "dateAdded")


def parse_kev(fp: IO[bytes], *, filename: str, progress: Progress | None = None) -> ParsedFeed:
    root, scalars = root_scalars(head(fp))
    keys = scalars.get("__keys__", [])
    if root is None:
        raise IntelParseError(filename, Position(0, 1), "empty file: expected the KEV catalogue JSON")
    if root != "map":
        raise wrong_type(filename, f"expected a JSON object, found a {root}")
    if scalars.get("type") == "bundle":
        raise wrong_type(filename, "this looks like a STIX bundle, not KEV")
    if "Event" in keys:
        raise wrong_type(filename, "this looks like a MISP event, not KEV")
    if scalars.get("format") == "NVD_CVE" or "resultsPerPage" in keys:
        raise wrong_type(filename, "this looks like an NVD response, not KEV")
    reader = CountingReader(fp, file_size(fp), progress)
    feed = ParsedFeed(format="kev")
    seen: set[str] = set()
    count = 0
    try:
        for index, entry in enumerate(items(reader, "vulnerabilities.item")):
            count += 1
            vuln = _entry(entry, index, filename, fp)
            if vuln.cve_id in seen:
                feed.skipped += 1
                continue
            seen.add(vuln.cve_id)
            feed.vulnerabilities.append(vuln)
    except ijson.JSONError as exc:
        raise syntax_error(filename, fp, reader, exc) from exc
    if "catalogVersion" not in keys and "vulnerabilities" not in keys and count == 0:
        raise IntelParseError(
            filename,
            Position(0, 1),
            "wrong type: no 'catalogVersion' or 'vulnerabilities': not a KEV catalogue",
        )
    feed.meta = {
        "catalog_version": scalars.get("catalogVersion", ""),
        "date_released": scalars.get("dateReleased", ""),
        "entries": count,
    }
    return feed


def _entry(entry: Any, index: int, filename: str, fp: IO[bytes]) -> ParsedVulnerability:
    path = ("vulnerabilities", index)

    def fail(reason: str) -> IntelParseError:
        return IntelParseError(filename, locate(fp, path), f"vulnerabilities[{index}]: {reason}")

    if not isinstance(entry, dict):
        raise fail(f"expected an object, found {type(entry).__name__}")
    if "cve" in entry and "cveID" not in entry:
        raise fail("wrong type: this is an NVD CVE record, not a KEV entry")
    for key in REQUIRED:
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise fail(f"missing required field '{key}'")
    cve_id = entry["cveID"].strip().upper()
    if not CVE_RE.fullmatch(cve_id):
        raise fail(f"cveID {entry['cveID']!r} is not a CVE id")
    date_added = parse_iso_date(entry["dateAdded"])
    if date_added is None:
        raise fail(f"dateAdded {entry['dateAdded']!r} is not a date (YYYY-MM-DD)")
    due = entry.get("dueDate")
    due_date = parse_iso_date(due)
    if due not in (None, "") and due_date is None:
        raise fail(f"dueDate {due!r} is not a date (YYYY-MM-DD)")
    ransomware_text = str(entry.get("knownRansomwareCampaignUse") or "").strip().lower()
    ransomware = {"known": True, "unknown": None}.get(ransomware_text)
    if ransomware_text == "no":
        ransomware = False
    kev = KevEntry(
        vendor_project=entry["vendorProject"].strip(),
        product=entry["product"].strip(),
        name=entry["vulnerabilityName"].strip(),
        date_added=date_added,
        due_date=due_date,
        required_action=str(entry.get("requiredAction") or "").strip(),
        known_ransomware=ransomware,
        notes=str(entry.get("notes") or "").strip(),
    )
    return ParsedVulnerability(
        cve_id=cve_id, description=str(entry.get("shortDescription") or "").strip(), kev=kev, ref=cve_id
    )
