"""Writes to the risk register: method versions, risks, scores, acceptance, treatment actions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.assets.models import Asset
from aisms.apps.catalogue.models import CatalogueEntry
from aisms.apps.risks.models import (
    ActionStatus,
    Risk,
    RiskMethodVersion,
    RiskStatus,
    Treatment,
    TreatmentAction,
)
from aisms.domain.access import Action, Role, can_on_object
from aisms.domain.risk_method import (
    DEFAULT_METHOD,
    AcceptanceRequest,
    RiskMethod,
    RiskMethodError,
    ScoreError,
    acceptance_problems,
    method_from_dict,
    method_to_dict,
    score,
    validate_method,
)

AI_THREAT_CATALOGUES = ("atlas", "owasp-llm", "owasp-ml")


# ------------------------------------------------------------------ method


def current_method_row() -> RiskMethodVersion:
    """The current method version, creating version 1 from the default method on first use."""
    row = RiskMethodVersion.objects.filter(is_current=True).first()
    if row is not None:
        return row
    with transaction.atomic():
        row = RiskMethodVersion.objects.select_for_update().filter(is_current=True).first()
        if row is None:
            row = RiskMethodVersion.objects.create(
                version=DEFAULT_METHOD.version,
                name=DEFAULT_METHOD.name,
                definition=method_to_dict(DEFAULT_METHOD),
                is_current=True,
                notes="The default method aisms starts with.",
            )
    return row


def current_method() -> RiskMethod:
    return method_from_dict(current_method_row().definition)


def method_version(version: int) -> RiskMethod:
    return method_from_dict(RiskMethodVersion.objects.get(version=version).definition)


def publish_method(actor: User, definition: dict[str, Any], notes: str) -> RiskMethodVersion:
    """Save a changed method as a new version; risks scored with older versions need re-assessment."""
    require(actor, Action.MANAGE_ORGANISATION)
    if not notes.strip():
        raise ValidationError({"notes": "say why the method changes"})
    with transaction.atomic():
        latest = RiskMethodVersion.objects.aggregate(v=Max("version"))["v"] or 0
        method = method_from_dict({**definition, "version": latest + 1})
        problems = validate_method(method)
        if problems:
            raise ValidationError({p.field: p.message for p in problems})
        RiskMethodVersion.objects.filter(is_current=True).update(is_current=False)
        row = RiskMethodVersion(
            version=method.version,
            name=method.name,
            definition=method_to_dict(method),
            is_current=True,
            notes=notes.strip(),
            created_by=actor,
        )
        row._history_user = actor  # type: ignore[attr-defined]
        row.save()
    return row


# ------------------------------------------------------------------ risks


@dataclass(frozen=True)
class Scores:
    inherent: tuple[int, int]
    current: tuple[int, int]
    target: tuple[int, int]


def _levels(method: RiskMethod, scores: Scores) -> dict[str, Any]:
    values: dict[str, Any] = {"method_version": method.version}
    for name, (likelihood, impact) in (
        ("inherent", scores.inherent),
        ("current", scores.current),
        ("target", scores.target),
    ):
        try:
            level = score(method, likelihood, impact)
        except ScoreError as exc:
            raise ValidationError({f"{name}_likelihood": str(exc)}) from exc
        values.update(
            {f"{name}_likelihood": likelihood, f"{name}_impact": impact, f"{name}_level": level.key}
        )
    return values


def _may(actor: User, action: Action, risk: Risk | None) -> None:
    require(actor, action)
    if risk is None:
        return
    is_owner = actor.pk in (risk.owner_id, risk.created_by_id)
    if not can_on_object(Role(actor.role), action, is_owner=is_owner):
        raise PermissionDenied(f"only the risk's owner or author may {action.value} {risk.ref}")


def _next_ref() -> str:
    numbers = [int(ref[2:]) for ref in Risk.objects.values_list("ref", flat=True) if ref[2:].isdigit()]
    return f"R-{max(numbers, default=0) + 1:03d}"


def _check_threat(threat: CatalogueEntry | None, custom_threat: str) -> None:
    if threat is None and not custom_threat.strip():
        raise ValidationError({"threat": "choose a catalogue threat or describe a custom one"})


@transaction.atomic
def create_risk(
    actor: User,
    *,
    title: str,
    scores: Scores,
    assets: list[Asset] | None = None,
    threat: CatalogueEntry | None = None,
    custom_threat: str = "",
    owner: User | None = None,
    **fields: Any,
) -> Risk:
    _may(actor, Action.CREATE, None)
    if not title.strip():
        raise ValidationError({"title": "a risk needs a title"})
    _check_threat(threat, custom_threat)
    method = current_method()
    risk = Risk(
        ref=_next_ref(),
        title=title.strip(),
        threat=threat,
        custom_threat=custom_threat.strip(),
        owner=owner,
        created_by=actor,
        **_levels(method, scores),
        **fields,
    )
    risk._history_user = actor  # type: ignore[attr-defined]
    risk.full_clean()
    risk.save()
    if assets:
        risk.assets.set(assets)
    return risk


_EDITABLE = {
    "title",
    "description",
    "vulnerability",
    "consequences",
    "owner",
    "threat",
    "custom_threat",
    "treatment",
    "treatment_notes",
    "review_date",
    "status",
}


@transaction.atomic
def update_risk(
    actor: User,
    risk: Risk,
    *,
    scores: Scores | None = None,
    assets: list[Asset] | None = None,
    reason: str = "",
    **fields: Any,
) -> Risk:
    """Edit a risk; new scores are made with the current method (and void an earlier acceptance)."""
    _may(actor, Action.EDIT, risk)
    unknown = set(fields) - _EDITABLE
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "not editable here"))
    risk = Risk.objects.select_for_update().get(pk=risk.pk)
    if fields.get("status") == RiskStatus.ACCEPTED and risk.status != RiskStatus.ACCEPTED:
        raise ValidationError({"status": "a risk becomes accepted only through the owner's sign-off"})
    for name, value in fields.items():
        setattr(risk, name, value)
    _check_threat(risk.threat, risk.custom_threat)
    if scores is not None:
        before = (risk.method_version, risk.target_level)
        for name, value in _levels(current_method(), scores).items():
            setattr(risk, name, value)
        if risk.accepted_at and (risk.method_version, risk.target_level) != before:
            _clear_acceptance(risk)
    risk.updated_at = timezone.now()
    risk._history_user = actor  # type: ignore[attr-defined]
    if reason:
        risk._change_reason = reason  # type: ignore[attr-defined]
    risk.full_clean()
    risk.save()
    if assets is not None:
        risk.assets.set(assets)
    return risk


def _clear_acceptance(risk: Risk) -> None:
    risk.accepted_by = None
    risk.accepted_at = None
    risk.accepted_level = ""
    risk.acceptance_justification = ""
    risk.acceptance_exception = False
    if risk.status == RiskStatus.ACCEPTED:
        risk.status = RiskStatus.OPEN


@transaction.atomic
def accept_risk(actor: User, risk: Risk, *, justification: str, exception: bool = False) -> Risk:
    """The owner (or a role the level allows) signs off the residual (target) risk."""
    require(actor, Action.APPROVE)
    risk = Risk.objects.select_for_update().get(pk=risk.pk)
    method = current_method()
    if risk.method_version != method.version:
        raise ValidationError({"method_version": f"re-assess {risk.ref} with method v{method.version} first"})
    level = method.level(risk.target_level)
    request = AcceptanceRequest(
        role=Role(actor.role),
        is_owner=risk.owner_id == actor.pk,
        justification=justification,
        exception=exception,
    )
    problems = acceptance_problems(level, request)
    if problems:
        if any("may not accept" in p or "owner may accept" in p for p in problems):
            raise PermissionDenied("; ".join(problems))
        raise ValidationError({"justification": problems})
    risk.accepted_by = actor
    risk.accepted_at = timezone.now()
    risk.accepted_level = level.key
    risk.acceptance_justification = justification.strip()
    risk.acceptance_exception = exception and not level.within_appetite
    risk.status = RiskStatus.ACCEPTED
    if not risk.treatment:
        risk.treatment = Treatment.ACCEPT
    risk._history_user = actor  # type: ignore[attr-defined]
    risk._change_reason = "residual risk accepted" + (" as an exception" if risk.acceptance_exception else "")  # type: ignore[attr-defined]
    risk.save()
    return risk


# ------------------------------------------------------------------ treatment actions


def _check_controls(controls: list[CatalogueEntry]) -> None:
    wrong = [c.uid for c in controls if c.source.key != "iso27002" or c.kind != "control"]
    if wrong:
        raise ValidationError({"controls": f"not ISO/IEC 27002:2022 controls: {', '.join(wrong)}"})


@transaction.atomic
def add_action(
    actor: User,
    risk: Risk,
    *,
    title: str,
    controls: list[CatalogueEntry] | None = None,
    owner: User | None = None,
    due_date: dt.date | None = None,
    description: str = "",
) -> TreatmentAction:
    _may(actor, Action.EDIT, risk)
    if not title.strip():
        raise ValidationError({"title": "an action needs a title"})
    controls = controls or []
    _check_controls(controls)
    action = TreatmentAction(
        risk=risk, title=title.strip(), description=description, owner=owner, due_date=due_date
    )
    action._history_user = actor  # type: ignore[attr-defined]
    action.save()
    action.controls.set(controls)
    if risk.status == RiskStatus.OPEN:
        risk.status = RiskStatus.IN_TREATMENT
        if not risk.treatment:
            risk.treatment = Treatment.MITIGATE
        risk._history_user = actor  # type: ignore[attr-defined]
        risk.save(update_fields=["status", "treatment"])
    return action


@transaction.atomic
def update_action(
    actor: User, action: TreatmentAction, *, controls: list[CatalogueEntry] | None = None, **fields: Any
) -> TreatmentAction:
    _may(actor, Action.EDIT, action.risk)
    allowed = {"title", "description", "owner", "due_date", "status"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "not editable here"))
    for name, value in fields.items():
        setattr(action, name, value)
    if action.status == ActionStatus.DONE and action.completed_at is None:
        action.completed_at = timezone.now()
    elif action.status != ActionStatus.DONE:
        action.completed_at = None
    action._history_user = actor  # type: ignore[attr-defined]
    action.full_clean()
    action.save()
    if controls is not None:
        _check_controls(controls)
        action.controls.set(controls)
    return action


__all__ = ["RiskMethodError", "Scores"]
