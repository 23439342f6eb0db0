"""Audit services end to end on a real database: planning an audit generates its checklist, results record
findings, a nonconformity goes through its lifecycle (including an ineffective review), permissions hold,
the management review pack comes from live data and its snapshot is reproducible, reminders notify once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from aisms.apps.accounts.models import Notification
from aisms.apps.audits import selectors, services
from aisms.apps.audits.models import (
    Audit,
    ChecklistResult,
    CorrectiveAction,
    Finding,
    ManagementReview,
    Nonconformity,
)
from aisms.apps.audits.reminders import send_due_reminders
from aisms.apps.context.models import InterestedParty, PartyRequirement, PestelIssue
from aisms.apps.jobs.models import Schedule
from aisms.apps.jobs.services import submit
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people():
    return {
        "manager": make_user("isms_manager", email="m@x.example"),
        "owner": make_user("risk_owner", email="o@x.example"),
        "contributor": make_user("contributor", email="c@x.example"),
        "auditor": make_user("auditor", email="a@x.example"),
    }


def _audit(actor, **extra):
    values = {
        "title": "AI supply chain",
        "clause_uids": ["iso27001:2022:6.1"],
        "control_uids": ["iso27002:2022:5.21", "iso27002:2022:8.28"],
        "lead_auditor": actor,
        "planned_start": timezone.localdate(),
    }
    values.update(extra)
    return services.create_audit(actor, **values)


def test_planning_an_audit_generates_its_checklist_and_a_ref(people) -> None:
    audit = _audit(people["auditor"])
    assert audit.ref == f"AUD-{timezone.localdate().year}-01"
    items = list(audit.checklist.order_by("position"))
    assert [i.uid for i in items] == [
        "iso27001:2022:6.1.1",
        "iso27001:2022:6.1.2",
        "iso27001:2022:6.1.3",
        "iso27002:2022:5.21",
        "iso27002:2022:8.28",
    ]
    assert items[3].question.startswith(
        "Is managing information security in the information and communication technology (ICT) supply"
    )
    assert all(i.result == ChecklistResult.NOT_CHECKED for i in items)
    assert _audit(people["auditor"]).ref.endswith("-02")


def test_rescoping_keeps_checked_items_and_drops_unchecked_ones(people) -> None:
    auditor = people["auditor"]
    audit = _audit(auditor)
    services.transition_audit(auditor, audit, "in-progress")
    checked = audit.checklist.get(uid="iso27002:2022:5.21")
    services.record_result(auditor, checked, result="conforming")
    services.update_audit(auditor, audit, clause_uids=["iso27001:2022:9.2"], control_uids=[])
    assert sorted(audit.checklist.values_list("uid", flat=True)) == [
        "iso27001:2022:9.2.1",
        "iso27001:2022:9.2.2",
        "iso27002:2022:5.21",
    ]


def test_unknown_scope_is_refused_and_nothing_is_created(people) -> None:
    with pytest.raises(ValidationError, match="unknown control"):
        _audit(people["auditor"], control_uids=["iso27002:2022:9.99"])
    with pytest.raises(ValidationError, match="not a iso27001:2022 uid"):
        _audit(people["auditor"], clause_uids=["iso27002:2022:5.7"])
    assert not Audit.objects.exists()


def test_results_need_a_running_audit_and_a_nonconforming_result_records_a_finding_once(people) -> None:
    auditor = people["auditor"]
    audit = _audit(auditor)
    item = audit.checklist.get(uid="iso27002:2022:5.21")
    with pytest.raises(ValidationError, match="start the audit"):
        services.record_result(auditor, item, result="minor-nc")
    services.transition_audit(auditor, audit, "in-progress")
    audit.refresh_from_db()
    assert audit.actual_start == timezone.localdate()
    _, finding = services.record_result(auditor, item, result="minor-nc", notes="Provider not assessed")
    assert finding is not None
    assert (finding.kind, finding.severity, finding.uid, finding.text) == (
        "nc",
        "minor",
        "iso27002:2022:5.21",
        "Provider not assessed",
    )
    _, again = services.record_result(auditor, item, result="major-nc", notes="Provider not assessed")
    assert again is not None
    assert again.pk == finding.pk
    assert Finding.objects.get(pk=finding.pk).severity == "major"


def test_the_full_nonconformity_lifecycle_with_an_ineffective_review(people) -> None:
    auditor, manager, owner = people["auditor"], people["manager"], people["owner"]
    audit = _audit(auditor)
    services.transition_audit(auditor, audit, "in-progress")
    _, finding = services.record_result(
        auditor, audit.checklist.get(uid="iso27002:2022:5.21"), result="minor-nc", notes="No assessment"
    )
    nc = services.raise_from_finding(auditor, finding)
    assert (nc.ref, nc.status, nc.severity, nc.control_uid, nc.source) == (
        "NC-0001",
        "open",
        "minor",
        "iso27002:2022:5.21",
        "audit",
    )
    with pytest.raises(ValidationError, match="already raised"):
        services.raise_from_finding(auditor, Finding.objects.get(pk=finding.pk))

    # an action without a root cause keeps it open
    first = services.add_corrective_action(manager, nc, description="Assess the provider", owner=owner)
    nc.refresh_from_db()
    assert nc.status == "open"
    services.update_nonconformity(manager, nc, owner=owner, root_cause="Card payments skip procurement")
    services.transition_nonconformity(manager, nc, "action-planned")
    nc.refresh_from_db()
    assert nc.status == "action-planned"

    with pytest.raises(ValidationError, match="complete every corrective action"):
        services.record_effectiveness_review(manager, nc, effective=True)
    services.complete_corrective_action(owner, first, evidence_note="Assessment SUP-9")
    with pytest.raises(ValidationError, match="no effectiveness review"):
        services.transition_nonconformity(manager, nc, "closed")

    # not effective: reopened, and needs a new action
    services.record_effectiveness_review(
        owner, nc, effective=False, notes="Another card purchase slipped through"
    )
    nc.refresh_from_db()
    assert nc.status == "open"
    with pytest.raises(ValidationError, match="add a corrective action"):
        services.transition_nonconformity(manager, nc, "action-planned")
    second = services.add_corrective_action(manager, nc, description="Finance flags AI vendors", owner=owner)
    nc.refresh_from_db()
    assert nc.status == "action-planned"  # root cause known: planned straight away
    services.complete_corrective_action(owner, second)
    services.record_effectiveness_review(owner, nc, effective=True, notes="Two new vendors assessed first")
    services.transition_nonconformity(owner, nc, "closed")
    nc.refresh_from_db()
    assert (nc.status, nc.closed_by) == ("closed", owner)
    with pytest.raises(ValidationError, match="closed"):
        services.add_corrective_action(manager, nc, description="late")
    assert nc.history.count() >= 5


def test_auditors_do_audit_work_but_cannot_close_or_fix_and_denials_change_nothing(people) -> None:
    auditor, contributor, owner, manager = (
        people["auditor"],
        people["contributor"],
        people["owner"],
        people["manager"],
    )
    audit = _audit(auditor)
    services.transition_audit(auditor, audit, "in-progress")
    finding = services.add_finding(auditor, audit, kind="nc", severity="minor", text="Missing record")
    nc = services.raise_from_finding(auditor, finding)
    with pytest.raises(PermissionDenied):
        services.add_corrective_action(auditor, nc, description="x")
    with pytest.raises(PermissionDenied):
        services.update_nonconformity(auditor, nc, root_cause="x")
    with pytest.raises(PermissionDenied):
        services.create_programme(auditor, title="P", start_year=2026)
    # a contributor edits only nonconformities they own; a risk owner approves only their own
    with pytest.raises(PermissionDenied, match="only what you own"):
        services.update_nonconformity(contributor, nc, root_cause="x")
    services.update_nonconformity(manager, nc, owner=contributor, root_cause="why")
    services.update_nonconformity(contributor, nc, containment="fixed the record")
    action = services.add_corrective_action(contributor, nc, description="Train the team", owner=contributor)
    services.complete_corrective_action(contributor, action)
    with pytest.raises(PermissionDenied):
        services.record_effectiveness_review(contributor, nc, effective=True)
    with pytest.raises(PermissionDenied, match="only what you own"):
        services.record_effectiveness_review(owner, nc, effective=True)
    with pytest.raises(PermissionDenied):
        services.record_effectiveness_review(auditor, nc, effective=True)
    nc.refresh_from_db()
    assert nc.reviews.count() == 0
    assert nc.status == "action-planned"
    assert nc.root_cause == "why"


def test_an_audit_closes_only_when_its_nonconformity_findings_were_raised(people) -> None:
    auditor = people["auditor"]
    audit = _audit(auditor, clause_uids=[], control_uids=["iso27002:2022:8.28"])
    services.transition_audit(auditor, audit, "in-progress")
    _, finding = services.record_result(auditor, audit.checklist.get(), result="major-nc", notes="No review")
    with pytest.raises(ValidationError, match="report summary"):
        services.transition_audit(auditor, audit, "reported")
    services.update_audit(auditor, audit, report_summary="One major NC")
    services.transition_audit(auditor, audit, "reported")
    with pytest.raises(ValidationError, match="no nonconformity raised"):
        services.transition_audit(auditor, audit, "closed")
    services.raise_from_finding(auditor, finding)
    services.transition_audit(auditor, audit, "closed")
    assert Audit.objects.get(pk=audit.pk).status == "closed"


def test_programme_coverage_counts_the_programmes_audits_and_creating_one_schedules_reminders(people) -> None:
    manager = people["manager"]
    year = timezone.localdate().year
    programme = services.create_programme(
        manager, title="P", start_year=year, cycle_years=3, high_risk_uids=["iso27002:2022:5.21"]
    )
    assert Schedule.objects.filter(key="audits.due_reminders", task_name="audits.due_reminders").exists()
    _audit(people["auditor"], programme=programme, planned_start=timezone.localdate())
    cov = selectors.programme_coverage(programme)
    by_uid = {c.item.uid: c for c in cov.items}
    assert by_uid["iso27001:2022:6.1.2"].years == (year,)
    assert by_uid["iso27001:2022:6.1.2"].covered
    assert by_uid["iso27002:2022:5.21"].missing_years == (year + 1, year + 2)
    assert not by_uid["iso27001:2022:9.1"].covered
    assert len(cov.items) == 30 + 93  # leaf clauses and every control (all applicable without an SoA)
    with pytest.raises(ValidationError, match="unknown"):
        services.create_programme(manager, title="Q", start_year=year, high_risk_uids=["iso27002:2022:0.1"])


def _prepare_review_data(people):
    manager, owner = people["manager"], people["owner"]
    PestelIssue.objects.create(
        category="legal", title="EU AI Act obligations", opportunities="Lead on AI trust"
    )
    party = InterestedParty.objects.create(name="Insurers", kind="customer")
    PartyRequirement.objects.create(party=party, requirement="Evidence of AI governance", addressed=False)
    nc = services.raise_nonconformity(
        manager, source="incident", description="Laptop unencrypted", severity="major"
    )
    services.update_nonconformity(manager, nc, root_cause="Imaging script skipped")
    services.add_corrective_action(
        manager, nc, description="Fix script", owner=owner, due_date=timezone.localdate() - timedelta(days=1)
    )
    return nc


def test_the_review_pack_comes_from_live_data_and_its_snapshot_stays_put(people) -> None:
    manager = people["manager"]
    _prepare_review_data(people)
    review = services.create_review(
        manager, title="MR", date=timezone.localdate(), feedback=["Customer asked for an AI policy"]
    )
    pack = selectors.management_review_pack(review)
    assert [s.key for s in pack.sections] == ["a", "b", "c", "d", "e", "f", "g"]
    assert pack.period_start is None
    assert pack.section("b").tables[0].rows == (
        ("EU AI Act obligations", "Legal", "external", "stable", "new"),
    )
    assert pack.section("c").tables[0].rows == (("Insurers", "Evidence of AI governance", "no", "new"),)
    d1 = {m.label: m.value for m in pack.section("d1").metrics}
    assert (d1["Open"], d1["Open major"], d1["Corrective actions overdue"]) == ("1", "1", "1")
    assert ("Customer asked for an AI policy",) in pack.section("e").tables[0].rows
    assert pack.section("g").tables[0].rows == (("context: EU AI Act obligations", "Lead on AI trust"),)

    # the registers change; the kept pack does not, a regenerated one does
    services.raise_nonconformity(manager, source="other", description="Second", severity="minor")
    again = selectors.management_review_pack(ManagementReview.objects.get(pk=review.pk))
    assert again == pack
    services.refresh_review_pack(manager, review)
    refreshed = selectors.management_review_pack(ManagementReview.objects.get(pk=review.pk))
    assert {m.label: m.value for m in refreshed.section("d1").metrics}["Open"] == "2"
    assert ("Customer asked for an AI policy",) in refreshed.section("e").tables[0].rows


def test_review_decisions_feed_the_next_pack_and_a_held_review_keeps_its_pack(people) -> None:
    manager, owner = people["manager"], people["owner"]
    today = timezone.localdate()
    first = services.create_review(manager, title="MR1", date=today - timedelta(days=90))
    services.add_decision(
        manager, first, decision="Fund red team", kind="resource", owner=owner, due_date=today
    )
    with pytest.raises(ValidationError, match="minutes"):
        services.transition_review(manager, first, "held")
    services.update_review(manager, first, minutes="Pack reviewed")
    services.transition_review(manager, first, "held")
    services.transition_review(manager, first, "closed")
    with pytest.raises(ValidationError, match="only a draft"):
        services.refresh_review_pack(manager, first)
    with pytest.raises(PermissionDenied):
        services.transition_review(
            people["contributor"], services.create_review(manager, title="x", date=today), "held"
        )
    second = services.create_review(manager, title="MR2", date=today)
    pack = selectors.management_review_pack(second)
    assert pack.period_start == today - timedelta(days=90)
    assert pack.section("a").tables[0].rows[0][:2] == (
        "MR1 (" + str(today - timedelta(days=90)) + ")",
        "Fund red team",
    )


def test_reminders_notify_owners_and_audit_leads_once_per_due_date(people, mailoutbox) -> None:
    manager, owner, auditor = people["manager"], people["owner"], people["auditor"]
    today = timezone.localdate()
    nc = services.raise_nonconformity(manager, source="other", description="x", severity="minor")
    action = services.add_corrective_action(
        manager, nc, description="Fix", owner=owner, due_date=today + timedelta(days=3)
    )
    services.add_corrective_action(
        manager, nc, description="Later", owner=owner, due_date=today + timedelta(days=30)
    )
    _audit(auditor, planned_start=today + timedelta(days=10))
    job = submit("audits.due_reminders", title="reminders")
    assert job.status == "succeeded"
    assert job.result == {"considered": 2, "sent": 2, "already_sent": 0}
    assert sorted(Notification.objects.values_list("user__username", flat=True)) == sorted(
        [owner.username, auditor.username]
    )
    assert len(mail.outbox) == 2
    # the same day again: nothing new; once overdue: a new reminder
    assert send_due_reminders(today).sent == 0
    assert send_due_reminders(today + timedelta(days=4)).sent == 1
    note = Notification.objects.filter(user=owner).order_by("-pk").first()
    assert note.subject.startswith("Overdue")
    assert note.url == action.get_absolute_url()
    CorrectiveAction.objects.filter(pk=action.pk).update(done_at=timezone.now())
    assert send_due_reminders(today + timedelta(days=5)).considered == 1  # only the audit


def test_the_demo_loads_a_coherent_story() -> None:
    from aisms.apps.audits.demo_data import load_demo_audits

    amira = make_user("isms_manager", username="amira")
    for name, role in (("tom", "auditor"), ("daniel", "risk_owner"), ("sofia", "contributor")):
        make_user(role, username=name)
    load_demo_audits(amira)
    assert list(Audit.objects.order_by("planned_start").values_list("status", flat=True)) == [
        "closed",
        "planned",
    ]
    statuses = dict(Nonconformity.objects.values_list("control_uid", "status"))
    assert statuses["iso27002:2022:5.21"] == "closed"
    soa_nc = Nonconformity.objects.get(clause_uid="iso27001:2022:6.1.3")
    assert soa_nc.status == "action-planned"
    assert soa_nc.actions.get().due_date == timezone.localdate() + timedelta(days=5)
    review = ManagementReview.objects.get()
    assert (review.status, review.decisions.count()) == ("held", 2)
    load_demo_audits(amira)  # idempotent
    assert Audit.objects.count() == 2


def test_the_cli_sends_reminders_and_prints_a_reviews_pack(people, capsys) -> None:
    import json

    from aisms.cli import main

    manager, owner = people["manager"], people["owner"]
    nc = services.raise_nonconformity(manager, source="other", description="x", severity="minor")
    services.add_corrective_action(manager, nc, description="Fix", owner=owner, due_date=timezone.localdate())
    assert main(["audits", "send-reminders", "--json"]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1]) == {
        "considered": 1,
        "sent": 1,
        "already_sent": 0,
    }
    review = services.create_review(manager, title="MR", date=timezone.localdate())
    assert main(["audits", "pack", str(review.pk), "--json"]) == 0
    assert [s["key"] for s in json.loads(capsys.readouterr().out)["sections"]] == list("abcdefg")
    assert main(["audits", "pack", "999999"]) == 1
    assert main(["audits", "send-reminders", "--today", "soon"]) == 2
