"""Writes to the organisation profile."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.context.models import Organisation
from aisms.domain.access import Action

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
