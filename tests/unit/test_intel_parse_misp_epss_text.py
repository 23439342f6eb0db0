"""MISP feed, EPSS CSV and free-text report parsers, and format sniffing."""

from __future__ import annotations

import io
import json
from datetime import date
from typing import IO, Any

import pytest

from aisms.domain.intel.epss import parse_epss
from aisms.domain.intel.misp import parse_event, parse_feed, parse_manifest
from aisms.domain.intel.records import IntelParseError, ParsedFeed
from aisms.domain.intel.sniff import sniff_format
from aisms.domain.intel.text_report import parse_text

UUID = "5f2b6c3e-1d4a-4b8e-9c7f-0a1b2c3d4e5f"


def _event(**extra: Any) -> dict[str, Any]:
    return {
        "Event": {
            "uuid": UUID,
            "info": "Phishing wave",
            "date": "2026-10-14",
            "Tag": [{"name": "tlp:amber"}, {"name": 'misp-galaxy:mitre-attack-pattern="Phishing - T1566"'}],
            "Attribute": [
                {"type": "domain", "category": "Network activity", "value": "bad.example", "to_ids": True},
                {"type": "vulnerability", "category": "External analysis", "value": "CVE-2020-11978"},
                {"type": "text", "category": "Other", "value": "Used AML.T0051 against assistants."},
            ],
            "Object": [{"name": "file", "Attribute": [{"type": "sha256", "value": "ab" * 32}]}],
            **extra,
        }
    }


def _bytes(data: Any) -> bytes:
    return json.dumps(data, indent=1).encode()


def test_a_misp_event_becomes_one_item_with_observables_tags_and_cves() -> None:
    feed = ParsedFeed(format="misp")
    item = parse_event(io.BytesIO(_bytes(_event())), filename="e.json", feed=feed)
    assert (item.kind, item.external_id, item.tlp) == ("misp-event", UUID, "amber")
    assert item.technique_uids == ["attack:T1566", "atlas:AML.T0051"]
    assert item.cve_ids == ["CVE-2020-11978"]
    assert [v.cve_id for v in feed.vulnerabilities] == ["CVE-2020-11978"]
    assert {"type": "sha256", "category": "", "value": "ab" * 32, "to_ids": False, "object": "file"} in (
        item.observables
    )
    assert item.published is not None
    assert item.published.date() == date(2026, 10, 14)


def test_a_misp_feed_reads_only_changed_events() -> None:
    files = {
        "manifest.json": _bytes({UUID: {"info": "Phishing wave", "timestamp": "1760443200"}}),
        f"{UUID}.json": _bytes(_event()),
    }

    def open_file(name: str) -> IO[bytes]:
        return io.BytesIO(files[name])

    assert len(parse_feed(open_file).items) == 1
    unchanged = parse_feed(open_file, since={UUID: "1760443200"})
    assert unchanged.items == []
    assert unchanged.skipped == 1
    assert unchanged.meta["timestamps"] == {UUID: "1760443200"}


def test_misp_attribute_without_value_names_its_path() -> None:
    event = _event()
    event["Event"]["Object"][0]["Attribute"].append({"type": "ip-dst"})
    raw = _bytes(event)
    with pytest.raises(IntelParseError) as caught:
        parse_event(io.BytesIO(raw), filename="e.json", feed=ParsedFeed(format="misp"))
    error = caught.value
    assert "Event.Object[0].Attribute[1]" in error.reason
    assert raw[error.position.offset : error.position.offset + 1] == b"{"
    assert error.position.line == raw[: error.position.offset].count(b"\n") + 1


def test_misp_truncated_malformed_and_wrong_type() -> None:
    raw = _bytes(_event())
    with pytest.raises(IntelParseError, match="truncated"):
        parse_event(io.BytesIO(raw[:150]), filename="e.json", feed=ParsedFeed(format="misp"))
    with pytest.raises(IntelParseError) as caught:
        parse_event(
            io.BytesIO(raw.replace(b'"Phishing wave"', b"Phishing")),
            filename="e.json",
            feed=ParsedFeed(format="misp"),
        )
    assert caught.value.reason.startswith("malformed JSON")
    assert caught.value.position.line == 4
    with pytest.raises(IntelParseError, match="wrong type: expected \\{'Event'"):
        parse_event(
            io.BytesIO(b'{"type": "bundle", "objects": []}'),
            filename="e.json",
            feed=ParsedFeed(format="misp"),
        )
    with pytest.raises(IntelParseError, match="not a MISP manifest"):
        parse_manifest(io.BytesIO(raw))
    with pytest.raises(IntelParseError, match="does not match the manifest"):
        parse_event(
            io.BytesIO(raw),
            filename="e.json",
            feed=ParsedFeed(format="misp"),
            expected_uuid="00000000-0000-4000-8000-000000000000",
        )


EPSS = "#model_version:v2025.03.14,score_date:2026-11-28T00:00:00Z\ncve,epss,percentile\n"


def test_epss_rows_and_score_date() -> None:
    feed = parse_epss(
        io.BytesIO((EPSS + "CVE-2023-44487,0.94412,0.99961\ncve-2025-1094,0.6,0.98\n").encode()),
        filename="e.csv",
    )
    assert [(s.cve_id, s.epss, s.percentile) for s in feed.epss] == [
        ("CVE-2023-44487", 0.94412, 0.99961),
        ("CVE-2025-1094", 0.6, 0.98),
    ]
    assert feed.epss[0].score_date == date(2026, 11, 28)
    assert feed.meta["model_version"] == "v2025.03.14"


def test_epss_bad_row_names_line_and_byte() -> None:
    raw = (EPSS + "CVE-2023-44487,0.9,0.99\nCVE-2025-1094,high,0.98\n").encode()
    with pytest.raises(IntelParseError) as caught:
        parse_epss(io.BytesIO(raw), filename="e.csv")
    error = caught.value
    assert error.position.line == 4
    assert error.position.offset == raw.index(b"CVE-2025-1094")
    assert error.reason == "epss 'high' is not a number"


def test_epss_truncated_wrong_type_and_out_of_range() -> None:
    with pytest.raises(IntelParseError) as caught:
        parse_epss(io.BytesIO((EPSS + "CVE-2023-44487,0.9,0.99\nCVE-2025-10").encode()), filename="e.csv")
    assert caught.value.reason.startswith("truncated")
    assert caught.value.position.line == 4
    with pytest.raises(IntelParseError, match=r"wrong type: expected the EPSS header.*this is JSON"):
        parse_epss(io.BytesIO(b'{"vulnerabilities": []}'), filename="e.csv")
    with pytest.raises(IntelParseError, match="outside 0-1"):
        parse_epss(io.BytesIO((EPSS + "CVE-2023-44487,1.5,0.99\n").encode()), filename="e.csv")


def test_a_text_report_takes_its_title_ids_and_tlp() -> None:
    text = (
        "Some preamble line\n\n# Indirect prompt injection in triage bots\n\nTLP:AMBER. Attackers used "
        "AML.T0051.001 and T1566.002, exploiting CVE-2023-44487.\n\nA second paragraph."
    )
    feed = parse_text(text.encode(), filename="r.md")
    item = feed.items[0]
    assert item.title == "Indirect prompt injection in triage bots"
    assert item.technique_uids == ["atlas:AML.T0051.001", "attack:T1566.002"]
    assert item.cve_ids == ["CVE-2023-44487"]
    assert item.tlp == "amber"
    assert feed.meta["paragraphs"] == 4
    assert parse_text(text, filename="pasted").items[0].external_id == item.external_id


def test_a_leading_heading_is_the_title_and_not_repeated_in_the_description() -> None:
    text = "# GPU memory remnants\n\nTLP:GREEN - sector alert.\n\nClear memory between tenants.\n"
    item = parse_text(text, filename="alert.md").items[0]
    assert item.title == "GPU memory remnants"
    assert item.description == "TLP:GREEN - sector alert.\n\nClear memory between tenants."
    # the id still covers the heading: another title over the same text is another report
    other = parse_text(text.replace("remnants", "leftovers", 1), filename="alert.md").items[0]
    assert other.external_id != item.external_id
    assert other.description == item.description


def test_text_reports_refuse_binary_json_and_bad_encoding() -> None:
    with pytest.raises(IntelParseError) as caught:
        parse_text(b"line one\nline \xff two", filename="r.txt")
    assert caught.value.position.line == 2
    assert caught.value.position.offset == 14
    with pytest.raises(IntelParseError, match="wrong type: binary"):
        parse_text(b"PK\x03\x04\x00\x00", filename="r.docx")
    with pytest.raises(IntelParseError, match="this is JSON"):
        parse_text(b'{"type": "bundle"}', filename="r.txt")
    with pytest.raises(IntelParseError, match="empty report"):
        parse_text(b"  \n ", filename="r.txt")


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b'{"type": "bundle", "id": "bundle--1", "objects": [', "stix"),
        (b'{"Event": {"uuid": "x"', "misp"),
        (b'{"title": "CISA", "catalogVersion": "2026.1", "vulnerabilities": [', "kev"),
        (b'{"resultsPerPage": 2000, "startIndex": 0, "format": "NVD_CVE"', "nvd"),
        (b"#model_version:v1,score_date:x\ncve,epss,percentile\n", "epss"),
        (b"# A report\n\nText.", "text"),
        (b'{"something": "else"}', None),
    ],
)
def test_sniffing_formats(head: bytes, expected: str | None) -> None:
    assert sniff_format(head) == expected
