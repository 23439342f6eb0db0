"""The OSCAL export: documents validated against the NIST OSCAL schema (via its generated pydantic models)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from oscal_bindings.v1 import OscalParseError, parse_oscal

from aisms.apps.audits.models import Audit, ChecklistItem, ChecklistResult
from aisms.apps.catalogue.models import CatalogueEntry
from aisms.apps.compliance.models import EvidenceItem
from aisms.apps.context.models import Organisation
from aisms.apps.controls.models import ControlImplementation
from aisms.cli import main
from aisms.isms_code.oscal_export import documents, export_oscal

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def isms() -> None:
    Organisation.objects.create(name="Helixa Health Ltd")
    access = CatalogueEntry.objects.get(uid="iso27002:2022:5.15")
    ControlImplementation.objects.create(
        control=access, applicable=True, implementation_status="implemented", notes="SSO with MFA everywhere."
    )
    ControlImplementation.objects.create(
        control=CatalogueEntry.objects.get(uid="iso27002:2022:7.4"),
        applicable=False,
        justification="No physical premises of our own: fully remote, cloud-hosted.",
    )
    evidence = EvidenceItem.objects.create(
        title="Okta MFA policy export",
        kind="file",
        evidence_date=dt.date(2026, 9, 1),
        file_name="okta-policy.json",
        sha256="ab" * 32,
    )
    evidence.entries.add(access)
    audit = Audit.objects.create(
        ref="IA-2026-01",
        title="Access control audit",
        planned_start=dt.date(2026, 10, 1),
        actual_start=dt.date(2026, 10, 2),
    )
    ChecklistItem.objects.create(
        audit=audit,
        position=1,
        uid="iso27002:2022:5.15",
        title="Access control",
        result=ChecklistResult.MINOR_NC,
        notes="Two service accounts without an owner.",
    )
    ChecklistItem.objects.create(
        audit=audit,
        position=2,
        uid="iso27001:2022:9.2",
        title="Internal audit",
        result=ChecklistResult.CONFORMING,
    )


def _valid(document: dict[str, Any]) -> None:
    parse_oscal(json.dumps(document))  # raises OscalParseError when the schema is not met


def test_every_document_is_valid_oscal(isms: None) -> None:
    docs = documents(NOW)
    assert set(docs) == {
        "catalog.json",
        "profile.json",
        "component-definition.json",
        "assessment-results.json",
    }
    for document in docs.values():
        _valid(document)
    catalog = docs["catalog.json"]["catalog"]
    assert catalog["metadata"]["oscal-version"] == "1.1.2"
    ids = [c["id"] for g in catalog["groups"] for c in g["controls"]]
    assert len(ids) == 93
    assert "iso27002-5.7" in ids
    assert catalog["groups"][0]["title"] == "Organizational controls"


def test_profile_and_component_follow_the_soa(isms: None) -> None:
    docs = documents(NOW)
    with_ids = docs["profile.json"]["profile"]["imports"][0]["include-controls"][0]["with-ids"]
    assert "iso27002-5.15" in with_ids
    assert "iso27002-7.4" not in with_ids
    component = docs["component-definition.json"]["component-definition"]
    reqs = {
        r["control-id"]: r
        for r in component["components"][0]["control-implementations"][0]["implemented-requirements"]
    }
    assert "SSO with MFA everywhere." in reqs["iso27002-5.15"]["description"]
    assert {
        "name": "implementation-status",
        "value": "implemented",
        "ns": "https://aisms.example/ns/oscal",
    } in reqs["iso27002-5.15"]["props"]
    resources = component["back-matter"]["resources"]
    assert resources[0]["title"] == "Okta MFA policy export"
    assert resources[0]["rlinks"][0]["hashes"][0]["value"] == "ab" * 32
    assert "No physical premises" in reqs["iso27002-7.4"]["description"]


def test_assessment_results_carry_the_latest_audit(isms: None) -> None:
    results = documents(NOW)["assessment-results.json"]["assessment-results"]["results"][0]
    assert results["title"] == "IA-2026-01 Access control audit"
    states = {f["target"]["target-id"]: f["target"]["status"]["state"] for f in results["findings"]}
    assert states == {"iso27002-5.15": "not-satisfied", "iso27001-9.2": "satisfied"}


def test_export_is_stable_and_the_validator_rejects_broken_documents(isms: None, tmp_path: Path) -> None:
    export_oscal(tmp_path / "a", now=NOW)
    assert main(["export", "--format", "oscal", str(tmp_path / "b")]) == 0
    a = json.loads((tmp_path / "a" / "profile.json").read_text())
    b = json.loads((tmp_path / "b" / "profile.json").read_text())
    assert a["profile"]["uuid"] == b["profile"]["uuid"]
    assert a["profile"]["imports"] == b["profile"]["imports"]
    broken = documents(NOW)["catalog.json"]
    del broken["catalog"]["metadata"]["title"]
    with pytest.raises(OscalParseError):
        _valid(broken)
