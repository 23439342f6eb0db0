"""Writes to the Statement of Applicability: rows for every control, decisions, approved versions."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.catalogue.models import CatalogueEntry
from aisms.apps.context.services import current_organisation
from aisms.apps.controls import selectors
from aisms.apps.controls.models import (
    ANNEX_A_CONTROLS,
    STATUS_CHOICES,
    ControlImplementation,
    SoAVersion,
    VersionStatus,
)
from aisms.domain import soa
from aisms.domain.access import Action, Role, can_on_object

EDITABLE = ("applicable", "justification", "implementation_status", "owner", "notes")


def ensure_rows() -> int:
    """Create the missing row of every Annex A control (included, not started); returns how many."""
    have = ControlImplementation.objects.values("control_id")
    missing = list(
        CatalogueEntry.objects.filter(**ANNEX_A_CONTROLS, withdrawn=False)
        .exclude(pk__in=have)
        .values_list("pk", flat=True)
    )
    if not missing:
        return 0
    rows = [ControlImplementation(control_id=pk) for pk in missing]
    try:
        with transaction.atomic():
            bulk_create_with_history(rows, ControlImplementation, default_change_reason="added to the SoA")
    except IntegrityError:
        return 0  # a concurrent request created them first
    return len(rows)


def can_edit(user: User, owner_id: int | None) -> bool:
    """Whether the user may record decisions on a control with this owner (contributors: their own)."""
    if not user.is_authenticated or not user.is_active:
        return False
    is_owner = owner_id is not None and owner_id == user.pk
    return can_on_object(Role(user.role), Action.EDIT, is_owner=is_owner)


def can_approve(user: User) -> bool:
    """The SoA belongs to the ISMS, not to one person: roles whose approval is bound to what they own
    (risk owners) may not approve it."""
    if not user.is_authenticated or not user.is_active:
        return False
    return can_on_object(Role(user.role), Action.APPROVE, is_owner=False)


def check_may_edit(actor: User, row: ControlImplementation) -> None:
    require(actor, Action.EDIT)
    if not can_edit(actor, row.owner_id):
        raise PermissionDenied(f"only the owner of control {row.control.ref} may edit it in the SoA")


@transaction.atomic
def update_row(
    actor: User, row: ControlImplementation, *, reason: str = "", **fields: Any
) -> ControlImplementation:
    """Record a decision on one control. Every decision, inclusion or exclusion, needs a justification."""
    check_may_edit(actor, row)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "not editable here"))
    row = ControlImplementation.objects.select_for_update().select_related("control").get(pk=row.pk)
    for name, value in fields.items():
        if name == "justification" or name == "notes":
            value = (value or "").strip()
        setattr(row, name, value)
    if row.implementation_status not in dict(STATUS_CHOICES):
        raise ValidationError(
            {
                "implementation_status": f"one of {', '.join(dict(STATUS_CHOICES))} (excluded controls are "
                "not applicable by definition)"
            }
        )
    if not row.justification:
        decision = "including" if row.applicable else "excluding"
        raise ValidationError({"justification": f"give the reason for {decision} control {row.control.ref}"})
    if row.owner is not None and not row.owner.is_active:
        raise ValidationError({"owner": f"{row.owner.username} is deactivated"})
    row.updated_at = timezone.now()
    row._history_user = actor  # type: ignore[attr-defined]
    if reason:
        row._change_reason = reason  # type: ignore[attr-defined]
    row.full_clean()
    row.save()
    return row


def _may_approve(actor: User) -> None:
    require(actor, Action.APPROVE)
    if not can_approve(actor):
        raise PermissionDenied("your role may not approve the Statement of Applicability")


@transaction.atomic
def approve_version(actor: User, *, notes: str = "") -> SoAVersion:
    """Freeze the current SoA, with its derived risks and actions, as the next approved version.

    Refused (listing every problem) while any row has a problem an auditor would flag."""
    _may_approve(actor)
    ensure_rows()
    # Lock every row: edits wait until the snapshot is taken; concurrent approvals run one after another.
    list(ControlImplementation.objects.select_for_update().values_list("pk", flat=True))
    rows = selectors.current_rows()
    found = soa.problems(rows)
    if found:
        raise ValidationError({"problems": [str(problem) for problem in found]})
    latest = SoAVersion.objects.aggregate(v=Max("version"))["v"] or 0
    organisation = current_organisation()
    now = timezone.now()
    version = SoAVersion(
        version=latest + 1,
        status=VersionStatus.APPROVED,
        approved_by=actor,
        approved_at=now,
        notes=notes.strip(),
        snapshot=soa.snapshot(
            rows,
            organisation=organisation.name if organisation else "",
            catalogue=selectors.catalogue_label(),
            approved_by=actor.get_full_name() or actor.username,
            approved_at=now.isoformat(),
        ),
    )
    version._history_user = actor  # type: ignore[attr-defined]
    version._change_reason = f"approved with {len(rows)} controls"  # type: ignore[attr-defined]
    version.save()
    return version
