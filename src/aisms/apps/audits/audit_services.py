"""Writes for audit programmes and audits: creating and changing them, their status, checklist results
and findings, and the daily reminder schedule. Every write checks the access policy, runs in one
transaction and records who made it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from aisms.apps.accounts.models import User
from aisms.apps.audits import selectors
from aisms.apps.audits.field_writes import (
    CLAUSE_PREFIX,
    CONTROL_PREFIX,
    apply_changes,
    checked_uids,
    save_recorded,
    strip_text,
)
from aisms.apps.audits.models import (
    Audit,
    AuditProgramme,
    ChecklistItem,
    ChecklistResult,
    Finding,
    FindingKind,
    NcSeverity,
)
from aisms.apps.audits.permissions import on_team, require_audit_work, require_on
from aisms.domain.access import Action
from aisms.domain.audits.audit_status import AuditState, audit_transition_problems
from aisms.domain.audits.checklist import ScopeError, generate_checklist

RESULT_TO_FINDING = {
    ChecklistResult.MINOR_NC: (FindingKind.NONCONFORMITY, NcSeverity.MINOR),
    ChecklistResult.MAJOR_NC: (FindingKind.NONCONFORMITY, NcSeverity.MAJOR),
    ChecklistResult.OBSERVATION: (FindingKind.OBSERVATION, NcSeverity.OBSERVATION),
    ChecklistResult.OFI: (FindingKind.OFI, ""),
}

REMINDER_SCHEDULE_KEY = "audits.due_reminders"


def ensure_reminder_schedule() -> None:
    """The daily job that reminds owners of due and overdue work (idempotent)."""
    from aisms.apps.jobs.services import ensure_schedule

    ensure_schedule(
        REMINDER_SCHEDULE_KEY,
        "audits.due_reminders",
        every=timedelta(days=1),
        title="Audit and corrective action reminders",
    )


PROGRAMME_FIELDS = ("title", "cycle_years", "start_year", "objectives", "high_risk_uids", "owner")


def create_programme(actor: User | None, **values: Any) -> AuditProgramme:
    require_on(actor, Action.CREATE, owner_id=None)
    values = strip_text(values)
    values["high_risk_uids"] = _high_risk(values.get("high_risk_uids", []))
    with transaction.atomic():
        programme = AuditProgramme()
        apply_changes(programme, values, PROGRAMME_FIELDS)
        save_recorded(programme, actor)
        ensure_reminder_schedule()
    return programme


def _high_risk(uids: list[str]) -> list[str]:
    clauses = checked_uids(
        [u for u in uids if u.startswith(CLAUSE_PREFIX)], CLAUSE_PREFIX, "clause", "high_risk_uids"
    )
    others = [u for u in uids if not u.startswith(CLAUSE_PREFIX)]
    return clauses + checked_uids(others, CONTROL_PREFIX, "control", "high_risk_uids")


def update_programme(actor: User | None, programme: AuditProgramme, **values: Any) -> AuditProgramme:
    if actor is not None:
        require_on(actor, Action.EDIT, owner_id=programme.owner_id)
    if "high_risk_uids" in values:
        values["high_risk_uids"] = _high_risk(values["high_risk_uids"])
    with transaction.atomic():
        programme = AuditProgramme.objects.select_for_update().get(pk=programme.pk)
        if apply_changes(programme, values, PROGRAMME_FIELDS):
            save_recorded(programme, actor)
    return programme


# --- audits ----------------------------------------------------------------------------------------------

AUDIT_FIELDS = (
    "title",
    "programme",
    "scope",
    "criteria",
    "lead_auditor",
    "planned_start",
    "planned_end",
    "report_summary",
)


def _next_audit_ref(year: int) -> str:
    taken = Audit.objects.filter(ref__startswith=f"AUD-{year}-").values_list("ref", flat=True)
    numbers = [int(m.group(1)) for r in taken if (m := re.fullmatch(rf"AUD-{year}-(\d+)", r))]
    return f"AUD-{year}-{max(numbers, default=0) + 1:02d}"


def _sync_checklist(audit: Audit, actor: User | None) -> None:
    """Add checklist lines for the scope; drop unchecked lines no longer in scope (checked ones stay)."""
    scope = [*audit.clause_uids, *audit.control_uids]
    try:
        lines = generate_checklist(
            scope,
            selectors.checklist_catalogue(scope),
            selectors.question_bank(),
            applicable=selectors.applicability(),
        )
    except ScopeError as exc:
        raise ValidationError({"clause_uids": str(exc)}) from None
    existing = {item.uid: item for item in audit.checklist.all()}
    wanted = {line.uid for line in lines}
    for uid, item in existing.items():
        if uid not in wanted and item.result == ChecklistResult.NOT_CHECKED:
            item.delete()
    for line in lines:
        found = existing.get(line.uid)
        item = (
            found
            if found is not None
            else ChecklistItem(
                audit=audit, uid=line.uid, title=f"{line.ref} {line.title}", question=line.question
            )
        )
        item.position = line.position
        save_recorded(item, actor)


def create_audit(
    actor: User | None,
    *,
    clause_uids: list[str] = (),  # type: ignore[assignment]  # a tuple default: never mutated
    control_uids: list[str] = (),  # type: ignore[assignment]
    auditors: Iterable[User] = (),
    ref: str = "",
    **values: Any,
) -> Audit:
    require_audit_work(actor, Action.CREATE)
    clauses = checked_uids(list(clause_uids), CLAUSE_PREFIX, "clause", "clause_uids")
    controls = checked_uids(list(control_uids), CONTROL_PREFIX, "control", "control_uids")
    if not clauses and not controls:
        raise ValidationError({"clause_uids": "scope at least one clause or control"})
    with transaction.atomic():
        audit = Audit(clause_uids=clauses, control_uids=controls)
        apply_changes(audit, values, AUDIT_FIELDS)
        if audit.lead_auditor_id is None and actor is not None:
            audit.lead_auditor = actor  # whoever plans an audit leads it unless someone else is named
        _check_dates(audit)
        year = (audit.planned_start or timezone.localdate()).year
        audit.ref = ref or _next_audit_ref(year)
        save_recorded(audit, actor)
        audit.auditors.set(list(auditors))
        _sync_checklist(audit, actor)
    return audit


def _check_dates(audit: Audit) -> None:
    if audit.planned_start and audit.planned_end and audit.planned_end < audit.planned_start:
        raise ValidationError({"planned_end": "ends before it starts"})


def update_audit(
    actor: User | None,
    audit: Audit,
    *,
    clause_uids: list[str] | None = None,
    control_uids: list[str] | None = None,
    auditors: Iterable[User] | None = None,
    **values: Any,
) -> Audit:
    with transaction.atomic():
        audit = Audit.objects.select_for_update().get(pk=audit.pk)
        require_audit_work(actor, Action.EDIT, is_team=on_team(actor, audit))
        if audit.status == AuditState.CLOSED:
            raise ValidationError({"status": "the audit is closed"})
        changed = apply_changes(audit, values, AUDIT_FIELDS)
        rescope = False
        if clause_uids is not None:
            audit.clause_uids = checked_uids(clause_uids, CLAUSE_PREFIX, "clause", "clause_uids")
            rescope = True
        if control_uids is not None:
            audit.control_uids = checked_uids(control_uids, CONTROL_PREFIX, "control", "control_uids")
            rescope = True
        if rescope and not (audit.clause_uids or audit.control_uids):
            raise ValidationError({"clause_uids": "scope at least one clause or control"})
        _check_dates(audit)
        if changed or rescope:
            save_recorded(audit, actor)
        if auditors is not None:
            audit.auditors.set(list(auditors))
        if rescope:
            _sync_checklist(audit, actor)
    return audit


def transition_audit(actor: User | None, audit: Audit, target: str, *, today: date | None = None) -> Audit:
    today = today or timezone.localdate()
    with transaction.atomic():
        audit = Audit.objects.select_for_update().get(pk=audit.pk)
        require_audit_work(actor, Action.EDIT, is_team=on_team(actor, audit))
        try:
            wanted = AuditState(target)
        except ValueError:
            raise ValidationError({"status": f"unknown status {target!r}"}) from None
        problems = audit_transition_problems(
            AuditState(audit.status),
            wanted,
            unchecked_items=audit.checklist.filter(result=ChecklistResult.NOT_CHECKED).count(),
            report_summary=audit.report_summary,
            open_findings_without_nc=audit.findings.filter(
                kind=FindingKind.NONCONFORMITY, nonconformity__isnull=True
            ).count(),
        )
        if problems:
            raise ValidationError({"status": "; ".join(problems)})
        audit.status = wanted.value
        if wanted == AuditState.IN_PROGRESS and audit.actual_start is None:
            audit.actual_start = today
        if wanted == AuditState.REPORTED and audit.actual_end is None:
            audit.actual_end = today
        save_recorded(audit, actor)
    return audit


def record_result(
    actor: User | None,
    item: ChecklistItem,
    *,
    result: str,
    notes: str | None = None,
    evidence_refs: str | None = None,
) -> tuple[ChecklistItem, Finding | None]:
    """Record a checklist result; a nonconformity, observation or OFI also records a finding (once)."""
    if result not in ChecklistResult.values:
        raise ValidationError({"result": f"unknown result {result!r}"})
    with transaction.atomic():
        item = ChecklistItem.objects.select_for_update().select_related("audit").get(pk=item.pk)
        require_audit_work(actor, Action.EDIT, is_team=on_team(actor, item.audit))
        if item.audit.status != AuditState.IN_PROGRESS:
            raise ValidationError({"result": "start the audit before recording results"})
        item.result = result
        if notes is not None:
            item.notes = notes.strip()
        if evidence_refs is not None:
            item.evidence_refs = evidence_refs.strip()
        item.checked_by = actor
        item.checked_at = timezone.now()
        save_recorded(item, actor)
        finding = None
        mapped = RESULT_TO_FINDING.get(ChecklistResult(result))
        if mapped is not None:
            kind, severity = mapped
            finding = item.findings.first()
            if finding is None:
                finding = Finding(audit=item.audit, checklist_item=item, uid=item.uid, created_by=actor)
            if not (finding.pk and hasattr(finding, "nonconformity")):
                finding.kind, finding.severity = kind, severity
                finding.text = item.notes or finding.text or f"{ChecklistResult(result).label}: {item.title}"
                save_recorded(finding, actor)
    return item, finding


def add_finding(
    actor: User | None,
    audit: Audit,
    *,
    kind: str,
    text: str,
    checklist_item: ChecklistItem | None = None,
    severity: str = "",
    uid: str = "",
) -> Finding:
    audit = Audit.objects.get(pk=audit.pk)
    # Recording a finding is work on this audit: as for checklist results, a contributor must be on its team.
    require_audit_work(actor, Action.EDIT, is_team=on_team(actor, audit))
    if audit.status not in (AuditState.IN_PROGRESS, AuditState.REPORTED):
        raise ValidationError({"kind": "findings are recorded while the audit runs or is being reported"})
    if checklist_item is not None and checklist_item.audit_id != audit.pk:
        raise ValidationError({"checklist_item": "belongs to another audit"})
    if kind == FindingKind.NONCONFORMITY and severity not in (NcSeverity.MAJOR, NcSeverity.MINOR):
        raise ValidationError({"severity": "a nonconformity is major or minor"})
    with transaction.atomic():
        finding = Finding(
            audit=audit,
            checklist_item=checklist_item,
            kind=kind,
            text=text.strip(),
            severity=severity,
            uid=uid.strip() or (checklist_item.uid if checklist_item else ""),
            created_by=actor,
        )
        save_recorded(finding, actor)
    return finding
