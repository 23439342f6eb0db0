"""SoA services and selectors (real database): rows, decisions, permissions, derivation, approval, compare."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from aisms.apps.catalogue.models import CatalogueEntry
from aisms.apps.controls import selectors, services
from aisms.apps.controls.demo_data import load_demo_soa
from aisms.apps.controls.models import ControlImplementation, SoAVersion, VersionStatus
from aisms.apps.risks import services as risk_services
from aisms.apps.risks.models import ActionStatus, Risk, RiskStatus, TreatmentAction
from aisms.apps.web.history import object_history
from aisms.demo import load_demo
from aisms.domain.soa import ChangeKind, ImplementationStatus, ProblemKind, problems
from tests.factories import make_user

pytestmark = pytest.mark.django_db

SCORES = risk_services.Scores(inherent=(4, 4), current=(3, 3), target=(2, 2))
ANNEX_A = 93


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _control(ref: str) -> CatalogueEntry:
    return CatalogueEntry.objects.get(uid=f"iso27002:2022:{ref}")


def _justify_all() -> None:
    """Given every control has a reason (the state in which an SoA can be approved)."""
    services.ensure_rows()
    ControlImplementation.objects.update(justification="Required by the risk assessment.")


def _risk_with_action(
    actor: Any, refs: list[str], *, title: str = "Feed AI threat intelligence"
) -> TreatmentAction:
    risk = risk_services.create_risk(
        actor, title="Prompt injection", scores=SCORES, custom_threat="Prompt injection"
    )
    return risk_services.add_action(actor, risk, title=title, controls=[_control(r) for r in refs])


# ------------------------------------------------------------------ rows


def test_rows_are_created_once_for_all_93_controls() -> None:
    assert ControlImplementation.objects.count() == 0

    assert services.ensure_rows() == ANNEX_A
    assert services.ensure_rows() == 0

    assert ControlImplementation.objects.count() == ANNEX_A
    row = selectors.implementation("5.7")
    assert (row.applicable, row.justification, row.implementation_status) == (True, "", "not_started")
    _, history = object_history("soa-row", str(row.pk))
    assert [(h.action, h.reason) for h in history] == [("created", "added to the SoA")]


def test_reading_the_soa_derives_a_row_for_every_control_even_before_rows_exist() -> None:
    rows = selectors.current_rows()

    assert len(rows) == ANNEX_A
    assert [r.ref for r in rows[:3]] == ["5.1", "5.2", "5.3"]
    assert rows[-1].ref == "8.34"
    assert {r.theme for r in rows} == {"organizational", "people", "physical", "technological"}
    assert ControlImplementation.objects.count() == 0


def test_an_isms_manager_records_a_decision_with_history() -> None:
    manager = make_user("isms_manager", username="amira")
    owner = make_user("contributor", username="sofia")
    services.ensure_rows()

    services.update_row(
        manager,
        selectors.implementation("7.12"),
        applicable=False,
        justification="  No server rooms; the landlord owns the cabling.  ",
        implementation_status="not_started",
        owner=owner,
        notes="Re-assess on any office move.",
        reason="Scope review 2025",
    )

    row = selectors.implementation("7.12")
    assert row.applicable is False
    assert row.justification == "No server rooms; the landlord owns the cabling."
    assert row.owner == owner
    derived = selectors.row_of("7.12")
    assert derived.effective_status is ImplementationStatus.NOT_APPLICABLE
    assert derived.owner_name == "sofia"
    _, history = object_history("soa-row", str(row.pk))
    assert (history[0].user, history[0].action, history[0].reason) == (
        "amira",
        "changed",
        "Scope review 2025",
    )
    assert {c.field for c in history[0].changes} == {
        "applicable",
        "justification",
        "owner",
        "notes",
        "updated_at",
    }


@pytest.mark.parametrize("applicable", [True, False])
def test_every_decision_needs_a_justification_and_nothing_is_saved_without(applicable: bool) -> None:
    manager = make_user("isms_manager")
    services.ensure_rows()
    row = selectors.implementation("8.30")

    with pytest.raises(ValidationError) as refused:
        services.update_row(manager, row, applicable=applicable, justification="   ")

    decision = "including" if applicable else "excluding"
    assert refused.value.message_dict == {"justification": [f"give the reason for {decision} control 8.30"]}
    row.refresh_from_db()
    assert (row.applicable, row.justification) == (True, "")


def test_an_unknown_status_or_field_is_refused() -> None:
    manager = make_user("isms_manager")
    services.ensure_rows()
    row = selectors.implementation("5.1")

    with pytest.raises(ValidationError) as bad_status:
        services.update_row(manager, row, justification="Policy.", implementation_status="not_applicable")
    with pytest.raises(ValidationError) as bad_field:
        services.update_row(manager, row, justification="Policy.", control=_control("5.2"))

    assert list(bad_status.value.message_dict) == ["implementation_status"]
    assert bad_field.value.message_dict == {"control": ["not editable here"]}
    row.refresh_from_db()
    assert (row.justification, row.implementation_status) == ("", "not_started")


@pytest.mark.parametrize("role", ["administrator", "isms_manager", "risk_owner"])
def test_writers_beyond_contributors_edit_any_row(role: str) -> None:
    services.ensure_rows()
    actor = make_user(role)

    services.update_row(actor, selectors.implementation("5.1"), justification="Board mandate.")

    assert selectors.implementation("5.1").justification == "Board mandate."


def test_a_contributor_edits_only_the_controls_they_own() -> None:
    services.ensure_rows()
    contributor = make_user("contributor")
    ControlImplementation.objects.filter(control__ref="6.7", control__source__key="iso27002").update(
        owner=contributor
    )

    services.update_row(contributor, selectors.implementation("6.7"), justification="Hybrid work.")
    with pytest.raises(PermissionDenied, match=r"only the owner of control 5\.1 may edit it"):
        services.update_row(contributor, selectors.implementation("5.1"), justification="Not mine.")

    assert selectors.implementation("6.7").justification == "Hybrid work."
    assert selectors.implementation("5.1").justification == ""
    assert services.can_edit(contributor, contributor.pk) is True
    assert services.can_edit(contributor, None) is False


def test_an_auditor_may_not_edit_and_nothing_changes() -> None:
    services.ensure_rows()
    auditor = make_user("auditor")
    history_before = ControlImplementation.history.count()  # type: ignore[attr-defined]

    with pytest.raises(PermissionDenied, match="your role may not edit"):
        services.update_row(auditor, selectors.implementation("5.1"), justification="Audit.")

    assert selectors.implementation("5.1").justification == ""
    assert ControlImplementation.history.count() == history_before  # type: ignore[attr-defined]


def test_a_deactivated_owner_is_refused() -> None:
    services.ensure_rows()
    gone = make_user("contributor", is_active=False)

    with pytest.raises(ValidationError) as refused:
        services.update_row(
            make_user("isms_manager"), selectors.implementation("5.1"), justification="x", owner=gone
        )

    assert list(refused.value.message_dict) == ["owner"]


# ------------------------------------------------------------------ derivation


def test_risks_and_actions_calling_for_a_control_are_derived_from_the_treatment_plan() -> None:
    manager = make_user("isms_manager")
    action = _risk_with_action(manager, ["5.7", "8.16"])
    second = _risk_with_action(manager, ["5.7"], title="Brief the SOC")

    row = selectors.row_of("5.7")

    assert row.risk_refs == ("R-001", "R-002")
    assert [(a.risk_ref, a.id, a.title) for a in row.actions] == [
        ("R-001", action.pk, "Feed AI threat intelligence"),
        ("R-002", second.pk, "Brief the SOC"),
    ]
    assert selectors.row_of("8.16").risk_refs == ("R-001",)
    assert selectors.row_of("5.1").risk_refs == ()
    listed = {r.ref: r for r in selectors.current_rows()}
    assert listed["5.7"].risk_refs == ("R-001", "R-002")
    assert ControlImplementation.objects.filter(notes__contains="R-001").count() == 0  # never stored twice


def test_closed_risks_and_cancelled_actions_call_for_nothing() -> None:
    manager = make_user("isms_manager")
    closed = _risk_with_action(manager, ["5.7"])
    cancelled = _risk_with_action(manager, ["8.16"], title="Dropped idea")
    Risk.objects.filter(pk=closed.risk_id).update(status=RiskStatus.CLOSED)
    TreatmentAction.objects.filter(pk=cancelled.pk).update(status=ActionStatus.CANCELLED)

    assert selectors.row_of("5.7").actions == ()
    assert selectors.row_of("8.16").actions == ()
    assert selectors.calls() == {}


def test_filters_on_derived_rows() -> None:
    manager = make_user("isms_manager")
    services.ensure_rows()
    _risk_with_action(manager, ["8.16"])
    services.update_row(
        manager, selectors.implementation("8.30"), applicable=False, justification="In-house only."
    )
    rows = selectors.current_rows()

    def refs(**filters: Any) -> list[str]:
        return [r.ref for r in selectors.filter_rows(rows, selectors.RowFilter(**filters))]

    assert refs(applicable=False) == ["8.30"]
    assert refs(status="not_applicable") == ["8.30"]
    assert refs(called_for=True) == ["8.16"]
    assert len(refs(theme="physical")) == 14
    assert refs(q="in-house") == ["8.30"]
    assert refs(q="outsourced development") == ["8.30"]
    assert len(refs(problems_only=True)) == ANNEX_A - 1  # everything but 8.30 lacks a reason


# ------------------------------------------------------------------ approval


def test_approval_is_refused_while_problems_exist_and_lists_them() -> None:
    manager = make_user("isms_manager")
    _justify_all()
    _risk_with_action(manager, ["8.30"], title="Review the outsourcer's code")
    ControlImplementation.objects.filter(control__ref="8.30", control__source__key="iso27002").update(
        applicable=False, implementation_status="implemented"
    )
    ControlImplementation.objects.filter(control__ref="5.1", control__source__key="iso27002").update(
        justification=""
    )

    with pytest.raises(ValidationError) as refused:
        services.approve_version(manager)

    assert refused.value.message_dict == {
        "problems": [
            "5.1: no justification for including the control",
            "8.30: excluded, yet the treatment of R-001 calls for it (1 action)",
            "8.30: excluded, yet recorded as implemented",
        ]
    }
    assert SoAVersion.objects.count() == 0


def test_approving_freezes_the_rows_with_their_derived_risks_as_numbered_versions() -> None:
    manager = make_user("isms_manager", username="amira", first_name="Amira", last_name="Okafor")
    _justify_all()
    _risk_with_action(manager, ["5.7"])

    first = services.approve_version(manager, notes="  Certification audit.  ")
    _risk_with_action(manager, ["8.16"], title="Watch the model endpoint")
    second = services.approve_version(manager)

    assert (first.version, second.version) == (1, 2)
    assert (first.status, first.approved_by, first.notes) == (
        VersionStatus.APPROVED,
        manager,
        "Certification audit.",
    )
    assert first.approved_at is not None
    assert first.snapshot["approved_by"] == "Amira Okafor"
    frozen = {r.ref: r for r in selectors.rows_of(1)}
    assert len(frozen) == ANNEX_A
    assert frozen["5.7"].risk_refs == ("R-001",)
    assert frozen["8.16"].risk_refs == ()  # the later action is not in version 1
    assert {r.ref: r for r in selectors.rows_of(2)}["8.16"].risk_refs == ("R-002",)
    assert [v.version for v in selectors.versions()] == [2, 1]
    assert selectors.latest_approved() == second
    _, history = object_history("soa-version", str(first.pk))
    assert (history[0].user, history[0].action, history[0].reason) == (
        "amira",
        "created",
        "approved with 93 controls",
    )


@pytest.mark.parametrize(
    ("role", "message"),
    [
        ("risk_owner", "your role may not approve the Statement of Applicability"),
        ("contributor", "your role may not approve"),
        ("auditor", "your role may not approve"),
    ],
)
def test_only_managers_and_administrators_approve(role: str, message: str) -> None:
    _justify_all()

    with pytest.raises(PermissionDenied, match=message):
        services.approve_version(make_user(role))

    assert SoAVersion.objects.count() == 0
    assert services.can_approve(make_user(role)) is False
    assert services.can_approve(make_user("administrator")) is True


# ------------------------------------------------------------------ compare


def test_compare_two_versions_and_a_version_with_the_draft() -> None:
    manager = make_user("isms_manager", username="amira")
    _justify_all()
    services.approve_version(manager)
    services.update_row(
        manager,
        selectors.implementation("7.12"),
        applicable=False,
        justification="No server rooms.",
    )
    services.approve_version(manager)
    services.update_row(
        manager, selectors.implementation("5.7"), justification="Feeds.", implementation_status="planned"
    )

    between = selectors.compare(1, 2)
    with_draft = selectors.compare(2, selectors.DRAFT)

    assert [(c.ref, c.kind) for c in between.changes] == [("7.12", ChangeKind.CHANGED)]
    assert [(f.field, f.old, f.new) for f in between.changes[0].fields] == [
        ("applicable", True, False),
        ("justification", "Required by the risk assessment.", "No server rooms."),
        ("status", "not_started", "not_applicable"),
    ]
    assert between.counts == {"added": 0, "removed": 0, "changed": 1}
    assert [c.ref for c in with_draft.changes] == ["5.7"]
    assert {f.field for f in with_draft.changes[0].fields} == {"justification", "status"}
    assert selectors.compare(2, 2).changes == []
    with pytest.raises(SoAVersion.DoesNotExist):
        selectors.compare(1, 9)


@pytest.mark.parametrize(
    ("value", "expected"), [(None, "draft"), ("", "draft"), ("Draft", "draft"), ("3", 3), (4, 4)]
)
def test_which_version_is_meant(value: Any, expected: Any) -> None:
    assert selectors.parse_which(value) == expected


@pytest.mark.parametrize("value", ["0", "-1", "v2", "2.5", "99999999999"])
def test_nonsense_versions_are_refused(value: str) -> None:
    with pytest.raises(ValueError, match="neither 'draft' nor a version number"):
        selectors.parse_which(value)


def test_problems_are_reported_per_kind_for_the_current_soa() -> None:
    manager = make_user("isms_manager")
    _justify_all()
    ControlImplementation.objects.filter(control__ref="7.11", control__source__key="iso27002").update(
        applicable=False, implementation_status="partially_implemented"
    )

    found = problems(selectors.current_rows())

    assert [(p.ref, p.kind) for p in found] == [("7.11", ProblemKind.STATUS_ON_EXCLUDED)]
    with pytest.raises(ValidationError):
        services.approve_version(manager)


# ------------------------------------------------------------------ demo


def test_the_demo_records_every_decision_and_approves_version_1_once() -> None:
    assert load_demo() is not None
    assert load_demo() is None

    (version,) = SoAVersion.objects.all()
    assert (version.version, version.status, version.approved_by.username) == (
        1,
        VersionStatus.APPROVED,
        "amira",
    )
    rows = selectors.current_rows()
    assert problems(rows) == []
    assert [r.ref for r in rows if not r.applicable] == ["7.11", "7.12", "8.30"]
    assert all(r.justification and r.owner for r in rows)
    statuses = {r.effective_status for r in rows}
    assert ImplementationStatus.IMPLEMENTED in statuses
    assert ImplementationStatus.PARTIALLY_IMPLEMENTED in statuses
    assert selectors.compare(1, selectors.DRAFT).changes == []


def test_the_demo_never_excludes_a_control_the_risks_call_for() -> None:
    manager = make_user("isms_manager", username="amira")
    for name in ("daniel", "sofia"):
        make_user("contributor", username=name)
    _risk_with_action(manager, ["8.30"], title="Review the contractor's code")

    version = load_demo_soa(manager)

    assert version is not None
    frozen = {r.ref: r for r in selectors.rows_of(version.version)}
    assert frozen["8.30"].applicable is True
    assert frozen["8.30"].risk_refs == ("R-001",)
    assert frozen["7.12"].applicable is False
