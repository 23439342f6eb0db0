"""The audits router that every endpoint module registers on, and the request helpers they share."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.audits.models import (
    AuditProgramme,
)
from aisms.domain.access import Action

router = Router(tags=["audits"])


def username_of(user: User | None) -> str | None:
    return user.username if user else None


def actor_of(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def viewer_of(request: HttpRequest) -> User:
    user = actor_of(request)
    require(user, Action.VIEW)
    return user


def active_user(username: str | None, field: str = "owner") -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise HttpError(422, f"{field}: no active user named {username!r}")
    return user


def active_users(names: list[str], field: str) -> list[User]:
    return [u for u in (active_user(n, field) for n in names) if u is not None]


def programme_or_422(pk: int | None) -> AuditProgramme | None:
    if pk is None:
        return None
    found = AuditProgramme.objects.filter(pk=pk).first()
    if found is None:
        raise HttpError(422, f"programme: no audit programme {pk}")
    return found


def given_fields(payload: Schema) -> dict[str, Any]:
    return payload.dict(exclude_unset=True)
