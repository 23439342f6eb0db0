"""Compliance API: behaviour of the evidence, documents, objectives, regulation and status endpoints, and
a role x endpoint matrix (allowed calls take effect; denied calls answer 403 JSON and change nothing)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from aisms.apps.compliance import services
from aisms.apps.compliance.models import (
    Document,
    DocumentVersion,
    EvidenceItem,
    EvidenceRevision,
    Objective,
    ObjectiveMeasurement,
    Regulation,
)
from aisms.apps.controls import services as soa_services
from aisms.apps.controls.selectors import implementation
from aisms.domain.access import Role
from tests.factories import make_user, token_client

pytestmark = pytest.mark.django_db
API = "/api/v1/compliance"
PDF = b"%PDF-1.4\n%%EOF\n"
ROLES = [r.value for r in Role]


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path: Path) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.AISMS_EVIDENCE_MAX_BYTES = 5000


def _today() -> str:
    return timezone.localdate().isoformat()


def test_upload_evidence_and_see_the_control_status_change() -> None:
    amira = make_user("isms_manager")
    soa_services.ensure_rows()
    soa_services.update_row(
        amira, implementation("8.9"), implementation_status="implemented", justification="x"
    )
    client = token_client(amira)
    before = client.get(f"{API}/status/iso27002:2022:8.9").json()
    assert before["status"] == "gap"
    assert "no evidence recorded" in before["reasons"]
    response = client.post(
        f"{API}/evidence",
        {
            "title": "Baseline",
            "evidence_date": _today(),
            "links": "iso27002:2022:8.9",
            "file": SimpleUploadedFile("b.pdf", PDF),
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "file"
    assert body["links"] == ["iso27002:2022:8.9"]
    assert body["state"] == "current"
    assert client.get(f"{API}/status/iso27002:2022:8.9").json()["status"] == "compliant"
    download = client.get(f"{API}/evidence/{body['id']}/revisions/1/file")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == PDF


def test_upload_limits_and_refusals() -> None:
    client = token_client(make_user("isms_manager"))
    big = client.post(
        f"{API}/evidence",
        {
            "title": "x",
            "evidence_date": _today(),
            "file": SimpleUploadedFile("b.pdf", b"%PDF-" + b"0" * 6000),
        },
    )
    assert big.status_code == 413
    assert "limit" in big.json()["message"]
    fake = client.post(
        f"{API}/evidence",
        {"title": "x", "evidence_date": _today(), "file": SimpleUploadedFile("b.pdf", b"<html>")},
    )
    assert fake.status_code == 422
    assert fake.json()["message"].startswith("file: b.pdf: the content is not a valid .pdf")
    link = client.post(
        f"{API}/evidence", {"title": "x", "evidence_date": _today(), "url": "file:///etc/passwd"}
    )
    assert link.status_code == 422
    assert EvidenceItem.objects.count() == 0


def test_revisions_links_and_review_through_the_api() -> None:
    client = token_client(make_user("isms_manager"))
    item = client.post(
        f"{API}/evidence", {"title": "Scan", "evidence_date": _today(), "url": "https://a.example/1"}
    ).json()
    second = client.post(
        f"{API}/evidence/{item['id']}/revisions",
        {"note": "rescan", "file": SimpleUploadedFile("scan.json", b'{"ok": true}')},
    )
    assert second.status_code == 201
    assert second.json()["number"] == 2
    revisions = client.get(f"{API}/evidence/{item['id']}/revisions").json()
    assert [r["number"] for r in revisions] == [2, 1]
    assert revisions[1]["url"] == "https://a.example/1"
    links = client.put(
        f"{API}/evidence/{item['id']}/links",
        {"links": ["iso27001:2022:9.2", "iso27002:2022:5.7"]},
        content_type="application/json",
    )
    assert links.json()["links"] == ["iso27001:2022:9.2", "iso27002:2022:5.7"]
    bad = client.put(
        f"{API}/evidence/{item['id']}/links", {"links": ["nope:1"]}, content_type="application/json"
    )
    assert bad.status_code == 422
    reviewed = client.post(
        f"{API}/evidence/{item['id']}/review", {"next_review": "2030-01-01"}, content_type="application/json"
    )
    assert reviewed.json()["review_due"] == "2030-01-01"
    listed = client.get(f"{API}/evidence?uid=iso27002:2022:5.7").json()
    assert [e["id"] for e in listed["items"]] == [item["id"]]


def test_documents_objectives_regulations_and_reads() -> None:
    client = token_client(make_user("isms_manager"))
    document = client.post(
        f"{API}/documents",
        {
            "ref": "POL-1",
            "title": "IS policy",
            "doc_type": "policy",
            "is_isms_policy": True,
            "text": "v1",
            "links": ["iso27001:2022:5.2"],
        },
        content_type="application/json",
    )
    assert document.status_code == 201
    doc_id = document.json()["id"]
    approved = client.post(
        f"{API}/documents/{doc_id}/versions/1/approve", {}, content_type="application/json"
    )
    assert approved.json()["status"] == "approved"
    assert approved.json()["next_review"] is not None
    draft = client.post(f"{API}/documents/{doc_id}/versions", {"text": "v2", "change_summary": "AI"})
    assert draft.status_code == 201
    assert draft.json()["number"] == 2
    objective = client.post(
        f"{API}/objectives",
        {
            "title": "Train staff",
            "measure": "share trained",
            "unit": "%",
            "baseline": 0,
            "target": 100,
            "due": "2030-01-01",
        },
        content_type="application/json",
    )
    assert objective.status_code == 201
    measured = client.post(
        f"{API}/objectives/{objective.json()['id']}/measurements",
        {"measured_on": _today(), "value": 40},
        content_type="application/json",
    )
    assert measured.json()["progress"] == pytest.approx(0.4)
    future = client.post(
        f"{API}/objectives/{objective.json()['id']}/measurements",
        {"measured_on": "2099-01-01", "value": 40},
        content_type="application/json",
    )
    assert future.status_code == 422
    suggestions = {s["key"]: s for s in client.get(f"{API}/regulations/suggestions").json()}
    assert suggestions["gdpr"]["max_turnover_pct"] == 4
    assert suggestions["eu-ai-act"]["max_fixed_eur"] == 35_000_000
    adopted = client.post(f"{API}/regulations/suggestions/gdpr/adopt")
    assert adopted.status_code == 201
    reg_id = adopted.json()["id"]
    obligation = client.post(
        f"{API}/regulations/{reg_id}/obligations",
        {"text": "Appoint a DPO", "controls": ["iso27002:2022:5.34"]},
        content_type="application/json",
    )
    assert obligation.status_code == 201
    exposure = client.get(f"{API}/exposure").json()
    assert exposure[0]["short_name"] == "GDPR"
    assert exposure[0]["max_penalty_eur"] == 20_000_000
    status = client.get(f"{API}/status?kind=clause").json()
    assert {r["ref"] for r in status} >= {"4", "5.2", "10.2"}
    assert next(r for r in status if r["ref"] == "5.2")["status"] == "compliant"
    gaps = client.get(f"{API}/gaps").json()
    assert gaps[0]["rank"] == 1
    cross = client.get(f"{API}/crosswalk/nist-ai-rmf").json()
    assert cross[0]["uid"].startswith("nist-ai-rmf:1.0:")
    assert client.get(f"{API}/crosswalk/cobit").status_code == 422


# ------------------------------------------------------------------ the matrix


def _counts() -> tuple[int, ...]:
    return (
        EvidenceItem.objects.count(),
        EvidenceRevision.objects.count(),
        Document.objects.count(),
        DocumentVersion.objects.filter(status="approved").count(),
        Objective.objects.count(),
        ObjectiveMeasurement.objects.count(),
        Regulation.objects.count(),
        EvidenceItem.objects.filter(title="changed").count(),
    )


def _world() -> dict[str, Any]:
    owner = make_user("isms_manager", username="owner-amira")
    item = services.create_evidence(
        owner, title="theirs", evidence_date=timezone.localdate(), url="https://a.example"
    )
    document = services.create_document(owner, ref="PRO-1", title="Doc", doc_type="procedure", text="v1")
    objective = services.create_objective(owner, title="O", measure="m", target=10, due=timezone.localdate())
    return {"item": item.pk, "document": document.pk, "objective": objective.pk}


Call = Callable[[Any, dict[str, Any]], Any]
CALLS: dict[str, tuple[Call, dict[str, int]]] = {
    "GET status": (lambda c, w: c.get(f"{API}/status"), dict.fromkeys(ROLES, 200)),
    "GET gaps": (lambda c, w: c.get(f"{API}/gaps"), dict.fromkeys(ROLES, 200)),
    "GET crosswalk": (lambda c, w: c.get(f"{API}/crosswalk/iso42001"), dict.fromkeys(ROLES, 200)),
    "GET exposure": (lambda c, w: c.get(f"{API}/exposure"), dict.fromkeys(ROLES, 200)),
    "GET evidence": (lambda c, w: c.get(f"{API}/evidence"), dict.fromkeys(ROLES, 200)),
    "GET documents": (lambda c, w: c.get(f"{API}/documents"), dict.fromkeys(ROLES, 200)),
    "POST evidence": (
        lambda c, w: c.post(
            f"{API}/evidence", {"title": "new", "evidence_date": _today(), "url": "https://n.example"}
        ),
        {"administrator": 201, "isms_manager": 201, "risk_owner": 201, "contributor": 201, "auditor": 403},
    ),
    "PATCH others' evidence": (
        lambda c, w: c.patch(
            f"{API}/evidence/{w['item']}", {"title": "changed"}, content_type="application/json"
        ),
        {"administrator": 200, "isms_manager": 200, "risk_owner": 200, "contributor": 403, "auditor": 403},
    ),
    "POST revision of others' evidence": (
        lambda c, w: c.post(f"{API}/evidence/{w['item']}/revisions", {"url": "https://r.example"}),
        {"administrator": 201, "isms_manager": 201, "risk_owner": 201, "contributor": 403, "auditor": 403},
    ),
    "DELETE evidence": (
        lambda c, w: c.delete(f"{API}/evidence/{w['item']}"),
        {"administrator": 204, "isms_manager": 204, "risk_owner": 403, "contributor": 403, "auditor": 403},
    ),
    "POST document": (
        lambda c, w: c.post(
            f"{API}/documents",
            {"ref": "NEW-1", "title": "t", "doc_type": "record", "text": "x"},
            content_type="application/json",
        ),
        {"administrator": 201, "isms_manager": 201, "risk_owner": 201, "contributor": 201, "auditor": 403},
    ),
    "POST approve others' document": (
        lambda c, w: c.post(
            f"{API}/documents/{w['document']}/versions/1/approve", {}, content_type="application/json"
        ),
        {"administrator": 200, "isms_manager": 200, "risk_owner": 403, "contributor": 403, "auditor": 403},
    ),
    "POST objective": (
        lambda c, w: c.post(
            f"{API}/objectives",
            {"title": "t", "measure": "m", "target": 1, "due": "2030-01-01"},
            content_type="application/json",
        ),
        {"administrator": 201, "isms_manager": 201, "risk_owner": 201, "contributor": 201, "auditor": 403},
    ),
    "POST measurement on others' objective": (
        lambda c, w: c.post(
            f"{API}/objectives/{w['objective']}/measurements",
            {"measured_on": _today(), "value": 3},
            content_type="application/json",
        ),
        {"administrator": 201, "isms_manager": 201, "risk_owner": 201, "contributor": 403, "auditor": 403},
    ),
    "POST adopt regulation": (
        lambda c, w: c.post(f"{API}/regulations/suggestions/nis2/adopt"),
        {"administrator": 201, "isms_manager": 201, "risk_owner": 201, "contributor": 201, "auditor": 403},
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("call", list(CALLS))
def test_permission_matrix(call: str, role: str) -> None:
    world = _world()
    action, expected = CALLS[call]
    before = _counts()
    response = action(token_client(make_user(role)), world)
    assert response.status_code == expected[role], (call, role, response.content[:300])
    if expected[role] == 403:
        assert "message" in response.json()
        assert _counts() == before
    elif call.startswith(("POST", "PATCH", "DELETE")):
        assert _counts() != before


def test_contributor_may_change_own_evidence() -> None:
    sofia = make_user("contributor")
    client = token_client(sofia)
    item = client.post(
        f"{API}/evidence", {"title": "mine", "evidence_date": _today(), "url": "https://m.example"}
    ).json()
    assert item["owner"] == sofia.username
    patched = client.patch(
        f"{API}/evidence/{item['id']}", {"title": "changed"}, content_type="application/json"
    )
    assert patched.status_code == 200
    assert patched.json()["title"] == "changed"


def test_anonymous_is_refused() -> None:
    from django.test import Client

    assert Client().get(f"{API}/status").status_code == 401


def test_openapi_documents_the_compliance_endpoints() -> None:
    schema = token_client(make_user("auditor")).get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    upload = paths[f"{API}/evidence"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert {"title", "evidence_date", "file"} <= set(upload.get("properties", {})) | {
        name for part in upload.get("allOf", []) for name in part.get("properties", {})
    }
    for path in ("/status", "/gaps", "/crosswalk/{framework}", "/exposure", "/regulations/suggestions"):
        assert "get" in paths[f"{API}{path}"]
