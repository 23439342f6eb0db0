"""Who may do audit work. The global policy (aisms.domain.access) keeps auditors read-only for the
registers; audit work is the exception: an auditor creates audits, records checklist results and
findings and raises nonconformities (they are the auditors). Everything else follows the usual rules;
closing a nonconformity and judging corrective actions effective need APPROVE."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.domain.access import Action, Role, can_on_object

AUDIT_WORK_ROLES = frozenset({Role.AUDITOR})


def may_do_audit_work(user: User | None, action: Action, *, is_team: bool = True) -> bool:
    """Whether the user may take a CREATE or EDIT action on audit work (audits, checklist, findings, NCs).

    is_team: the user leads or is an auditor of the audit concerned. Auditors and contributors edit only
    audits they are on (an auditor does not rewrite a colleague's checklist or findings); any auditor may
    plan a new audit, which makes them its lead, and raise a nonconformity.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    role = Role(user.role)
    if role in AUDIT_WORK_ROLES:
        return action is Action.CREATE or is_team
    return can_on_object(role, action, is_owner=is_team)


def require_audit_work(user: User | None, action: Action, *, is_team: bool = True) -> None:
    if user is None:
        return  # the system (demo, CLI)
    if not may_do_audit_work(user, action, is_team=is_team):
        raise PermissionDenied(f"your role may not {action.value} this audit work")


def on_team(user: User | None, audit: Any) -> bool:
    """Whether the user leads the audit or is one of its auditors."""
    if user is None:
        return True
    return bool(audit.lead_auditor_id == user.pk or audit.auditors.filter(pk=user.pk).exists())


def require_on(user: User | None, action: Action, *, owner_id: int | None) -> None:
    """The usual rule, narrowed to objects the user owns where the policy says so."""
    if user is None:
        return
    require(user, action)
    if not can_on_object(Role(user.role), action, is_owner=owner_id == user.pk):
        raise PermissionDenied(f"your role may {action.value} only what you own")
