"""Audits API: a role x endpoint matrix (allowed calls succeed and take effect; denied calls answer 403
with a JSON message and change nothing) and a walk through the audit-to-closed-NC journey by API alone.

Auditors are read-only in the global policy but do audit work here: they plan audits, record checklist
results and findings on the audits they are on, and raise nonconformities. Closing and judging
effectiveness need APPROVE. The matrix's users are on no audit team; the team's own rights are tested
below."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from aisms.apps.audits import services
from aisms.apps.audits.models import (
    Audit,
    AuditProgramme,
    ChecklistItem,
    CorrectiveAction,
    EffectivenessReview,
    Finding,
    ManagementReview,
    Nonconformity,
    ReviewDecision,
)
from aisms.domain.access import Role
from tests.factories import make_user, token_client

pytestmark = pytest.mark.django_db
API = "/api/v1"
ROLES = [r.value for r in Role]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _row(admin: int, isms: int, risk: int, contrib: int, auditor: int) -> dict[str, int]:
    return dict(zip(ROLES, (admin, isms, risk, contrib, auditor), strict=True))


@dataclass
class World:
    programme: AuditProgramme
    planned: Audit
    running: Audit
    item: ChecklistItem
    finding: Finding
    ready_nc: Nonconformity  # actions done, effective review: may close
    done_nc: Nonconformity  # actions done, no review yet
    action: CorrectiveAction
    review: ManagementReview
    decision: ReviewDecision


def _world() -> World:
    other = make_user("isms_manager", username="someone-else")
    today = timezone.localdate()
    programme = services.create_programme(None, title="P", start_year=today.year, owner=other)
    planned = services.create_audit(
        None, title="Planned", control_uids=["iso27002:2022:5.7"], lead_auditor=other
    )
    running = services.create_audit(
        None, title="Running", control_uids=["iso27002:2022:5.21", "iso27002:2022:8.28"], lead_auditor=other
    )
    services.transition_audit(None, running, "in-progress")
    item = running.checklist.get(uid="iso27002:2022:5.21")
    finding = services.add_finding(None, running, kind="nc", severity="minor", text="Gap")
    ncs = []
    for text in ("ready", "done"):
        nc = services.raise_nonconformity(None, description=text, owner=other, source="other")
        services.update_nonconformity(None, nc, root_cause="because")
        action = services.add_corrective_action(None, nc, description="fix", owner=other, due_date=today)
        services.complete_corrective_action(None, action)
        ncs.append(nc)
    services.record_effectiveness_review(None, ncs[0], effective=True)
    review = services.create_review(None, title="MR", date=today, attendees="board")
    review.created_by = other
    review.minutes = "held"
    review.save()
    decision = services.add_decision(None, review, decision="Do it", owner=other, due_date=today)
    return World(programme, planned, running, item, finding, ncs[0], ncs[1], action, review, decision)


def _snapshot() -> dict[str, Any]:
    models = (
        AuditProgramme,
        Audit,
        ChecklistItem,
        Finding,
        Nonconformity,
        CorrectiveAction,
        EffectivenessReview,
        ManagementReview,
        ReviewDecision,
    )
    return {m.__name__: sorted(map(repr, m.objects.values())) for m in models}


# (method, path template, body)
CALLS: dict[str, tuple[str, str, dict[str, Any] | None]] = {
    "GET programmes": ("get", "/audit-programmes", None),
    "POST programmes": ("post", "/audit-programmes", {"title": "New", "start_year": 2026}),
    "PATCH programme": ("patch", "/audit-programmes/{programme}", {"title": "Renamed"}),
    "GET coverage": ("get", "/audit-programmes/{programme}/coverage", None),
    "GET audits": ("get", "/audits", None),
    "POST audits": ("post", "/audits", {"title": "A", "control_uids": ["iso27002:2022:8.28"]}),
    "GET audit": ("get", "/audits/{running}", None),
    "PATCH audit": ("patch", "/audits/{planned}", {"scope": "Everything AI"}),
    "POST audit start": ("post", "/audits/{planned}/transition", {"status": "in-progress"}),
    "PATCH checklist item": (
        "patch",
        "/checklist-items/{item}",
        {"result": "minor-nc", "notes": "No assessment"},
    ),
    "POST finding": ("post", "/audits/{running}/findings", {"kind": "ofi", "text": "Could automate"}),
    "POST raise NC": ("post", "/findings/{finding}/nonconformity", None),
    "GET NCs": ("get", "/nonconformities?status=not-closed", None),
    "POST NC": ("post", "/nonconformities", {"description": "Incident showed a gap", "source": "incident"}),
    "GET NC": ("get", "/nonconformities/{done_nc}", None),
    "PATCH NC": (
        "patch",
        "/nonconformities/{done_nc}",
        {"root_cause": "Five whys", "root_cause_category": "process"},
    ),
    "POST NC close": ("post", "/nonconformities/{ready_nc}/transition", {"status": "closed"}),
    "POST action": ("post", "/nonconformities/{done_nc}/actions", {"description": "Train staff"}),
    "PATCH action": ("patch", "/corrective-actions/{action}", {"evidence_note": "Ticket 42"}),
    "POST action done": ("post", "/corrective-actions/{action}/complete", {"done": False}),
    "POST effectiveness": ("post", "/nonconformities/{done_nc}/effectiveness-reviews", {"effective": True}),
    "GET due": ("get", "/audit-work/due", None),
    "GET reviews": ("get", "/management-reviews", None),
    "POST review": (
        "post",
        "/management-reviews",
        {"title": "MR2", "date": "2026-06-01", "feedback": ["ok"]},
    ),
    "GET pack": ("get", "/management-reviews/{review}/pack", None),
    "POST pack refresh": ("post", "/management-reviews/{review}/pack", None),
    "PATCH review": ("patch", "/management-reviews/{review}", {"minutes": "New minutes"}),
    "POST review held": ("post", "/management-reviews/{review}/transition", {"status": "held"}),
    "POST decision": (
        "post",
        "/management-reviews/{review}/decisions",
        {"decision": "Hire", "kind": "resource"},
    ),
    "PATCH decision": ("patch", "/review-decisions/{decision}", {"status": "done"}),
}

#                                       admin isms risk contrib auditor
EXPECTED: dict[str, dict[str, int]] = {
    "GET programmes":        _row(200, 200, 200, 200, 200),
    "POST programmes":       _row(201, 201, 201, 201, 403),
    "PATCH programme":       _row(200, 200, 200, 403, 403),
    "GET coverage":          _row(200, 200, 200, 200, 200),
    "GET audits":            _row(200, 200, 200, 200, 200),
    "POST audits":           _row(201, 201, 201, 201, 201),
    "GET audit":             _row(200, 200, 200, 200, 200),
    "PATCH audit":           _row(200, 200, 200, 403, 403),
    "POST audit start":      _row(200, 200, 200, 403, 403),
    "PATCH checklist item":  _row(200, 200, 200, 403, 403),
    "POST finding":          _row(201, 201, 201, 403, 403),
    "POST raise NC":         _row(201, 201, 201, 201, 201),
    "GET NCs":               _row(200, 200, 200, 200, 200),
    "POST NC":               _row(201, 201, 201, 201, 201),
    "GET NC":                _row(200, 200, 200, 200, 200),
    "PATCH NC":              _row(200, 200, 200, 403, 403),
    "POST NC close":         _row(200, 200, 403, 403, 403),
    "POST action":           _row(201, 201, 201, 201, 403),
    "PATCH action":          _row(200, 200, 200, 403, 403),
    "POST action done":      _row(200, 200, 200, 403, 403),
    "POST effectiveness":    _row(201, 201, 403, 403, 403),
    "GET due":               _row(200, 200, 200, 200, 200),
    "GET reviews":           _row(200, 200, 200, 200, 200),
    "POST review":           _row(201, 201, 201, 201, 403),
    "GET pack":              _row(200, 200, 200, 200, 200),
    "POST pack refresh":     _row(200, 200, 200, 403, 403),
    "PATCH review":          _row(200, 200, 200, 403, 403),
    "POST review held":      _row(200, 200, 403, 403, 403),
    "POST decision":         _row(201, 201, 201, 201, 403),
    "PATCH decision":        _row(200, 200, 200, 403, 403),
}  # fmt: skip


def _effect(key: str, w: World, body: Any) -> None:
    """What an allowed call must have changed."""
    checks = {
        "POST programmes": lambda: AuditProgramme.objects.filter(title="New").exists(),
        "PATCH programme": lambda: AuditProgramme.objects.get(pk=w.programme.pk).title == "Renamed",
        "POST audits": lambda: Audit.objects.get(title="A").checklist.count() == 1,
        "PATCH audit": lambda: Audit.objects.get(pk=w.planned.pk).scope == "Everything AI",
        "POST audit start": lambda: Audit.objects.get(pk=w.planned.pk).status == "in-progress",
        "PATCH checklist item": lambda: (
            ChecklistItem.objects.get(pk=w.item.pk).result == "minor-nc"
            and w.item.findings.filter(kind="nc").exists()
        ),
        "POST finding": lambda: Finding.objects.filter(kind="ofi", text="Could automate").exists(),
        "POST raise NC": lambda: Nonconformity.objects.filter(finding=w.finding).exists(),
        "POST NC": lambda: Nonconformity.objects.filter(source="incident").exists(),
        "PATCH NC": lambda: Nonconformity.objects.get(pk=w.done_nc.pk).root_cause == "Five whys",
        "POST NC close": lambda: Nonconformity.objects.get(pk=w.ready_nc.pk).status == "closed",
        "POST action": lambda: w.done_nc.actions.filter(description="Train staff").exists(),
        "PATCH action": lambda: CorrectiveAction.objects.get(pk=w.action.pk).evidence_note == "Ticket 42",
        "POST action done": lambda: CorrectiveAction.objects.get(pk=w.action.pk).done_at is None,
        "POST effectiveness": lambda: w.done_nc.reviews.filter(effective=True).exists(),
        "POST review": lambda: ManagementReview.objects.get(title="MR2").inputs["sections"][0]["key"] == "a",
        "PATCH review": lambda: ManagementReview.objects.get(pk=w.review.pk).minutes == "New minutes",
        "POST review held": lambda: ManagementReview.objects.get(pk=w.review.pk).status == "held",
        "POST decision": lambda: w.review.decisions.filter(decision="Hire").exists(),
        "PATCH decision": lambda: ReviewDecision.objects.get(pk=w.decision.pk).status == "done",
        "GET pack": lambda: [s["key"] for s in body["sections"]] == list("abcdefg"),
        "POST pack refresh": lambda: [s["key"] for s in body["sections"]] == list("abcdefg"),
        "GET coverage": lambda: body["years"][0] == w.programme.start_year and body["uncovered"],
        "GET audit": lambda: len(body["checklist"]) == 2 and body["status"] == "in-progress",
        "GET NC": lambda: body["ref"] == w.done_nc.ref and body["actions"][0]["due_state"],
        "GET due": lambda: {d["kind"] for d in body} == {"decision"},  # the actions are done
    }
    check = checks.get(key)
    if check is not None:
        assert check(), f"{key} did not take effect: {body}"


def test_the_matrix_covers_every_endpoint_and_role() -> None:
    assert set(EXPECTED) == set(CALLS)
    assert all(set(row) == set(ROLES) for row in EXPECTED.values())


class _RollbackError(Exception):
    """Undo one call's effects so that every call starts from the same world."""


def _call(client: Any, key: str, world: World) -> tuple[int, Any, dict[str, Any]]:
    method, template, body = CALLS[key]
    ids = {name: getattr(world, name).pk for name in World.__dataclass_fields__}
    kwargs: dict[str, Any] = {"content_type": "application/json", "data": body if body is not None else {}}
    if method == "get":
        kwargs = {}
    before = _snapshot()
    response = getattr(client, method)(API + template.format(**ids), **kwargs)
    return response.status_code, response.json(), before


@pytest.mark.parametrize("role", ROLES)
def test_role_endpoint_matrix(role: str) -> None:
    """Each endpoint from the same world (rolled back after each call), as this role."""
    world = _world()
    client = token_client(make_user(role))
    problems = []
    for key in CALLS:
        expected = EXPECTED[key][role]
        try:
            with transaction.atomic():
                status, payload, before = _call(client, key, world)
                if status != expected:
                    problems.append(f"{key}: {status} (expected {expected}): {payload}")
                elif expected == 403:
                    if not payload.get("message") or _snapshot() != before:
                        problems.append(f"{key}: a denied call changed something or gave no message")
                else:
                    body = payload.get("items", payload) if isinstance(payload, dict) else payload
                    try:
                        _effect(key, world, body)
                    except AssertionError as exc:
                        problems.append(str(exc))
                raise _RollbackError
        except _RollbackError:
            pass
    assert problems == []


TEAM_WORK = ("PATCH audit", "POST audit start", "PATCH checklist item", "POST finding")


@pytest.mark.parametrize("role", ["auditor", "contributor"])
def test_auditors_and_contributors_do_audit_work_only_on_audits_they_are_on(role: str) -> None:
    world = _world()
    user = make_user(role)
    world.planned.auditors.add(user)
    world.running.auditors.add(user)
    client = token_client(user)
    for key in TEAM_WORK:
        with transaction.atomic():
            status, payload, _ = _call(client, key, world)
            assert status in (200, 201), f"{key}: {status} {payload}"
            _effect(key, world, payload)
            transaction.set_rollback(True)
    world.planned.auditors.remove(user)
    status, payload, _ = _call(client, "PATCH audit", world)
    assert status == 403
    assert "audit work" in payload["message"]


def test_an_auditor_who_plans_an_audit_leads_it_and_may_run_it() -> None:
    auditor = make_user("auditor")
    client = token_client(auditor)
    body = {"title": "Mine", "control_uids": ["iso27002:2022:5.7"]}
    created = client.post(f"{API}/audits", body, content_type="application/json")
    assert created.status_code == 201, created.json()
    audit = Audit.objects.get(title="Mine")
    assert audit.lead_auditor_id == auditor.pk
    started = client.post(
        f"{API}/audits/{audit.pk}/transition", {"status": "in-progress"}, content_type="application/json"
    )
    assert started.status_code == 200, started.json()


def test_an_invalid_transition_answers_422_with_the_reason_and_changes_nothing() -> None:
    world = _world()
    client = token_client(make_user("isms_manager"))
    before = _snapshot()
    response = client.post(
        f"{API}/nonconformities/{world.done_nc.pk}/transition",
        {"status": "closed"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "no effectiveness review" in response.json()["message"]
    assert _snapshot() == before


def test_run_an_audit_raise_a_nonconformity_and_close_it_through_the_api_alone() -> None:
    auditor = make_user("auditor", username="tom-api")
    manager = make_user("isms_manager", username="amira-api")
    tom, amira = token_client(auditor), token_client(manager)
    j = "application/json"
    audit = tom.post(
        f"{API}/audits",
        {"title": "AI", "clause_uids": ["iso27001:2022:8.2"], "lead_auditor": "tom-api"},
        content_type=j,
    ).json()
    assert [i["uid"] for i in audit["checklist"]] == ["iso27001:2022:8.2"]
    assert (
        tom.post(
            f"{API}/audits/{audit['id']}/transition", {"status": "in-progress"}, content_type=j
        ).status_code
        == 200
    )
    item = audit["checklist"][0]["id"]
    assert (
        tom.patch(
            f"{API}/checklist-items/{item}", {"result": "major-nc", "notes": "Not repeated"}, content_type=j
        ).json()["result"]
        == "major-nc"
    )
    finding = tom.get(f"{API}/audits/{audit['id']}").json()["findings"][0]
    nc = tom.post(f"{API}/findings/{finding['id']}/nonconformity", content_type=j).json()
    assert (nc["severity"], nc["status"], nc["clause_uid"], nc["audit"]) == (
        "major",
        "open",
        "iso27001:2022:8.2",
        audit["ref"],
    )
    due = str(timezone.localdate() + timedelta(days=14))
    amira.patch(
        f"{API}/nonconformities/{nc['id']}",
        {"root_cause": "No trigger", "owner": "amira-api"},
        content_type=j,
    )
    action = amira.post(
        f"{API}/nonconformities/{nc['id']}/actions",
        {"description": "Add trigger", "due_date": due},
        content_type=j,
    ).json()
    assert amira.get(f"{API}/nonconformities/{nc['id']}").json()["status"] == "action-planned"
    amira.post(
        f"{API}/corrective-actions/{action['id']}/complete", {"evidence_note": "Runbook v2"}, content_type=j
    )
    review = amira.post(
        f"{API}/nonconformities/{nc['id']}/effectiveness-reviews", {"effective": True}, content_type=j
    )
    assert review.status_code == 201
    closed = amira.post(
        f"{API}/nonconformities/{nc['id']}/transition", {"status": "closed"}, content_type=j
    ).json()
    assert (closed["status"], closed["close_problems"]) == ("closed", [])
    listed = amira.get(f"{API}/nonconformities?status=closed").json()
    assert [n["ref"] for n in listed["items"]] == [nc["ref"]]
