"""Writes for the regulatory register: laws and regulations, their obligations, creation from a legal
PESTEL issue and adoption of the suggestions shipped in the catalogue (EU AI Act, GDPR, NIS2, DORA)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.catalogue.models import CatalogueEntry
from aisms.apps.compliance.models import Obligation, Regulation
from aisms.apps.compliance.services import _may, _save, entries_for
from aisms.apps.context.models import PestelCategory, PestelIssue
from aisms.apps.risks.models import Risk
from aisms.domain.access import Action
from aisms.domain.compliance.regulations import SuggestedRegulation, load_regulations

REGULATION_FIELDS = {
    "name",
    "short_name",
    "jurisdiction",
    "source_url",
    "applicability",
    "max_fixed_eur",
    "max_turnover_pct",
    "ceiling_rule",
    "penalty_basis",
    "owner",
    "pestel_issue",
}


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - REGULATION_FIELDS
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "not editable here"))


def suggestions() -> list[SuggestedRegulation]:
    """The shipped suggestions; the EU AI Act ceiling is read from the EU AI Act catalogue entry."""
    fines = {
        e.uid: e.attributes["max_fine"]
        for e in CatalogueEntry.objects.filter(source__key="eu-ai-act")
        if isinstance(e.attributes.get("max_fine"), dict)
    }
    return load_regulations(fines)


def create_regulation(actor: User, **fields: Any) -> Regulation:
    require(actor, Action.CREATE)
    _check_fields(fields)
    with transaction.atomic():
        regulation = Regulation(created_by=actor, **fields)
        if regulation.owner is None:
            regulation.owner = actor
        _save(regulation, actor, "created")
    return regulation


def _owner_ids(regulation: Regulation) -> tuple[int | None, ...]:
    """Who counts as owning a regulation (and its obligations): a contributor edits only those."""
    return (regulation.owner_id, regulation.created_by_id)


def update_regulation(actor: User, regulation: Regulation, **fields: Any) -> Regulation:
    _may(actor, Action.EDIT, _owner_ids(regulation))
    _check_fields(fields)
    with transaction.atomic():
        for name, value in fields.items():
            setattr(regulation, name, value)
        _save(regulation, actor, "edited")
    return regulation


def delete_regulation(actor: User, regulation: Regulation) -> None:
    require(actor, Action.DELETE)
    with transaction.atomic():
        regulation._history_user = actor  # type: ignore[attr-defined]  # simple-history reads it
        regulation.delete()


def add_obligation(
    actor: User,
    regulation: Regulation,
    *,
    text: str,
    control_uids: Iterable[str] = (),
    risks: Iterable[Risk] = (),
) -> Obligation:
    _may(actor, Action.EDIT, _owner_ids(regulation))
    if not text.strip():
        raise ValidationError({"text": "an obligation needs a text"})
    controls = entries_for(control_uids)
    with transaction.atomic():
        position = regulation.obligations.count() + 1
        obligation = Obligation(regulation=regulation, text=text.strip(), position=position)
        _save(obligation, actor, "added")
        obligation.controls.set(controls)
        obligation.risks.set(list(risks))
    return obligation


def update_obligation(
    actor: User,
    obligation: Obligation,
    *,
    text: str | None = None,
    control_uids: Iterable[str] | None = None,
    risks: Iterable[Risk] | None = None,
) -> Obligation:
    _may(actor, Action.EDIT, _owner_ids(obligation.regulation))
    controls = entries_for(control_uids) if control_uids is not None else None
    with transaction.atomic():
        if text is not None:
            if not text.strip():
                raise ValidationError({"text": "an obligation needs a text"})
            obligation.text = text.strip()
        _save(obligation, actor, "edited")
        if controls is not None:
            obligation.controls.set(controls)
        if risks is not None:
            obligation.risks.set(list(risks))
    return obligation


def delete_obligation(actor: User, obligation: Obligation) -> None:
    _may(actor, Action.EDIT, _owner_ids(obligation.regulation))
    with transaction.atomic():
        obligation._history_user = actor  # type: ignore[attr-defined]  # simple-history reads it
        obligation.delete()


def from_pestel_issue(actor: User, issue: PestelIssue) -> Regulation:
    """ "Add to regulatory register": a regulation named after a legal PESTEL issue, linked to it and to
    the issue's risks; a matching suggestion (by name) fills in the ceilings and obligations."""
    require(actor, Action.CREATE)
    if issue.category != PestelCategory.LEGAL:
        raise ValidationError({"pestel_issue": "only legal PESTEL issues feed the regulatory register"})
    existing = Regulation.objects.filter(pestel_issue=issue).first()
    if existing is not None:
        raise ValidationError({"pestel_issue": f"already in the register as {existing.short_name}"})
    words = f"{issue.title} {issue.description}".lower()
    match = next(
        (s for s in suggestions() if s.short_name.lower() in words or s.key.replace("-", " ") in words), None
    )
    with transaction.atomic():
        if match is not None and not Regulation.objects.filter(key=match.key).exists():
            regulation = adopt_suggestion(actor, match.key, issue=issue)
        else:
            regulation = create_regulation(
                actor,
                name=issue.title[:300],
                short_name=issue.title[:60],
                applicability=issue.effect or issue.description,
                pestel_issue=issue,
            )
        risks = list(issue.risks.all())
        if risks and not regulation.obligations.exists():
            add_obligation(actor, regulation, text=f"Comply with {regulation.short_name}", risks=risks)
        elif risks:
            for obligation in regulation.obligations.all():
                obligation.risks.add(*risks)
    return regulation


def adopt_suggestion(actor: User, key: str, *, issue: PestelIssue | None = None) -> Regulation:
    """Create a regulation, with its obligations and their controls, from a shipped suggestion."""
    require(actor, Action.CREATE)
    suggestion = next((s for s in suggestions() if s.key == key), None)
    if suggestion is None:
        raise ValidationError({"key": f"no suggested regulation {key!r}"})
    if Regulation.objects.filter(key=key).exists():
        raise ValidationError({"key": f"{suggestion.short_name} is already in the register"})
    p = suggestion.penalty
    with transaction.atomic():
        regulation = create_regulation(
            actor,
            name=suggestion.name,
            short_name=suggestion.short_name,
            jurisdiction=suggestion.jurisdiction,
            source_url=suggestion.source,
            max_fixed_eur=Decimal(str(p.fixed_eur)) if p.fixed_eur is not None else None,
            max_turnover_pct=Decimal(str(round(p.turnover_share * 100, 3)))
            if p.turnover_share is not None
            else None,
            ceiling_rule=p.rule.value,
            penalty_basis=suggestion.penalty_article,
            pestel_issue=issue,
            applicability=(issue.effect or issue.description) if issue else "",
        )
        regulation.key = key
        _save(regulation, actor)
        for obligation in suggestion.obligations:
            add_obligation(actor, regulation, text=obligation.text, control_uids=obligation.controls)
    return regulation
