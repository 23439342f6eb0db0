"""Small facts every report prints: the organisation's name and people's names."""

from __future__ import annotations

from typing import Any

from aisms.apps.context.models import Organisation


def organisation_name() -> str:
    org = Organisation.objects.order_by("pk").first()
    return org.name if org else "Organisation not set up"


def person(user: Any) -> str:
    if user is None:
        return ""
    return str(user.get_full_name() or user.username)
