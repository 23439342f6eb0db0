"""Context API: PESTEL issues and templates, interested parties, scope versions; a role-by-endpoint matrix."""

from __future__ import annotations

import json

import pytest

from aisms.apps.context import services
from aisms.apps.context.models import InterestedParty, IsmsScope, PartyRequirement, PestelIssue, ScopeVersion
from aisms.apps.risks import services as risk_services
from tests.factories import make_user, token_client

pytestmark = pytest.mark.django_db

ROLES = ["administrator", "isms_manager", "risk_owner", "contributor", "auditor"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def _put(client, url, body):
    return client.put(url, data=json.dumps(body), content_type="application/json")


def _state():
    return (
        list(PestelIssue.objects.order_by("pk").values()),
        list(PestelIssue.risks.through.objects.order_by("pk").values()),
        list(InterestedParty.objects.order_by("pk").values()),
        list(PartyRequirement.objects.order_by("pk").values()),
        list(IsmsScope.objects.order_by("pk").values()),
        list(ScopeVersion.objects.order_by("pk").values()),
        PestelIssue.history.count(),
    )


def _risk(actor):
    return risk_services.create_risk(
        actor,
        title="TalentLens bias",
        custom_threat="bias",
        scores=risk_services.Scores((3, 3), (3, 3), (2, 2)),
    )


def test_pestel_crud_adopt_link_and_review() -> None:
    manager = make_user("isms_manager", username="amira")
    risk = _risk(manager)
    client = token_client(manager)
    templates = client.get("/api/v1/context/pestel/templates")
    assert templates.status_code == 200
    assert len(templates.json()) == 14
    adopted = _post(client, "/api/v1/context/pestel/adopt", {"template": "eu-ai-act-obligations"})
    assert adopted.status_code == 201, adopted.content
    issue = adopted.json()
    assert (issue["category"], issue["template_id"], issue["owner"], issue["risks"]) == (
        "legal",
        "eu-ai-act-obligations",
        "amira",
        [],
    )
    linked = _post(client, f"/api/v1/context/pestel/{issue['id']}/risks", {"risks": [risk.ref]})
    assert linked.status_code == 200
    assert linked.json()["risks"] == [risk.ref]
    unknown = _post(client, f"/api/v1/context/pestel/{issue['id']}/risks", {"risks": ["R-999"]})
    assert (unknown.status_code, unknown.json()["message"]) == (422, "risks: no risk R-999")
    reviewed = _post(client, f"/api/v1/context/pestel/{issue['id']}/review", {"next_review": "2099-01-01"})
    assert reviewed.status_code == 200
    assert (reviewed.json()["reviewed_by"], reviewed.json()["review_date"]) == ("amira", "2099-01-01")
    created = _post(
        client,
        "/api/v1/context/pestel",
        {"category": "environmental", "title": "Heat waves", "trend": "rising", "review_date": "2000-01-01"},
    )
    assert created.status_code == 201
    assert created.json()["review_overdue"] is True
    put = _put(
        client,
        f"/api/v1/context/pestel/{created.json()['id']}",
        {
            "category": "environmental",
            "title": "Heat waves and floods",
            "origin": "external",
            "risks": [risk.ref],
        },
    )
    assert (put.status_code, put.json()["title"], put.json()["risks"]) == (
        200,
        "Heat waves and floods",
        [risk.ref],
    )
    listing = client.get("/api/v1/context/pestel?category=legal")
    assert (listing.json()["count"], listing.json()["items"][0]["id"]) == (1, issue["id"])
    due = client.get("/api/v1/context/pestel/due")
    assert [row["title"] for row in due.json()] == ["Heat waves and floods"]  # the put cleared its date
    assert client.delete(f"/api/v1/context/pestel/{created.json()['id']}").status_code == 204
    assert client.get(f"/api/v1/context/pestel/{created.json()['id']}").status_code == 404


def test_parties_and_requirements() -> None:
    client = token_client(make_user("isms_manager"))
    party = _post(client, "/api/v1/context/parties", {"name": "HPRA", "kind": "regulator"})
    assert party.status_code == 201
    pid = party.json()["id"]
    req = _post(client, f"/api/v1/context/parties/{pid}/requirements", {"requirement": "Vigilance reports"})
    assert req.status_code == 201
    missing_how = _put(
        client,
        f"/api/v1/context/parties/{pid}/requirements/{req.json()['id']}",
        {"requirement": "Vigilance reports", "addressed": True},
    )
    assert (missing_how.status_code, missing_how.json()["message"]) == (
        422,
        "how_addressed: say how the ISMS addresses it",
    )
    done = _put(
        client,
        f"/api/v1/context/parties/{pid}/requirements/{req.json()['id']}",
        {"requirement": "Vigilance reports", "addressed": True, "how_addressed": "Incident procedure"},
    )
    assert done.status_code == 200
    got = client.get(f"/api/v1/context/parties/{pid}").json()
    assert got["requirements"] == [
        {
            "id": req.json()["id"],
            "requirement": "Vigilance reports",
            "addressed": True,
            "how_addressed": "Incident procedure",
        }
    ]
    assert client.get("/api/v1/context/parties").json()["count"] == 1


def test_scope_update_approve_versions_compare() -> None:
    client = token_client(make_user("isms_manager"))
    draft = _put(
        client,
        "/api/v1/context/scope",
        {
            "statement": "Triage platform.",
            "in_scope": [{"item": "Triage", "reason": "core"}],
            "interfaces": "Nimbus",
        },
    )
    assert draft.status_code == 200
    assert draft.json()["in_scope"] == [{"item": "Triage", "reason": "core"}]
    v1 = _post(client, "/api/v1/context/scope/approve", {"notes": "first"})
    assert (v1.status_code, v1.json()["version"]) == (201, 1)
    _put(
        client, "/api/v1/context/scope", {"statement": "Triage and claims platforms.", "interfaces": "Nimbus"}
    )
    assert _post(client, "/api/v1/context/scope/approve", {}).json()["version"] == 2
    assert [v["version"] for v in client.get("/api/v1/context/scope/versions").json()] == [2, 1]
    compared = client.get("/api/v1/context/scope/compare?old=1&new=2").json()
    assert compared == [
        {
            "section": "statement",
            "kind": "changed",
            "old": "Triage platform.",
            "new": "Triage and claims platforms.",
        },
        {"section": "in_scope", "kind": "removed", "old": "Triage: core", "new": None},
    ]
    assert client.get("/api/v1/context/scope/compare?old=9").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(role: str) -> None:
    manager = make_user("isms_manager")
    issue = services.create_issue(manager, category="legal", title="NIS2")
    party = services.create_party(manager, name="Clinics", kind="customer")
    services.update_scope(manager, statement="Everything.")
    client = token_client(make_user(role))
    writer = role != "auditor"
    manages = role in ("administrator", "isms_manager")
    edits_others = role in ("administrator", "isms_manager", "risk_owner")
    # Reads: every role
    for url in (
        "/api/v1/context/pestel",
        f"/api/v1/context/pestel/{issue.pk}",
        "/api/v1/context/parties",
        "/api/v1/context/scope",
        "/api/v1/context/scope/versions",
        "/api/v1/context/pestel/templates",
    ):
        assert client.get(url).status_code == 200, url
    # Writes on someone else's items and the scope approval: denied writes change nothing
    attempts = [
        (
            lambda: _put(client, f"/api/v1/context/pestel/{issue.pk}", {"category": "legal", "title": "X"}),
            edits_others,
        ),
        (lambda: _post(client, f"/api/v1/context/pestel/{issue.pk}/review", {}), edits_others),
        (
            lambda: _post(client, f"/api/v1/context/parties/{party.pk}/requirements", {"requirement": "r"}),
            edits_others,
        ),
        (lambda: client.delete(f"/api/v1/context/parties/{party.pk}"), manages),
        (lambda: _post(client, "/api/v1/context/scope/approve", {}), manages),
        (lambda: _put(client, "/api/v1/context/scope", {"statement": "Changed."}), writer),
        (lambda: _post(client, "/api/v1/context/pestel/adopt", {"template": "nis2-directive"}), writer),
    ]
    for attempt, allowed in attempts:
        before = _state()
        response = attempt()
        if allowed:
            assert response.status_code in (200, 201, 204), response.content
        else:
            assert response.status_code == 403, response.content
            assert _state() == before


def test_unauthenticated_requests_are_refused() -> None:
    from django.test import Client

    assert Client().get("/api/v1/context/pestel").status_code == 401
    assert _post(Client(), "/api/v1/context/pestel/adopt", {"template": "nis2-directive"}).status_code == 401
    assert PestelIssue.objects.count() == 0
