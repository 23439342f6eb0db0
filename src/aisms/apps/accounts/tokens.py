"""Personal access tokens: creation (secret shown once), lookup by bearer value, revocation."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from aisms.apps.accounts.models import ApiToken, User

TOKEN_PREFIX = "aisms"  # noqa: S105 - a public marker that starts every token, not a secret


class TokenError(ValueError):
    pass


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # the full bearer value; never stored, shown to the user once


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def issue_token(
    user: User, name: str, days: int | None = None, *, now: datetime | None = None
) -> IssuedToken:
    name = name.strip()
    if not name:
        raise TokenError("name: give the token a name so you can recognise it later")
    days = settings.AISMS_TOKEN_DEFAULT_DAYS if days is None else days
    if not 1 <= days <= settings.AISMS_TOKEN_MAX_DAYS:
        raise TokenError(f"days: a token lives between 1 and {settings.AISMS_TOKEN_MAX_DAYS} days")
    now = now or timezone.now()
    prefix = secrets.token_hex(6)
    secret = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name[:100],
            prefix=prefix,
            digest=_digest(secret),
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
    return IssuedToken(token=token, secret=secret)


def authenticate_bearer(value: str, *, now: datetime | None = None) -> User | None:
    """The active user a bearer value belongs to, or None (unknown, expired, revoked, inactive user)."""
    parts = value.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.digest, _digest(value)):
        return None
    now = now or timezone.now()
    if not token.is_active_at(now) or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def revoke_token(user: User, token_id: int, *, now: datetime | None = None) -> ApiToken:
    """Revoke one of the user's own tokens (revoking twice is harmless)."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(pk=token_id, user=user).first()
        if token is None:
            raise ApiToken.DoesNotExist
        if token.revoked_at is None:
            token.revoked_at = now or timezone.now()
            token.save(update_fields=["revoked_at"])
    return token
