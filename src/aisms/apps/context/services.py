"""Writes to the context of the organisation: profile, PESTEL issues, interested parties, scope."""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.context.models import (
    InterestedParty,
    IsmsScope,
    Organisation,
    PartyRequirement,
    PestelIssue,
    ScopeVersion,
)
from aisms.apps.risks.models import Risk
from aisms.catalogue.pestel_templates import PestelTemplates, load_builtin_templates
from aisms.domain.access import Action, Role, can_on_object
from aisms.domain.scope_compare import LineChange, compare_scopes

EDITABLE = ("name", "sector", "country", "headcount", "annual_turnover_eur", "description", "ai_use")


def current_organisation() -> Organisation | None:
    return Organisation.objects.order_by("pk").first()


def update_organisation(actor: User | None, **values: Any) -> Organisation:
    if actor is not None:
        require(actor, Action.MANAGE_ORGANISATION)
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "not an organisation field"))
    if "name" in values and not str(values["name"] or "").strip():
        raise ValidationError({"name": "the organisation needs a name"})
    if values.get("headcount") is not None and int(values["headcount"]) < 0:
        raise ValidationError({"headcount": "must be zero or more"})
    if values.get("annual_turnover_eur") is not None and Decimal(values["annual_turnover_eur"]) < 0:
        raise ValidationError({"annual_turnover_eur": "must be zero or more"})
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().order_by("pk").first() or Organisation()
        for name, value in values.items():
            setattr(organisation, name, value)
        if actor is not None:
            organisation._history_user = actor  # type: ignore[attr-defined]
        organisation.full_clean()
        organisation.save()
    return organisation


# ------------------------------------------------------------------ shared


def _may(actor: User, action: Action, owner_ids: tuple[int | None, ...] | None = None) -> None:
    require(actor, action)
    if owner_ids is None:
        return
    if not can_on_object(Role(actor.role), action, is_owner=actor.pk in owner_ids):
        raise PermissionDenied(f"only the item's owner or author may {action.value} it")


def _check_unknown(fields: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "not editable here"))


def _save(obj: Any, actor: User, reason: str = "") -> None:
    obj._history_user = actor
    if reason:
        obj._change_reason = reason
    obj.full_clean()
    obj.save()


# ------------------------------------------------------------------ PESTEL issues

ISSUE_FIELDS = {
    "category",
    "origin",
    "title",
    "description",
    "effect",
    "trend",
    "opportunities",
    "owner",
    "review_date",
}


def _issue_owners(issue: PestelIssue) -> tuple[int | None, ...]:
    return (issue.owner_id, issue.created_by_id)


@transaction.atomic
def create_issue(actor: User, *, risks: list[Risk] | None = None, **fields: Any) -> PestelIssue:
    _may(actor, Action.CREATE)
    _check_unknown(fields, ISSUE_FIELDS | {"template_id", "template_version"})
    if not str(fields.get("title", "")).strip():
        raise ValidationError({"title": "an issue needs a title"})
    fields["title"] = fields["title"].strip()
    issue = PestelIssue(created_by=actor, **fields)
    if issue.owner_id is None:
        issue.owner = actor
    _save(issue, actor)
    if risks:
        issue.risks.set(risks)
    return issue


@transaction.atomic
def update_issue(
    actor: User, issue: PestelIssue, *, risks: list[Risk] | None = None, **fields: Any
) -> PestelIssue:
    _may(actor, Action.EDIT, _issue_owners(issue))
    _check_unknown(fields, ISSUE_FIELDS)
    issue = PestelIssue.objects.select_for_update().get(pk=issue.pk)
    for name, value in fields.items():
        setattr(issue, name, value.strip() if name == "title" else value)
    if not issue.title:
        raise ValidationError({"title": "an issue needs a title"})
    _save(issue, actor)
    if risks is not None:
        issue.risks.set(risks)
    return issue


@transaction.atomic
def delete_issue(actor: User, issue: PestelIssue) -> None:
    require(actor, Action.DELETE)
    issue._history_user = actor  # type: ignore[attr-defined]
    issue.delete()


@transaction.atomic
def link_risks(actor: User, issue: PestelIssue, risks: list[Risk]) -> PestelIssue:
    """Add risks the issue raises (keeps the links already there)."""
    _may(actor, Action.EDIT, _issue_owners(issue))
    issue._history_user = actor  # type: ignore[attr-defined]
    issue.risks.add(*risks)
    return issue


@transaction.atomic
def adopt_template(
    actor: User, template_id: str, *, today: dt.date | None = None, templates: PestelTemplates | None = None
) -> PestelIssue:
    """Create an issue from a starter template; it can be edited like any other issue afterwards."""
    templates = templates or load_builtin_templates()
    template = templates.get(template_id)
    if template is None:
        raise ValidationError({"template": f"no PESTEL template {template_id!r}"})
    today = today or timezone.localdate()
    return create_issue(
        actor,
        category=template.category,
        origin=template.origin,
        title=template.title,
        description=template.description,
        effect=template.effect,
        trend=template.trend,
        opportunities=template.opportunities,
        review_date=add_months(today, template.review_months),
        template_id=template.id,
        template_version=templates.version,
    )


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@transaction.atomic
def mark_reviewed(
    actor: User, issue: PestelIssue, *, next_review: dt.date | None = None, notes: str = ""
) -> PestelIssue:
    """Record who reviewed the issue and when, and set the next review date (default: in six months)."""
    _may(actor, Action.EDIT, _issue_owners(issue))
    now = timezone.now()
    next_review = next_review or add_months(timezone.localdate(), DEFAULT_REVIEW_MONTHS)
    if next_review <= timezone.localdate():
        raise ValidationError({"next_review": "the next review must be in the future"})
    issue = PestelIssue.objects.select_for_update().get(pk=issue.pk)
    issue.reviewed_by = actor
    issue.reviewed_at = now
    issue.review_date = next_review
    _save(issue, actor, reason=("reviewed: " + notes.strip()) if notes.strip() else "reviewed")
    return issue


DEFAULT_REVIEW_MONTHS = 6


# ------------------------------------------------------------------ interested parties

PARTY_FIELDS = {"name", "kind", "description", "owner"}
REQUIREMENT_FIELDS = {"requirement", "addressed", "how_addressed"}


def _party_owners(party: InterestedParty) -> tuple[int | None, ...]:
    return (party.owner_id, party.created_by_id)


@transaction.atomic
def create_party(actor: User, **fields: Any) -> InterestedParty:
    _may(actor, Action.CREATE)
    _check_unknown(fields, PARTY_FIELDS)
    if not str(fields.get("name", "")).strip():
        raise ValidationError({"name": "a party needs a name"})
    party = InterestedParty(created_by=actor, **fields)
    if party.owner_id is None:
        party.owner = actor
    _save(party, actor)
    return party


@transaction.atomic
def update_party(actor: User, party: InterestedParty, **fields: Any) -> InterestedParty:
    _may(actor, Action.EDIT, _party_owners(party))
    _check_unknown(fields, PARTY_FIELDS)
    for name, value in fields.items():
        setattr(party, name, value)
    if not party.name.strip():
        raise ValidationError({"name": "a party needs a name"})
    _save(party, actor)
    return party


@transaction.atomic
def delete_party(actor: User, party: InterestedParty) -> None:
    require(actor, Action.DELETE)
    party._history_user = actor  # type: ignore[attr-defined]
    party.delete()


def _check_requirement(requirement: PartyRequirement) -> None:
    if not requirement.requirement.strip():
        raise ValidationError({"requirement": "say what the party requires"})
    if requirement.addressed and not requirement.how_addressed.strip():
        raise ValidationError({"how_addressed": "say how the ISMS addresses it"})


@transaction.atomic
def add_requirement(actor: User, party: InterestedParty, /, **fields: Any) -> PartyRequirement:
    _may(actor, Action.EDIT, _party_owners(party))
    _check_unknown(fields, REQUIREMENT_FIELDS)
    requirement = PartyRequirement(party=party, **fields)
    _check_requirement(requirement)
    _save(requirement, actor)
    return requirement


@transaction.atomic
def update_requirement(actor: User, row: PartyRequirement, /, **fields: Any) -> PartyRequirement:
    _may(actor, Action.EDIT, _party_owners(row.party))
    _check_unknown(fields, REQUIREMENT_FIELDS)
    for name, value in fields.items():
        setattr(row, name, value)
    _check_requirement(row)
    _save(row, actor)
    return row


@transaction.atomic
def delete_requirement(actor: User, row: PartyRequirement) -> None:
    """Remove a requirement the party no longer has; its history keeps what it said."""
    _may(actor, Action.EDIT, _party_owners(row.party))
    row._history_user = actor  # type: ignore[attr-defined]
    row.delete()


# ------------------------------------------------------------------ scope

SCOPE_FIELDS = {"statement", "in_scope", "out_of_scope", "interfaces", "dependencies"}


def draft_scope() -> IsmsScope:
    scope = IsmsScope.objects.order_by("pk").first()
    return scope if scope is not None else IsmsScope.objects.create()


def _clean_items(name: str, rows: Any) -> list[dict[str, str]]:
    if not isinstance(rows, list):
        raise ValidationError({name: "a list of {item, reason}"})
    out = []
    for row in rows:
        if not isinstance(row, dict) or not str(row.get("item", "")).strip():
            raise ValidationError({name: "each entry needs an item"})
        out.append({"item": str(row["item"]).strip(), "reason": str(row.get("reason", "")).strip()})
    return out


@transaction.atomic
def update_scope(actor: User, **fields: Any) -> IsmsScope:
    require(actor, Action.EDIT)
    _check_unknown(fields, SCOPE_FIELDS)
    for name in ("in_scope", "out_of_scope"):
        if name in fields:
            fields[name] = _clean_items(name, fields[name])
    scope = draft_scope()
    scope = IsmsScope.objects.select_for_update().get(pk=scope.pk)
    for name, value in fields.items():
        setattr(scope, name, value)
    scope.updated_at = timezone.now()
    _save(scope, actor)
    return scope


def scope_snapshot(scope: IsmsScope) -> dict[str, Any]:
    return {
        "statement": scope.statement,
        "in_scope": list(scope.in_scope),
        "out_of_scope": list(scope.out_of_scope),
        "interfaces": scope.interfaces,
        "dependencies": scope.dependencies,
    }


@transaction.atomic
def approve_scope(actor: User, *, notes: str = "") -> ScopeVersion:
    """Snapshot the draft as the next approved version (administrators and ISMS managers only)."""
    require(actor, Action.APPROVE)
    require(actor, Action.MANAGE_ORGANISATION)
    scope = draft_scope()
    if not scope.statement.strip():
        raise ValidationError({"statement": "write the scope statement before approving"})
    latest = ScopeVersion.objects.select_for_update().aggregate(v=Max("version"))["v"] or 0
    version = ScopeVersion(
        version=latest + 1, snapshot=scope_snapshot(scope), notes=notes.strip(), approved_by=actor
    )
    _save(version, actor, reason="approved")
    return version


def compare_versions(old: int, new: int | None) -> list[LineChange]:
    """Changes from version ``old`` to version ``new`` (or to the current draft when ``new`` is None)."""
    before = ScopeVersion.objects.get(version=old).snapshot
    after = scope_snapshot(draft_scope()) if new is None else ScopeVersion.objects.get(version=new).snapshot
    return compare_scopes(before, after)
