"""Test data builders: users of each role, API clients that authenticate as them."""

from __future__ import annotations

import itertools
from typing import Any

from django.test import Client

from aisms.domain.access import Role

PASSWORD = "a-long-test-passphrase-42"
_counter = itertools.count(1)


def make_user(role: str | Role, *, username: str | None = None, **fields: Any) -> Any:
    from aisms.apps.accounts.models import User

    role = Role(role)
    user = User(username=username or f"{role.value}-{next(_counter)}", role=role.value, **fields)
    user.set_password(PASSWORD)
    user.save()
    return user


def token_client(user: Any, days: int = 30) -> Client:
    """A Django test client that sends a fresh bearer token for the user (no session, no CSRF)."""
    from aisms.apps.accounts.tokens import issue_token

    issued = issue_token(user, "test", days)
    return Client(HTTP_AUTHORIZATION=f"Bearer {issued.secret}")


def session_client(user: Any, *, enforce_csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=enforce_csrf)
    client.force_login(user)
    return client
