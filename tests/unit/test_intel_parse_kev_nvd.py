"""KEV and NVD CVE API 2.0 parsers: valid files, malformed, truncated, wrong type, bad fields."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime
from typing import Any

import pytest

from aisms.domain.intel.kev import parse_kev
from aisms.domain.intel.nvd import parse_nvd
from aisms.domain.intel.records import IntelParseError

KEV_ENTRY = {
    "cveID": "CVE-2023-44487",
    "vendorProject": "IETF",
    "product": "HTTP/2",
    "vulnerabilityName": "HTTP/2 Rapid Reset Attack Vulnerability",
    "dateAdded": "2023-10-10",
    "shortDescription": "Resets exhaust servers.",
    "requiredAction": "Apply mitigations.",
    "dueDate": "2023-10-31",
    "knownRansomwareCampaignUse": "Known",
}


def _kev(*entries: Any) -> bytes:
    return json.dumps({"catalogVersion": "2026.11.01", "vulnerabilities": list(entries)}, indent=1).encode()


def _nvd_record(cve: str = "CVE-2025-1094", **extra: Any) -> dict[str, Any]:
    return {
        "cve": {
            "id": cve,
            "published": "2025-02-13T13:15:09.130",
            "lastModified": "2025-03-01T08:00:00.000",
            "descriptions": [{"lang": "es", "value": "no"}, {"lang": "en", "value": "psql quoting flaw"}],
            "metrics": {
                "cvssMetricV40": [{"type": "Primary", "cvssData": {"baseScore": 9.0, "vectorString": "V4"}}],
                "cvssMetricV31": [
                    {"type": "Secondary", "cvssData": {"baseScore": 5.0, "vectorString": "S"}},
                    {"type": "Primary", "cvssData": {"baseScore": 8.1, "vectorString": "CVSS:3.1/AV:N"}},
                ],
            },
            "configurations": [
                {
                    "nodes": [
                        {
                            "operator": "OR",
                            "cpeMatch": [
                                {
                                    "vulnerable": True,
                                    "criteria": "cpe:2.3:a:postgresql:postgresql:*:*:*:*:*:*:*:*",
                                    "versionStartIncluding": "15.0",
                                    "versionEndExcluding": "15.11",
                                },
                            ],
                        }
                    ]
                }
            ],
            **extra,
        }
    }


def _nvd(*records: Any) -> bytes:
    return json.dumps(
        {
            "resultsPerPage": len(records),
            "format": "NVD_CVE",
            "version": "2.0",
            "vulnerabilities": list(records),
        },
        indent=1,
    ).encode()


def test_kev_entries_parse_with_dates_and_ransomware_flag() -> None:
    feed = parse_kev(
        io.BytesIO(
            _kev(KEV_ENTRY, {**KEV_ENTRY, "cveID": "CVE-2024-3400", "knownRansomwareCampaignUse": "Unknown"})
        ),
        filename="k.json",
    )
    first, second = feed.vulnerabilities
    assert first.cve_id == "CVE-2023-44487"
    assert first.kev is not None
    assert (first.kev.date_added, first.kev.due_date, first.kev.known_ransomware) == (
        date(2023, 10, 10),
        date(2023, 10, 31),
        True,
    )
    assert second.kev is not None
    assert second.kev.known_ransomware is None
    assert feed.meta["catalog_version"] == "2026.11.01"


def test_kev_bad_date_names_the_entry_and_its_position() -> None:
    raw = _kev(KEV_ENTRY, {**KEV_ENTRY, "cveID": "CVE-2024-1111", "dateAdded": "10/10/2023"})
    with pytest.raises(IntelParseError) as caught:
        parse_kev(io.BytesIO(raw), filename="k.json")
    error = caught.value
    assert error.reason.startswith("vulnerabilities[1]: dateAdded '10/10/2023' is not a date")
    assert raw[error.position.offset : error.position.offset + 1] == b"{"
    assert error.position.line == raw[: error.position.offset].count(b"\n") + 1


def test_kev_missing_field_and_bad_cve_id() -> None:
    entry = dict(KEV_ENTRY)
    del entry["product"]
    with pytest.raises(IntelParseError, match="missing required field 'product'"):
        parse_kev(io.BytesIO(_kev(entry)), filename="k.json")
    with pytest.raises(IntelParseError, match="is not a CVE id"):
        parse_kev(io.BytesIO(_kev({**KEV_ENTRY, "cveID": "GHSA-1234"})), filename="k.json")


def test_kev_truncated_and_malformed() -> None:
    raw = _kev(KEV_ENTRY)
    with pytest.raises(IntelParseError) as caught:
        parse_kev(io.BytesIO(raw[:-30]), filename="k.json")
    assert caught.value.reason.startswith("truncated")
    assert caught.value.position.offset == len(raw[:-30].rstrip())
    broken = raw.replace(b'"IETF"', b"'IETF'")
    with pytest.raises(IntelParseError) as caught:
        parse_kev(io.BytesIO(broken), filename="k.json")
    assert caught.value.reason.startswith("malformed JSON")
    assert caught.value.position.offset == broken.index(b"'IETF'")


def test_kev_wrong_types() -> None:
    with pytest.raises(IntelParseError, match="wrong type: this looks like an NVD response"):
        parse_kev(io.BytesIO(_nvd(_nvd_record())), filename="k.json")
    with pytest.raises(IntelParseError, match="wrong type: this looks like a STIX bundle"):
        parse_kev(io.BytesIO(b'{"type": "bundle", "objects": []}'), filename="k.json")
    with pytest.raises(IntelParseError, match="not a KEV catalogue"):
        parse_kev(io.BytesIO(b'{"name": "x"}'), filename="k.json")


def test_nvd_records_with_cvss_preference_and_cpe_ranges() -> None:
    feed = parse_nvd(io.BytesIO(_nvd(_nvd_record())), filename="n.json")
    vuln = feed.vulnerabilities[0]
    assert vuln.description == "psql quoting flaw"
    assert vuln.nvd is not None
    assert (vuln.nvd.cvss_score, vuln.nvd.cvss_vector) == (8.1, "CVSS:3.1/AV:N")  # V3.1 primary first
    assert vuln.nvd.published == datetime(2025, 2, 13, 13, 15, 9, 130000, tzinfo=UTC)
    match = vuln.nvd.cpe_matches[0]
    assert match.as_json() == {
        "criteria": "cpe:2.3:a:postgresql:postgresql:*:*:*:*:*:*:*:*",
        "vulnerable": True,
        "versionStartIncluding": "15.0",
        "versionStartExcluding": None,
        "versionEndIncluding": None,
        "versionEndExcluding": "15.11",
    }


def test_nvd_bad_cpe_names_the_nested_path() -> None:
    record = _nvd_record()
    record["cve"]["configurations"][0]["nodes"][0]["cpeMatch"][0]["criteria"] = "postgresql 15"
    raw = _nvd(record)
    with pytest.raises(IntelParseError) as caught:
        parse_nvd(io.BytesIO(raw), filename="n.json")
    error = caught.value
    assert "vulnerabilities[0].cve.configurations[0].nodes[0].cpeMatch[0]" in error.reason
    assert raw[error.position.offset : error.position.offset + 1] == b"{"


def test_nvd_truncated_wrong_type_and_bad_id() -> None:
    raw = _nvd(_nvd_record())
    with pytest.raises(IntelParseError, match="truncated"):
        parse_nvd(io.BytesIO(raw[:200]), filename="n.json")
    with pytest.raises(IntelParseError, match="looks like the KEV catalogue"):
        parse_nvd(io.BytesIO(_kev(KEV_ENTRY)), filename="n.json")
    with pytest.raises(IntelParseError, match="is not a CVE id"):
        parse_nvd(io.BytesIO(_nvd(_nvd_record(cve="2025-1094"))), filename="n.json")
    with pytest.raises(IntelParseError, match="this is a KEV entry"):
        parse_nvd(io.BytesIO(json.dumps({"vulnerabilities": [KEV_ENTRY]}).encode()), filename="n.json")
