"""Context services: adopt templates, the review workflow, parties, scope versions, and permissions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from aisms.apps.context import selectors, services
from aisms.apps.context.models import InterestedParty, PartyRequirement, PestelIssue, ScopeVersion
from aisms.apps.risks import services as risk_services
from aisms.apps.risks.models import Risk
from aisms.apps.web.history import object_history
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _risk(actor, title="Staff paste patient data into chat tools") -> Risk:
    return risk_services.create_risk(
        actor, title=title, custom_threat="data leak", scores=risk_services.Scores((3, 3), (3, 3), (2, 2))
    )


def _state():
    return (
        list(PestelIssue.objects.order_by("pk").values()),
        list(PestelIssue.risks.through.objects.order_by("pk").values()),
        list(InterestedParty.objects.order_by("pk").values()),
        list(PartyRequirement.objects.order_by("pk").values()),
        list(ScopeVersion.objects.order_by("pk").values()),
        PestelIssue.history.count(),
    )


def test_adopting_a_template_creates_an_editable_issue() -> None:
    # Given an ISMS manager
    manager = make_user("isms_manager")
    # When they adopt the EU AI Act template on 31 January
    issue = services.adopt_template(manager, "eu-ai-act-obligations", today=dt.date(2026, 1, 31))
    # Then an issue exists with the template's content, owned by them, due for review in 3 months
    assert (issue.category, issue.origin, issue.trend) == ("legal", "external", "rising")
    assert issue.title == "EU AI Act obligations by risk tier"
    assert (issue.owner, issue.created_by, issue.template_id, issue.template_version) == (
        manager,
        manager,
        "eu-ai-act-obligations",
        "1",
    )
    assert issue.review_date == dt.date(2026, 4, 30)
    # And it can be edited and linked to a risk afterwards
    risk = _risk(manager)
    services.update_issue(manager, issue, title="EU AI Act: TalentLens is high-risk", risks=[risk])
    issue.refresh_from_db()
    assert issue.title == "EU AI Act: TalentLens is high-risk"
    assert list(issue.risks.values_list("ref", flat=True)) == [risk.ref]


def test_an_unknown_template_is_refused() -> None:
    with pytest.raises(ValidationError):
        services.adopt_template(make_user("isms_manager"), "no-such-template")
    assert PestelIssue.objects.count() == 0


def test_review_workflow_lists_due_issues_and_records_who_and_when() -> None:
    manager = make_user("isms_manager")
    today = timezone.localdate()
    overdue = services.create_issue(
        manager, category="social", title="Skills", review_date=today - dt.timedelta(days=3)
    )
    later = services.create_issue(
        manager, category="economic", title="Costs", review_date=today + dt.timedelta(days=200)
    )
    unset = services.create_issue(manager, category="legal", title="NIS2")
    # Given two issues due (one overdue, one never scheduled) and one far off
    assert set(selectors.due_for_review(today)) == {overdue, unset}
    assert later not in selectors.due_for_review(today)
    # When the overdue one is marked reviewed with no date given
    reviewer = make_user("risk_owner")
    services.mark_reviewed(reviewer, overdue, notes="still relevant")
    overdue.refresh_from_db()
    # Then who and when are recorded, the next review is six months on, and it leaves the due list
    assert overdue.reviewed_by == reviewer
    assert overdue.reviewed_at is not None
    assert overdue.review_date == services.add_months(today, 6)
    assert list(selectors.due_for_review(today)) == [unset]
    # And the history keeps the review with its reason
    _model, items = object_history("pestel-issue", str(overdue.pk))
    assert items[0].reason == "reviewed: still relevant"
    assert items[0].user == reviewer.username
    # A next review in the past is refused
    with pytest.raises(ValidationError):
        services.mark_reviewed(manager, later, next_review=today)


def test_board_has_six_columns_and_flags_overdue_reviews() -> None:
    manager = make_user("isms_manager")
    today = timezone.localdate()
    services.create_issue(manager, category="legal", title="Late", review_date=today - dt.timedelta(days=1))
    services.create_issue(manager, category="legal", title="Fine", review_date=today + dt.timedelta(days=9))
    columns = selectors.board(today)
    assert [c.category for c in columns] == [
        "political",
        "economic",
        "social",
        "technological",
        "environmental",
        "legal",
    ]
    legal = columns[-1]
    assert [(i.title, i.overdue) for i in legal.issues] == [("Fine", False), ("Late", True)]


def test_contributor_edits_only_own_issues_and_a_denied_write_changes_nothing() -> None:
    manager = make_user("isms_manager")
    contributor = make_user("contributor")
    auditor = make_user("auditor")
    theirs = services.create_issue(manager, category="legal", title="Manager's")
    own = services.create_issue(contributor, category="social", title="Mine")
    risk = _risk(manager)
    before = _state()
    for attempt in (
        lambda: services.update_issue(contributor, theirs, title="Hijacked"),
        lambda: services.mark_reviewed(contributor, theirs),
        lambda: services.link_risks(contributor, theirs, [risk]),
        lambda: services.delete_issue(contributor, own),
        lambda: services.create_issue(auditor, category="legal", title="Auditor's"),
        lambda: services.adopt_template(auditor, "nis2-directive"),
        lambda: services.update_scope(auditor, statement="x"),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    assert _state() == before
    services.update_issue(contributor, own, title="Mine, edited")
    services.link_risks(contributor, own, [risk])
    assert list(own.risks.all()) == [risk]


def test_parties_and_requirements_with_history() -> None:
    manager = make_user("isms_manager")
    party = services.create_party(manager, name="Data Protection Commission", kind="regulator")
    requirement = services.add_requirement(manager, party, requirement="Breaches notified within 72 hours")
    assert (requirement.addressed, requirement.how_addressed) == (False, "")
    with pytest.raises(ValidationError) as caught:
        services.update_requirement(manager, requirement, addressed=True)
    assert caught.value.message_dict == {"how_addressed": ["say how the ISMS addresses it"]}
    services.update_requirement(manager, requirement, addressed=True, how_addressed="Breach runbook")
    requirement.refresh_from_db()
    assert (requirement.addressed, requirement.how_addressed) == (True, "Breach runbook")
    _model, items = object_history("party-requirement", str(requirement.pk))
    assert [i.action for i in items] == ["changed", "created"]
    contributor = make_user("contributor")
    with pytest.raises(PermissionDenied):
        services.add_requirement(contributor, party, requirement="Sneaky")
    assert party.requirements.count() == 1


def test_scope_versions_snapshot_and_compare() -> None:
    manager = make_user("isms_manager")
    services.update_scope(
        manager,
        statement="Triage and claims platforms.",
        in_scope=[{"item": "Triage", "reason": "core"}],
        out_of_scope=[{"item": "Website", "reason": "no data"}],
        interfaces="Nimbus API",
    )
    first = services.approve_scope(manager, notes="first")
    assert (first.version, first.approved_by) == (1, manager)
    services.update_scope(manager, in_scope=[{"item": "Triage", "reason": "core"}, {"item": "Claims"}])
    # The draft differs from version 1 by one added line
    assert [(c.section, c.kind, c.new) for c in services.compare_versions(1, None)] == [
        ("in_scope", "added", "Claims")
    ]
    second = services.approve_scope(manager)
    assert second.version == 2
    assert first.snapshot["in_scope"] == [{"item": "Triage", "reason": "core"}]
    assert [(c.kind, c.old, c.new) for c in services.compare_versions(1, 2)] == [("added", None, "Claims")]
    assert services.compare_versions(2, None) == []


def test_only_administrators_and_isms_managers_approve_the_scope() -> None:
    manager = make_user("isms_manager")
    services.update_scope(manager, statement="Everything.")
    before = _state()
    for role in ("risk_owner", "contributor", "auditor"):
        with pytest.raises(PermissionDenied):
            services.approve_scope(make_user(role))
    assert _state() == before
    assert services.approve_scope(make_user("administrator")).version == 1


def test_an_empty_scope_statement_cannot_be_approved() -> None:
    with pytest.raises(ValidationError):
        services.approve_scope(make_user("isms_manager"))
    assert ScopeVersion.objects.count() == 0
