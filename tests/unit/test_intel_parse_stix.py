"""STIX 2.1 bundle parser: valid bundles, malformed and truncated JSON, wrong types, missing properties."""

from __future__ import annotations

import io
import json
import zlib
from typing import Any

import pytest

from aisms.domain.intel.records import IntelParseError
from aisms.domain.intel.stix import parse_bundle

AMBER = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
T = "2026-01-01T00:00:00Z"


def _ap(tid: str, source: str = "mitre-atlas", **extra: Any) -> dict[str, Any]:
    return {
        "type": "attack-pattern",
        "spec_version": "2.1",
        "id": f"attack-pattern--0a1b2c3d-0000-4000-8000-{zlib.crc32(tid.encode()):012d}",
        "created": T,
        "modified": T,
        "name": f"Technique {tid}",
        "external_references": [{"source_name": source, "external_id": tid}],
        **extra,
    }


def _bundle(*objects: Any, **root: Any) -> dict[str, Any]:
    return {
        "type": "bundle",
        "id": "bundle--00000000-0000-4000-8000-000000000000",
        "objects": list(objects),
        **root,
    }


def _parse(data: Any) -> Any:
    raw = data if isinstance(data, bytes) else json.dumps(data, indent=1).encode()
    return parse_bundle(io.BytesIO(raw), filename="t.json")


def test_attack_patterns_map_to_catalogue_uids_and_markings_to_tlp() -> None:
    feed = _parse(
        _bundle(
            _ap("AML.T0051", confidence=70, object_marking_refs=[AMBER]),
            _ap("T1059.001", source="mitre-attack"),
            {
                "type": "relationship",
                "spec_version": "2.1",
                "id": "relationship--1",
                "created": T,
                "modified": T,
                "relationship_type": "uses",
                "source_ref": "x",
                "target_ref": "y",
            },
        )
    )
    assert [(i.external_id, i.technique_uids, i.tlp, i.confidence) for i in feed.items] == [
        ("AML.T0051", ["atlas:AML.T0051"], "amber", 70),
        ("T1059.001", ["attack:T1059.001"], None, None),
    ]
    assert feed.skipped == 1


def test_markings_defined_later_in_the_bundle_apply() -> None:
    marking = {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": "marking-definition--custom",
        "created": T,
        "name": "TLP:RED",
    }
    feed = _parse(_bundle(_ap("AML.T0051", object_marking_refs=["marking-definition--custom"]), marking))
    assert feed.items[0].tlp == "red"


def test_indicators_keep_their_pattern_as_text_and_vulnerabilities_become_cves() -> None:
    indicator = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": "indicator--1",
        "created": T,
        "modified": T,
        "pattern": "[file:hashes.'SHA-256' = 'ab']",
        "pattern_type": "stix",
        "valid_from": T,
    }
    vuln = {
        "type": "vulnerability",
        "spec_version": "2.1",
        "id": "vulnerability--1",
        "created": T,
        "modified": T,
        "name": "CVE-2024-3094",
        "description": "xz backdoor",
    }
    report = {
        "type": "report",
        "spec_version": "2.1",
        "id": "report--1",
        "created": T,
        "modified": T,
        "name": "R",
        "published": T,
        "object_refs": [_ap("AML.T0054")["id"]],
        "description": "Mentions AML.T0051 and CVE-2023-44487.",
    }
    feed = _parse(_bundle(indicator, vuln, _ap("AML.T0054"), report))
    by_kind = {i.kind: i for i in feed.items}
    assert by_kind["indicator"].pattern == "[file:hashes.'SHA-256' = 'ab']"
    assert by_kind["vulnerability"].external_id == "CVE-2024-3094"
    assert [v.cve_id for v in feed.vulnerabilities] == ["CVE-2024-3094"]
    assert set(by_kind["report"].technique_uids) == {"atlas:AML.T0051", "atlas:AML.T0054"}
    assert by_kind["report"].cve_ids == ["CVE-2023-44487"]


def test_malformed_json_names_line_and_byte() -> None:
    raw = b'{"type": "bundle",\n "id": "bundle--1",\n "objects": [\n  {"type": x}\n ]}'
    with pytest.raises(IntelParseError) as caught:
        _parse(raw)
    error = caught.value
    assert error.position.line == 4
    assert error.position.offset == raw.index(b"x")
    assert error.reason.startswith("malformed JSON")
    assert str(error).startswith("t.json:line 4, byte ")


def test_truncated_file_is_reported_at_its_end() -> None:
    raw = json.dumps(_bundle(_ap("AML.T0051"), _ap("AML.T0054")), indent=1).encode()
    cut = raw[: len(raw) - 40]
    with pytest.raises(IntelParseError) as caught:
        _parse(cut)
    assert caught.value.reason.startswith("truncated")
    assert caught.value.position.offset == len(cut.rstrip())
    assert caught.value.position.line == cut.count(b"\n") + 1


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"type": "identity", "id": "identity--1"}, "'type' is 'identity', expected 'bundle'"),
        ([1, 2], "found a array"),
        ({"Event": {"uuid": "x", "info": "y"}}, "looks like a MISP event"),
        ({"catalogVersion": "1", "vulnerabilities": []}, "looks like a CISA KEV catalogue"),
    ],
)
def test_wrong_types_are_refused_at_the_start(data: Any, reason: str) -> None:
    with pytest.raises(IntelParseError) as caught:
        _parse(data)
    assert caught.value.reason.startswith("wrong type")
    assert reason in caught.value.reason
    assert caught.value.position.offset == 0


def test_bundle_type_after_the_objects_is_still_checked() -> None:
    raw = b'{"objects": [], "type": "grouping", "id": "grouping--1"}'
    with pytest.raises(IntelParseError, match="expected 'bundle'"):
        _parse(raw)


def test_object_missing_a_required_property_names_it_and_where_it_starts() -> None:
    broken = _ap("AML.T0054")
    del broken["spec_version"]
    raw = json.dumps(_bundle(_ap("AML.T0051"), broken), indent=1).encode()
    with pytest.raises(IntelParseError) as caught:
        _parse(raw)
    error = caught.value
    assert "objects[1]" in error.reason
    assert "'spec_version'" in error.reason
    assert raw[error.position.offset : error.position.offset + 1] == b"{"
    assert error.position.line == raw[: error.position.offset].count(b"\n") + 1
    assert error.position.where == "objects[1]"


def test_object_without_id_and_mismatched_id_are_refused() -> None:
    no_id = _ap("AML.T0051")
    del no_id["id"]
    with pytest.raises(IntelParseError, match="missing required property 'id'"):
        _parse(_bundle(no_id))
    with pytest.raises(IntelParseError, match="does not match type"):
        _parse(_bundle({**_ap("AML.T0051"), "id": "malware--1"}))


def test_progress_is_reported_in_bytes() -> None:
    raw = json.dumps(_bundle(*[_ap(f"AML.T00{n:02d}") for n in range(50)])).encode()
    seen: list[tuple[int, int | None]] = []
    parse_bundle(io.BytesIO(raw), filename="t.json", progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (len(raw), len(raw))
