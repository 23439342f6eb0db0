"""NVD CVE API 2.0 responses (one page or a saved file of pages): CVE records with CVSS, CPE match
criteria and version ranges, streamed record by record."""

from __future__ import annotations

from datetime import UTC, datetime
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
    CpeMatch,
    IntelParseError,
    NvdRecord,
    ParsedFeed,
    ParsedVulnerability,
    Position,
    parse_iso_datetime,
    wrong_type,
)

METRIC_ORDER = ("cvssMetricV31", "cvssMetricV40", "cvssMetricV30", "cvssMetricV2")
RANGE_KEYS = (
    ("versionStartIncluding", "version_start_including"),
    ("versionStartExcluding", "version_start_excluding"),
    ("versionEndIncluding", "version_end_including"),
    ("versionEndExcluding", "version_end_excluding"),
)


def parse_nvd(fp: IO[bytes], *, filename: str, progress: Progress | None = None) -> ParsedFeed:
    root, scalars = root_scalars(head(fp))
    keys = scalars.get("__keys__", [])
    if root is None:
        raise IntelParseError(filename, Position(0, 1), "empty file: expected an NVD CVE API 2.0 response")
    if root != "map":
        raise wrong_type(filename, f"expected a JSON object, found a {root}")
    if scalars.get("type") == "bundle":
        raise wrong_type(filename, "this looks like a STIX bundle, not NVD")
    if "catalogVersion" in keys:
        raise wrong_type(filename, "this looks like the KEV catalogue, not NVD")
    if "Event" in keys:
        raise wrong_type(filename, "this looks like a MISP event, not NVD")
    if "format" in scalars and scalars["format"] != "NVD_CVE":
        raise IntelParseError(
            filename,
            Position(0, 1, "format"),
            f"wrong type: format is {scalars['format']!r}, expected 'NVD_CVE'",
        )
    reader = CountingReader(fp, file_size(fp), progress)
    feed = ParsedFeed(format="nvd")
    seen: dict[str, int] = {}
    count = 0
    try:
        for index, entry in enumerate(items(reader, "vulnerabilities.item")):
            count += 1
            vuln = _record(entry, index, filename, fp)
            if vuln.cve_id in seen:
                feed.vulnerabilities[seen[vuln.cve_id]] = vuln
                feed.skipped += 1
                continue
            seen[vuln.cve_id] = len(feed.vulnerabilities)
            feed.vulnerabilities.append(vuln)
    except ijson.JSONError as exc:
        raise syntax_error(filename, fp, reader, exc) from exc
    if count == 0 and "vulnerabilities" not in keys:
        raise wrong_type(filename, "no 'vulnerabilities': not an NVD response")
    feed.meta = {"total_results": scalars.get("totalResults"), "records": count}
    return feed


def _utc(value: object) -> datetime | None:
    parsed = parse_iso_datetime(value)
    if parsed is not None and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _record(entry: Any, index: int, filename: str, fp: IO[bytes]) -> ParsedVulnerability:
    def fail(reason: str, *path: str | int) -> IntelParseError:
        full = ("vulnerabilities", index, *path)
        where = f"vulnerabilities[{index}]" + "".join(
            f"[{p}]" if isinstance(p, int) else f".{p}" for p in path
        )
        return IntelParseError(filename, locate(fp, full), f"{where}: {reason}")

    if not isinstance(entry, dict):
        raise fail(f"expected an object, found {type(entry).__name__}")
    if "cveID" in entry:
        raise fail("wrong type: this is a KEV entry, not an NVD record")
    cve = entry.get("cve")
    if not isinstance(cve, dict):
        raise fail("missing required property 'cve'")
    cve_id = cve.get("id")
    if not isinstance(cve_id, str) or not CVE_RE.fullmatch(cve_id.strip()):
        raise fail(f"'id' {cve_id!r} is not a CVE id", "cve")
    for key in ("published", "lastModified"):
        if key in cve and _utc(cve[key]) is None:
            raise fail(f"{key} {cve[key]!r} is not a timestamp", "cve", key)
    description = ""
    for desc in cve.get("descriptions") or ():
        if isinstance(desc, dict) and desc.get("lang") == "en":
            description = str(desc.get("value") or "")
            break
    score, vector = _cvss(cve.get("metrics") or {})
    matches: list[CpeMatch] = []
    for c_index, config in enumerate(cve.get("configurations") or ()):
        for n_index, node in enumerate(config.get("nodes") or () if isinstance(config, dict) else ()):
            for m_index, match in enumerate(node.get("cpeMatch") or () if isinstance(node, dict) else ()):
                where = ("cve", "configurations", c_index, "nodes", n_index, "cpeMatch", m_index)
                criteria = match.get("criteria") if isinstance(match, dict) else None
                if not isinstance(criteria, str) or not criteria.startswith("cpe:2.3:"):
                    raise fail(f"criteria {criteria!r} is not a CPE 2.3 name", *where)
                ranges = {attr: _version(match.get(key)) for key, attr in RANGE_KEYS}
                matches.append(CpeMatch(criteria, bool(match.get("vulnerable", True)), **ranges))
    references = tuple(
        str(r["url"])
        for r in cve.get("references") or ()
        if isinstance(r, dict) and isinstance(r.get("url"), str)
    )
    weaknesses = tuple(
        str(d.get("value"))
        for w in cve.get("weaknesses") or ()
        if isinstance(w, dict)
        for d in w.get("description") or ()
        if isinstance(d, dict) and d.get("value")
    )
    record = NvdRecord(
        published=_utc(cve.get("published")),
        last_modified=_utc(cve.get("lastModified")),
        cvss_score=score,
        cvss_vector=vector,
        cpe_matches=tuple(matches),
        references=references,
        weaknesses=tuple(dict.fromkeys(weaknesses)),
    )
    return ParsedVulnerability(cve_id.strip().upper(), description=description, nvd=record, ref=cve_id)


def _version(value: object) -> str | None:
    return str(value) if isinstance(value, str | int | float) and str(value) else None


def _cvss(metrics: Any) -> tuple[float | None, str]:
    if not isinstance(metrics, dict):
        return None, ""
    for key in METRIC_ORDER:
        entries = [m for m in metrics.get(key) or () if isinstance(m, dict)]
        entries.sort(key=lambda m: m.get("type") != "Primary")
        for metric in entries:
            data = metric.get("cvssData")
            if isinstance(data, dict) and isinstance(data.get("baseScore"), int | float):
                return float(data["baseScore"]), str(data.get("vectorString") or "")
    return None, ""
