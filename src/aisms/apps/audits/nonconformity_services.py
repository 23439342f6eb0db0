"""Writes for nonconformities, corrective actions and effectiveness reviews. Every write checks the access
policy, runs in one transaction and records who made it."""

from __future__ import annotations

import re
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
    CorrectiveAction,
    EffectivenessReview,
    Finding,
    FindingKind,
    NcSeverity,
    NcSource,
    Nonconformity,
)
from aisms.apps.audits.permissions import require_audit_work, require_on
from aisms.domain.access import Action
from aisms.domain.audits import nonconformity as ncd

NC_FIELDS = (
    "description",
    "clause_uid",
    "control_uid",
    "severity",
    "owner",
    "due_date",
    "root_cause",
    "root_cause_category",
    "containment",
    "source",
)


def _next_nc_ref() -> str:
    taken = Nonconformity.objects.filter(ref__startswith="NC-").values_list("ref", flat=True)
    numbers = [int(m.group(1)) for r in taken if (m := re.fullmatch(r"NC-(\d+)", r))]
    return f"NC-{max(numbers, default=0) + 1:04d}"


def _uid_fields(values: dict[str, Any]) -> None:
    for field, prefix, kind in (
        ("clause_uid", CLAUSE_PREFIX, "clause"),
        ("control_uid", CONTROL_PREFIX, "control"),
    ):
        if values.get(field):
            values[field] = checked_uids([values[field]], prefix, kind, field)[0]


def raise_nonconformity(
    actor: User | None, *, finding: Finding | None = None, **values: Any
) -> Nonconformity:
    """Raise a nonconformity (status open), from an audit finding or from elsewhere."""
    require_audit_work(actor, Action.CREATE)
    values = strip_text(values)
    if finding is not None:
        if hasattr(finding, "nonconformity"):
            raise ValidationError({"finding": f"already raised as {finding.nonconformity.ref}"})
        if finding.kind == FindingKind.OFI:
            raise ValidationError({"finding": "an opportunity for improvement is not a nonconformity"})
        values.setdefault("description", finding.text)
        values.setdefault("severity", finding.severity or NcSeverity.MINOR)
        values["source"] = NcSource.AUDIT
        if finding.uid.startswith(CLAUSE_PREFIX):
            values.setdefault("clause_uid", finding.uid)
        elif finding.uid.startswith(CONTROL_PREFIX):
            values.setdefault("control_uid", finding.uid)
    _uid_fields(values)
    with transaction.atomic():
        nc = Nonconformity(ref=_next_nc_ref(), finding=finding, raised_by=actor, raised_at=timezone.now())
        apply_changes(nc, values, NC_FIELDS)
        save_recorded(nc, actor)
    return nc


def raise_from_finding(actor: User | None, finding: Finding) -> Nonconformity:
    return raise_nonconformity(actor, finding=finding)


def update_nonconformity(actor: User | None, nc: Nonconformity, **values: Any) -> Nonconformity:
    values = dict(values)
    with transaction.atomic():
        nc = Nonconformity.objects.select_for_update().get(pk=nc.pk)
        require_on(actor, Action.EDIT, owner_id=nc.owner_id)
        _uid_fields(values)
        if nc.status == ncd.NcState.CLOSED:
            raise ValidationError({"status": "the nonconformity is closed: reopen it first"})
        if apply_changes(nc, values, [f for f in NC_FIELDS if f != "source"]):
            save_recorded(nc, actor)
    return nc


_facts = selectors.nc_facts


def _problems(exc: ncd.TransitionError, field: str = "status") -> ValidationError:
    return ValidationError({field: "; ".join(exc.problems)})


def transition_nonconformity(actor: User | None, nc: Nonconformity, target: str) -> Nonconformity:
    """open -> action-planned needs EDIT; closing and reopening need APPROVE (risk owners: their own)."""
    try:
        wanted = ncd.NcState(target)
    except ValueError:
        raise ValidationError({"status": f"unknown status {target!r}"}) from None
    needed = Action.EDIT if wanted == ncd.NcState.ACTION_PLANNED else Action.APPROVE
    with transaction.atomic():
        nc = Nonconformity.objects.select_for_update().get(pk=nc.pk)
        require_on(actor, needed, owner_id=nc.owner_id)
        try:
            ncd.check_transition(_facts(nc), wanted)
        except ncd.TransitionError as exc:
            raise _problems(exc) from None
        nc.status = wanted.value
        if wanted == ncd.NcState.CLOSED:
            nc.closed_by, nc.closed_at = actor, timezone.now()
        else:
            nc.closed_by, nc.closed_at = None, None
        save_recorded(nc, actor)
    return nc


ACTION_FIELDS = ("description", "owner", "due_date", "evidence_note")


def add_corrective_action(actor: User | None, nc: Nonconformity, **values: Any) -> CorrectiveAction:
    """A new corrective action; an open nonconformity whose root cause is known becomes action-planned."""
    if actor is not None:
        require_on(actor, Action.CREATE, owner_id=None)
    with transaction.atomic():
        nc = Nonconformity.objects.select_for_update().get(pk=nc.pk)
        action = CorrectiveAction(nonconformity=nc)
        apply_changes(action, values, ACTION_FIELDS)
        try:
            status = ncd.status_after_new_action(_facts(nc))
        except ncd.TransitionError as exc:
            raise _problems(exc, "nonconformity") from None
        save_recorded(action, actor)
        if status.value != nc.status:
            nc.status = status.value
            save_recorded(nc, actor)
    return action


def update_corrective_action(actor: User | None, action: CorrectiveAction, **values: Any) -> CorrectiveAction:
    with transaction.atomic():
        action = (
            CorrectiveAction.objects.select_for_update().select_related("nonconformity").get(pk=action.pk)
        )
        require_on(actor, Action.EDIT, owner_id=action.owner_id)
        if action.nonconformity.status == ncd.NcState.CLOSED:
            raise ValidationError({"nonconformity": "the nonconformity is closed"})
        if apply_changes(action, values, ACTION_FIELDS):
            save_recorded(action, actor)
    return action


def complete_corrective_action(
    actor: User | None, action: CorrectiveAction, *, evidence_note: str | None = None, done: bool = True
) -> CorrectiveAction:
    """Mark done (with what shows it) or not done again."""
    with transaction.atomic():
        action = (
            CorrectiveAction.objects.select_for_update().select_related("nonconformity").get(pk=action.pk)
        )
        require_on(actor, Action.EDIT, owner_id=action.owner_id)
        if action.nonconformity.status == ncd.NcState.CLOSED:
            raise ValidationError({"nonconformity": "the nonconformity is closed"})
        if evidence_note is not None:
            action.evidence_note = evidence_note.strip()
        action.done_at = (action.done_at or timezone.now()) if done else None
        save_recorded(action, actor)
    return action


def record_effectiveness_review(
    actor: User | None, nc: Nonconformity, *, effective: bool, notes: str = ""
) -> EffectivenessReview:
    """Judge the completed actions; not effective reopens the nonconformity for a new action."""
    with transaction.atomic():
        nc = Nonconformity.objects.select_for_update().get(pk=nc.pk)
        require_on(actor, Action.APPROVE, owner_id=nc.owner_id)
        try:
            status = ncd.status_after_review(_facts(nc), effective=effective)
        except ncd.TransitionError as exc:
            raise _problems(exc, "effective") from None
        review = EffectivenessReview(
            nonconformity=nc,
            reviewed_by=actor,
            reviewed_at=timezone.now(),
            effective=effective,
            notes=notes.strip(),
        )
        save_recorded(review, actor)
        if status.value != nc.status:
            nc.status = status.value
            save_recorded(nc, actor)
    return review
