"""Shared by the audits writes: saving a record with its history author after validation, applying the
changes a form or API may make, and checking catalogue uids of clauses and controls."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from aisms.apps.accounts.models import User
from aisms.apps.catalogue.models import CatalogueEntry

CLAUSE_PREFIX = "iso27001:2022:"
CONTROL_PREFIX = "iso27002:2022:"


def save_recorded(obj: models.Model, actor: User | None) -> None:
    if actor is not None:
        obj._history_user = actor  # type: ignore[attr-defined]
    obj.full_clean()
    obj.save()


def strip_text(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}


def apply_changes(obj: models.Model, values: dict[str, Any], allowed: Iterable[str]) -> bool:
    allowed = set(allowed)
    unknown = set(values) - allowed
    if unknown:
        raise ValidationError({sorted(unknown)[0]: "this field cannot be changed here"})
    changed = False
    for name, value in strip_text(values).items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def checked_uids(uids: list[str], prefix: str, kind: str, field: str) -> list[str]:
    cleaned = list(dict.fromkeys(u.strip() for u in uids if u.strip()))
    wrong = [u for u in cleaned if not u.startswith(prefix)]
    if wrong:
        raise ValidationError({field: f"not a {prefix[:-1]} uid: {', '.join(wrong[:5])}"})
    known = set(CatalogueEntry.objects.filter(uid__in=cleaned, kind=kind).values_list("uid", flat=True))
    missing = [u for u in cleaned if u not in known]
    if missing:
        raise ValidationError({field: f"unknown {kind}: {', '.join(missing[:5])}"})
    return cleaned
