"""Writes for users: create, change role, deactivate; each checked against the access policy."""

from __future__ import annotations

import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from aisms.apps.accounts.models import User
from aisms.domain.access import Action, Role, can


def require(user: User, action: Action) -> None:
    """Raise PermissionDenied unless the user is active and their role allows the action."""
    if not user.is_authenticated or not user.is_active or not can(Role(user.role), action):
        raise PermissionDenied(f"your role may not {action.value.replace('_', ' ')}")


def generate_password() -> str:
    return secrets.token_urlsafe(15)


def create_user(
    username: str,
    role: Role,
    *,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    password: str | None = None,
    actor: User | None = None,
) -> tuple[User, str]:
    """Create a user; returns the user and the password (generated when none is given)."""
    if actor is not None:
        require(actor, Action.MANAGE_USERS)
    username = username.strip()
    if not username:
        raise ValidationError({"username": "a user name is required"})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"a user named {username!r} already exists"})
    password = password or generate_password()
    user = User(username=username, email=email, first_name=first_name, last_name=last_name, role=role.value)
    validate_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.is_staff = False
        user.is_superuser = False
        if actor is not None:
            user._history_user = actor  # type: ignore[attr-defined]
        user.save()
    return user, password


def update_user(
    actor: User, target: User, *, role: Role | None = None, is_active: bool | None = None
) -> User:
    require(actor, Action.MANAGE_USERS)
    if target.pk == actor.pk and (is_active is False or (role is not None and role != Role.ADMINISTRATOR)):
        raise ValidationError({"role": "you cannot remove your own administrator access"})
    with transaction.atomic():
        if role is not None:
            target.role = role.value
        if is_active is not None:
            target.is_active = is_active
        target._history_user = actor  # type: ignore[attr-defined]
        target.save()
    return target
