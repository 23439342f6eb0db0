"""Users and personal API tokens against the real database."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError

from aisms.apps.accounts.models import ApiToken, User
from aisms.apps.accounts.services import create_user, update_user
from aisms.apps.accounts.tokens import TokenError, authenticate_bearer, issue_token, revoke_token
from aisms.apps.web.history import object_history
from aisms.domain.access import Role
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def quick_user(role: str, *, username: str | None = None, **fields: object) -> User:
    """A user without a usable password: no (slow, argon2) hashing where passwords do not matter."""
    user = User(username=username or f"quick-{User.objects.count() + 1}-{role}", role=role, **fields)
    user.set_unusable_password()
    user.save()
    return user


# --- tokens -------------------------------------------------------------------------------------------------


def test_issued_secret_is_not_stored_only_its_digest() -> None:
    user = quick_user("contributor")
    issued = issue_token(user, "  CI pipeline  ", 30, now=T0)
    token = ApiToken.objects.get(pk=issued.token.pk)
    assert token.digest == hashlib.sha256(issued.secret.encode()).hexdigest()
    assert token.name == "CI pipeline"
    assert token.expires_at == T0 + timedelta(days=30)
    assert issued.secret.startswith(f"aisms_{token.prefix}_")
    stored_values = [str(v) for v in ApiToken.objects.filter(pk=token.pk).values().get().values()]
    assert all(issued.secret not in value for value in stored_values)
    history_values = [str(v) for row in ApiToken.history.filter(id=token.pk).values() for v in row.values()]
    assert history_values
    assert all(issued.secret not in value for value in history_values)
    assert all(token.digest not in value for value in history_values)


def test_two_tokens_have_different_secrets() -> None:
    user = quick_user("contributor")
    first, second = issue_token(user, "a", 1), issue_token(user, "b", 1)
    assert first.secret != second.secret
    assert first.token.prefix != second.token.prefix


def test_bearer_accepted_until_expiry() -> None:
    user = quick_user("risk_owner")
    issued = issue_token(user, "script", 1, now=T0)
    assert authenticate_bearer(issued.secret, now=T0) == user
    assert authenticate_bearer(issued.secret, now=T0 + timedelta(days=1, seconds=-1)) == user
    assert authenticate_bearer(issued.secret, now=T0 + timedelta(days=1)) is None
    assert authenticate_bearer(issued.secret, now=T0 + timedelta(days=2)) is None


def test_bearer_records_last_use() -> None:
    user = quick_user("risk_owner")
    issued = issue_token(user, "script", 5, now=T0)
    assert ApiToken.objects.get(pk=issued.token.pk).last_used_at is None
    authenticate_bearer(issued.secret, now=T0 + timedelta(hours=1))
    assert ApiToken.objects.get(pk=issued.token.pk).last_used_at == T0 + timedelta(hours=1)


def test_bearer_refused_after_revocation() -> None:
    user = quick_user("contributor")
    issued = issue_token(user, "script", 30, now=T0)
    assert authenticate_bearer(issued.secret, now=T0 + timedelta(hours=1)) == user
    revoked = revoke_token(user, issued.token.pk, now=T0 + timedelta(hours=2))
    assert revoked.revoked_at == T0 + timedelta(hours=2)
    assert authenticate_bearer(issued.secret, now=T0 + timedelta(hours=3)) is None
    # revoking twice is harmless and keeps the first revocation time
    again = revoke_token(user, issued.token.pk, now=T0 + timedelta(hours=4))
    assert again.revoked_at == T0 + timedelta(hours=2)


def test_bearer_refused_for_a_deactivated_user() -> None:
    user = quick_user("contributor")
    issued = issue_token(user, "script", 30, now=T0)
    user.is_active = False
    user.save()
    assert authenticate_bearer(issued.secret, now=T0 + timedelta(hours=1)) is None


def test_bearer_refused_when_tampered() -> None:
    user = quick_user("contributor")
    issued = issue_token(user, "script", 30, now=T0)
    last = issued.secret[-1]
    tampered = issued.secret[:-1] + ("A" if last != "A" else "B")
    assert authenticate_bearer(tampered, now=T0) is None
    assert authenticate_bearer(issued.secret + "x", now=T0) is None
    prefix = issued.token.prefix
    other_prefix = ("0" if prefix[0] != "0" else "1") + prefix[1:]
    assert authenticate_bearer(issued.secret.replace(prefix, other_prefix, 1), now=T0) is None
    assert authenticate_bearer(issued.secret, now=T0) == user


@pytest.mark.parametrize(
    "value",
    [
        "",
        "garbage",
        "aisms",
        "aisms_",
        "aisms__",
        "aisms_abc_def",
        "Bearer aisms_x_y",
        "other_abc_def",
        "_" * 40,
    ],
)
def test_bearer_refused_for_garbage(value: str) -> None:
    user = quick_user("contributor")
    issue_token(user, "script", 30)
    assert authenticate_bearer(value) is None


@pytest.mark.parametrize("days", [0, -1, 367, 1000])
def test_token_lifetime_outside_bounds_refused(days: int) -> None:
    user = quick_user("contributor")
    with pytest.raises(TokenError, match="between 1 and 366 days"):
        issue_token(user, "script", days)
    assert not ApiToken.objects.filter(user=user).exists()


@pytest.mark.parametrize("days", [1, 366])
def test_token_lifetime_bounds_accepted(days: int) -> None:
    user = quick_user("contributor")
    issued = issue_token(user, "script", days, now=T0)
    assert issued.token.expires_at == T0 + timedelta(days=days)


def test_token_needs_a_name() -> None:
    user = quick_user("contributor")
    with pytest.raises(TokenError, match="name"):
        issue_token(user, "   ", 30)
    assert not ApiToken.objects.filter(user=user).exists()


def test_revoking_another_users_token_is_refused() -> None:
    owner = quick_user("contributor")
    other = quick_user("administrator")
    issued = issue_token(owner, "mine", 30, now=T0)
    with pytest.raises(ApiToken.DoesNotExist):
        revoke_token(other, issued.token.pk, now=T0)
    assert ApiToken.objects.get(pk=issued.token.pk).revoked_at is None
    assert authenticate_bearer(issued.secret, now=T0 + timedelta(hours=1)) == owner


def test_revoking_an_unknown_token_is_refused() -> None:
    user = quick_user("contributor")
    with pytest.raises(ApiToken.DoesNotExist):
        revoke_token(user, 987654321)


# --- users --------------------------------------------------------------------------------------------------


def test_create_user_generates_a_valid_password() -> None:
    user, password = create_user("carol", Role.RISK_OWNER, email="carol@example.org")
    validate_password(password, user)  # raises if any configured validator refuses it
    assert len(password) >= 12
    stored = User.objects.get(username="carol")
    assert stored.role == "risk_owner"
    assert stored.email == "carol@example.org"
    assert stored.check_password(password)
    assert stored.is_staff is False
    assert stored.is_superuser is False
    assert stored.password.startswith("argon2")
    assert password not in stored.password


def test_create_user_generates_different_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher"
    ]  # speed; not under test here
    _, first = create_user("dave", Role.CONTRIBUTOR)
    _, second = create_user("erin", Role.CONTRIBUTOR)
    assert first != second


def test_create_user_with_a_weak_password_is_refused() -> None:
    with pytest.raises(ValidationError):
        create_user("frank", Role.CONTRIBUTOR, password="password")
    assert not User.objects.filter(username="frank").exists()


@pytest.mark.parametrize("duplicate", ["carol", "Carol", "CAROL", " carol "])
def test_create_user_refuses_duplicate_names_ignoring_case(duplicate: str) -> None:
    quick_user("contributor", username="carol")
    with pytest.raises(ValidationError) as caught:
        create_user(duplicate, Role.ADMINISTRATOR)
    assert "username" in caught.value.message_dict
    assert User.objects.filter(username__iexact="carol").count() == 1
    assert User.objects.get(username__iexact="carol").role == "contributor"


def test_create_user_by_a_non_administrator_is_refused() -> None:
    manager = quick_user("isms_manager")
    with pytest.raises(PermissionDenied):
        create_user("grace", Role.ADMINISTRATOR, actor=manager)
    assert not User.objects.filter(username="grace").exists()


def test_passwords_are_hashed_with_argon2() -> None:
    user = make_user("auditor")
    stored = User.objects.get(pk=user.pk)
    assert stored.password.startswith("argon2$argon2")
    assert PASSWORD not in stored.password
    assert stored.check_password(PASSWORD)


@pytest.mark.parametrize("role", ["isms_manager", "risk_owner", "contributor", "auditor"])
def test_update_user_by_non_administrator_is_refused_and_changes_nothing(role: str) -> None:
    actor = quick_user(role)
    target = quick_user("contributor")
    history_before = User.history.filter(id=target.pk).count()
    with pytest.raises(PermissionDenied):
        update_user(actor, target, role=Role.ADMINISTRATOR, is_active=False)
    stored = User.objects.get(pk=target.pk)
    assert (stored.role, stored.is_active) == ("contributor", True)
    assert User.history.filter(id=target.pk).count() == history_before


def test_deactivated_administrator_may_not_update_users() -> None:
    admin = quick_user("administrator", is_active=False)
    target = quick_user("contributor")
    with pytest.raises(PermissionDenied):
        update_user(admin, target, role=Role.AUDITOR)
    assert User.objects.get(pk=target.pk).role == "contributor"


@pytest.mark.parametrize(
    ("role", "is_active"),
    [(None, False), (Role.ISMS_MANAGER, None), (Role.AUDITOR, True), (Role.ADMINISTRATOR, False)],
)
def test_administrator_cannot_remove_own_access(role: Role | None, is_active: bool | None) -> None:
    admin = quick_user("administrator")
    with pytest.raises(ValidationError):
        update_user(admin, admin, role=role, is_active=is_active)
    stored = User.objects.get(pk=admin.pk)
    assert (stored.role, stored.is_active) == ("administrator", True)


def test_administrator_may_keep_own_role() -> None:
    admin = quick_user("administrator")
    update_user(admin, admin, role=Role.ADMINISTRATOR, is_active=True)
    stored = User.objects.get(pk=admin.pk)
    assert (stored.role, stored.is_active) == ("administrator", True)


def test_role_change_is_recorded_in_history_with_the_actor() -> None:
    admin = quick_user("administrator", username="history-admin")
    target = quick_user("contributor")
    update_user(admin, target, role=Role.RISK_OWNER)
    assert User.objects.get(pk=target.pk).role == "risk_owner"

    _, items = object_history("user", str(target.pk))
    assert [item.action for item in items] == ["changed", "created"]
    latest = items[0]
    assert latest.user == "history-admin"
    assert [(c.field, c.old, c.new) for c in latest.changes] == [("role", "contributor", "risk_owner")]


def test_deactivation_is_recorded_in_history_and_blocks_tokens() -> None:
    admin = quick_user("administrator", username="deactivating-admin")
    target = quick_user("contributor")
    issued = issue_token(target, "script", 30)
    update_user(admin, target, is_active=False)
    _, items = object_history("user", str(target.pk))
    assert items[0].user == "deactivating-admin"
    assert [(c.field, c.old, c.new) for c in items[0].changes] == [("is_active", True, False)]
    assert authenticate_bearer(issued.secret) is None
