"""Supplier API: CRUD of the register and its parts, clauses, templates, sending (the link returned once),
scoring, findings, raise-as-risk, overview; and a role x endpoint matrix where denied calls change nothing.
The supplier portal is not in the API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from aisms.apps.risks.models import Risk
from aisms.apps.suppliers import assessments, services
from aisms.apps.suppliers.models import (
    Assessment,
    Certification,
    ContractClause,
    Finding,
    QuestionnaireTemplate,
    ReviewPolicy,
    Supplier,
    TemplateVersion,
)
from tests.factories import make_user, token_client

pytestmark = pytest.mark.django_db

BAD_TEMPLATE = (
    "key: x\ntitle: X\nsections:\n  - id: s\n    title: S\n    questions:\n"
    "      - {id: q, text: Q, type: nope}\n"
)
ROLES = ["administrator", "isms_manager", "risk_owner", "contributor", "auditor"]
WRITERS = {"administrator", "isms_manager", "risk_owner", "contributor"}
# a contributor edits (scores, cancels, triages) only what belongs to suppliers they own
SUPPLIER_OWNER_EDITORS = {"administrator", "isms_manager", "risk_owner"}
MANAGERS = {"administrator", "isms_manager"}
EVERYONE = set(ROLES)


@pytest.fixture(autouse=True)
def _fast(settings: Any, tmp_path: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cache.clear()


def _send(client: Client, method: str, url: str, body: Any = None) -> Any:
    if method == "get":
        return client.get(url)
    if method == "delete":
        return client.delete(url)
    call = {"post": client.post, "patch": client.patch, "put": client.put}[method]
    return call(url, data=json.dumps(body if body is not None else {}), content_type="application/json")


def test_register_flow_through_the_api(
    mailoutbox: Any, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.AISMS_BASE_URL = "https://isms.example.org/"  # the link must not follow the request's Host
    client = token_client(make_user("isms_manager"))
    created = _send(
        client,
        "post",
        "/api/v1/suppliers/suppliers",
        {
            "name": "Sonara Health",
            "tier": 1,
            "uses_ai_on_our_data": True,
            "trains_on_our_data": "unknown",
            "model_providers": ["Hosted LLM"],
            "contact_email": "sec@sonara.example",
        },
    )
    assert created.status_code == 201, created.content
    sid = created.json()["id"]
    assert created.json()["next_review_due"] == str(timezone.localdate())
    assert (
        _send(
            client,
            "post",
            f"/api/v1/suppliers/suppliers/{sid}/certifications",
            {"kind": "iso27001", "expires_on": "2030-01-01"},
        ).status_code
        == 201
    )
    assert (
        _send(
            client,
            "post",
            f"/api/v1/suppliers/suppliers/{sid}/data",
            {"category": "Consultation audio", "classification": "restricted", "personal_data": True},
        ).status_code
        == 201
    )
    sub = _send(
        client,
        "post",
        f"/api/v1/suppliers/suppliers/{sid}/subprocessors",
        {"name": "LLM Co", "uses_ai": True},
    )
    assert (
        _send(
            client,
            "patch",
            f"/api/v1/suppliers/suppliers/{sid}/subprocessors/{sub.json()['id']}",
            {"location": "EU"},
        ).json()["location"]
        == "EU"
    )
    checklist = _send(
        client,
        "put",
        f"/api/v1/suppliers/suppliers/{sid}/clauses/no_training_without_consent",
        {"status": "missing"},
    )
    assert checklist.status_code == 200
    gaps = {g["key"]: g for g in checklist.json()["gaps"]}
    assert gaps["no_training_without_consent"]["ai"] is True
    assert gaps["no_training_without_consent"]["reason"] == "missing from the contract"
    assert (
        _send(
            client, "put", f"/api/v1/suppliers/suppliers/{sid}/clauses/bogus", {"status": "missing"}
        ).status_code
        == 422
    )
    detail = _send(client, "get", f"/api/v1/suppliers/suppliers/{sid}").json()
    assert [c["kind"] for c in detail["certifications"]] == ["iso27001"]
    assert [
        s["name"] for s in _send(client, "get", "/api/v1/suppliers/suppliers?uses_ai=true").json()["items"]
    ] == ["Sonara Health"]

    adopted = _send(client, "post", "/api/v1/suppliers/templates/adopt-starter")
    assert sorted(v["key"] for v in adopted.json()) == ["ai_usage_governance", "information_security"]
    version = next(v for v in adopted.json() if v["key"] == "ai_usage_governance")
    with django_capture_on_commit_callbacks(execute=True):
        sent = _send(
            client,
            "post",
            f"/api/v1/suppliers/suppliers/{sid}/assessments",
            {
                "template_version": version["id"],
                "contact_name": "Pieter",
                "contact_email": "p@sonara.example",
                "link_days": 7,
            },
        )
    assert sent.status_code == 201, sent.content
    link = sent.json()["link"]
    assert link.startswith("https://isms.example.org/supplier-portal/")
    assert link in mailoutbox[0].body
    aid = sent.json()["assessment"]["id"]
    assert "link" not in _send(client, "get", f"/api/v1/suppliers/assessments/{aid}").json()

    # The supplier answers through the link (not the API).
    portal = Client()
    path = link.removeprefix("https://isms.example.org")
    portal.get(path)
    answered = portal.post(
        path,
        {
            "action": "submit",
            "q_uses_ai_on_our_data": "yes",
            "q_ai_features": "notes",
            "q_ai_optional": "yes",
            "q_trains_on_our_data": "opt_out",
            "q_training_shared_models": "no",
            "q_training_deletion": "retrain",
            "q_model_providers": ["own_models"],
            "q_model_providers_named": "own",
            "q_ai_processing_location": "eea",
            "q_model_change_notice": "advance_notice",
            "q_human_oversight": "always",
            "q_model_evaluation": "yes",
            "q_ai_incidents": "24",
            "q_ai_policy": "yes",
            "q_ai_certification": ["iso42001"],
            "q_eu_ai_act_role": "deployer",
        },
    )
    assert answered.status_code == 200, answered.content.decode()[:2000]
    got = _send(client, "get", f"/api/v1/suppliers/assessments/{aid}").json()
    assert got["status"] == "submitted"
    assert {a["question_id"] for a in got["answers"]} >= {"uses_ai_on_our_data", "trains_on_our_data"}
    assert [f["id"] for f in got["score_details"]["flags"]] == ["trains_without_consent"]
    scored = _send(
        client,
        "post",
        f"/api/v1/suppliers/assessments/{aid}/score",
        {"rating": "conditions", "comments": "ok"},
    )
    assert scored.json()["status"] == "scored"
    assert scored.json()["score"] == got["score"]

    finding = _send(
        client,
        "post",
        "/api/v1/suppliers/findings",
        {
            "supplier": sid,
            "assessment": aid,
            "question_id": "trains_on_our_data",
            "title": "Trains on our data unless we opt out",
            "severity": "critical",
        },
    )
    assert finding.status_code == 201
    risk = _send(client, "post", f"/api/v1/suppliers/findings/{finding.json()['id']}/raise-risk", {})
    assert risk.status_code == 201, risk.content
    assert risk.json()["threat"] == "atlas:AML.T0010"
    assert (
        _send(client, "get", f"/api/v1/suppliers/findings?supplier={sid}").json()["items"][0]["risk"]
        == risk.json()["ref"]
    )
    assert (
        _send(client, "post", f"/api/v1/suppliers/findings/{finding.json()['id']}/raise-risk", {}).status_code
        == 422
    )
    overview = _send(client, "get", "/api/v1/suppliers/overview").json()
    assert overview["ai_using"] == 1
    assert overview["ai_training"] == 0
    assert overview["tier_scores"] == [{"name": "Sonara Health", "tier": 1, "score": got["score"]}]
    assert (
        _send(
            client,
            "put",
            "/api/v1/suppliers/review-policy",
            {"tier1_months": 3, "tier2_months": 12, "tier3_months": 24, "reminder_days": 14},
        ).json()["tier1_months"]
        == 3
    )
    bad = _send(
        client,
        "post",
        "/api/v1/suppliers/templates",
        {"definition": BAD_TEMPLATE},
    )
    assert bad.status_code == 422
    assert "line 7" in bad.json()["message"]
    assert _send(client, "delete", f"/api/v1/suppliers/suppliers/{sid}").status_code == 204


def test_the_portal_is_not_part_of_the_api() -> None:
    from aisms.apps.suppliers.api import router

    paths = list(router.path_operations)
    assert not [p for p in paths if "portal" in p or "token" in p]
    assert "/findings/{int:finding_id}/raise-risk" in paths


@pytest.fixture
def world() -> dict[str, int]:
    owner = make_user("isms_manager")
    supplier = services.create_supplier(None, name="Existing", tier=2, uses_ai_on_our_data=True, owner=owner)
    cert = services.add_child(None, supplier, "certifications", kind="soc2_type2")
    assessments.adopt_starter_templates(None)
    version = QuestionnaireTemplate.objects.get(key="information_security").latest
    QuestionnaireTemplate.objects.filter(key="ai_usage_governance").delete()  # left for adopt-starter to add
    sent = assessments.send_assessment(
        None,
        supplier,
        version,
        contact_name="C",
        contact_email="c@x.example",
        base_url="http://x",
        email=False,
    )
    assessments.save_answers(sent.assessment, {"mfa": "no"}, {}, submit=False, now=timezone.now())
    Assessment.objects.filter(pk=sent.assessment.pk).update(status="submitted", submitted_at=timezone.now())
    finding = assessments.raise_finding(
        None, supplier, title="No MFA", severity="high", assessment=sent.assessment
    )
    return {
        "s": supplier.pk,
        "c": cert.pk,
        "a": sent.assessment.pk,
        "f": finding.pk,
        "t": version.template_id,
        "v": version.pk,
    }


MATRIX = [
    ("get", "/api/v1/suppliers/suppliers", None, EVERYONE),
    ("get", "/api/v1/suppliers/suppliers/{s}", None, EVERYONE),
    ("get", "/api/v1/suppliers/suppliers/{s}/clauses", None, EVERYONE),
    ("get", "/api/v1/suppliers/overview", None, EVERYONE),
    ("get", "/api/v1/suppliers/assessments/{a}", None, EVERYONE),
    ("get", "/api/v1/suppliers/findings", None, EVERYONE),
    ("get", "/api/v1/suppliers/templates", None, EVERYONE),
    ("get", "/api/v1/suppliers/review-policy", None, EVERYONE),
    ("post", "/api/v1/suppliers/suppliers", {"name": "New one"}, WRITERS),
    (
        "patch",
        "/api/v1/suppliers/suppliers/{s}",
        {"tier": 1},
        {"administrator", "isms_manager", "risk_owner"},
    ),
    ("delete", "/api/v1/suppliers/suppliers/{s}", None, MANAGERS),
    (
        "post",
        "/api/v1/suppliers/suppliers/{s}/certifications",
        {"kind": "iso27001"},
        {"administrator", "isms_manager", "risk_owner"},
    ),
    (
        "delete",
        "/api/v1/suppliers/suppliers/{s}/certifications/{c}",
        None,
        {"administrator", "isms_manager", "risk_owner"},
    ),
    (
        "put",
        "/api/v1/suppliers/suppliers/{s}/clauses/right_to_audit",
        {"status": "present"},
        {"administrator", "isms_manager", "risk_owner"},
    ),
    ("post", "/api/v1/suppliers/suppliers/{s}/reviewed", {}, {"administrator", "isms_manager", "risk_owner"}),
    (
        "post",
        "/api/v1/suppliers/suppliers/{s}/assessments",
        {"template_version": "{v}", "contact_name": "C", "contact_email": "c@x.example"},
        WRITERS,
    ),
    ("post", "/api/v1/suppliers/assessments/{a}/score", {"rating": "acceptable"}, SUPPLIER_OWNER_EDITORS),
    ("post", "/api/v1/suppliers/assessments/{a}/cancel", {}, SUPPLIER_OWNER_EDITORS),
    ("post", "/api/v1/suppliers/findings", {"supplier": "{s}", "title": "Another"}, WRITERS),
    ("patch", "/api/v1/suppliers/findings/{f}", {"status": "resolved"}, SUPPLIER_OWNER_EDITORS),
    ("post", "/api/v1/suppliers/findings/{f}/raise-risk", {}, WRITERS),
    ("post", "/api/v1/suppliers/templates/adopt-starter", {}, MANAGERS),
    ("post", "/api/v1/suppliers/templates/{t}/versions", {"definition": "{def}", "notes": "edit"}, MANAGERS),
    (
        "put",
        "/api/v1/suppliers/review-policy",
        {"tier1_months": 4, "tier2_months": 12, "tier3_months": 24, "reminder_days": 30},
        MANAGERS,
    ),
]


def _state() -> tuple[Any, ...]:
    return tuple(
        list(model.objects.order_by("pk").values())
        for model in (
            Supplier,
            Certification,
            ContractClause,
            Assessment,
            Finding,
            TemplateVersion,
            ReviewPolicy,
            Risk,
        )
    )


def _fill(value: Any, ids: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
        return ids[value[1:-1]]
    return value


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "url", "body", "allowed"), MATRIX)
def test_role_by_endpoint_matrix(
    world: dict[str, int], role: str, method: str, url: str, body: Any, allowed: set[str]
) -> None:
    ids: dict[str, Any] = dict(world)
    ids["def"] = TemplateVersion.objects.get(pk=world["v"]).definition
    client = token_client(make_user(role))
    before = _state()
    response = _send(client, method, url.format(**world), _fill(body, ids))
    if role in allowed:
        assert response.status_code in (200, 201, 204), response.content
        if method != "get":
            assert _state() != before
    else:
        assert response.status_code == 403, response.content
        assert "message" in response.json()
        assert _state() == before


def test_unauthenticated_calls_are_refused() -> None:
    assert Client().get("/api/v1/suppliers/suppliers").status_code == 401
