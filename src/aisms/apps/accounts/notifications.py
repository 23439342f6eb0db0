"""Notifications: one in-app message and one e-mail per user and key, never twice.

Callers choose the key so that a repeat means "already told", e.g. "training-due:42:2026-12-01".
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from contextvars import ContextVar

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from aisms.apps.accounts.models import Notification, User
from aisms.config.public_url import public_base_url

logger = logging.getLogger(__name__)

_quiet: ContextVar[bool] = ContextVar("aisms_notifications_quiet", default=False)


@contextlib.contextmanager
def without_email() -> Iterator[None]:
    """Record notifications in the app but send no e-mail (bulk loads such as the demo or an import)."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def after_commit(callback: Callable[[], object]) -> None:
    """``transaction.on_commit`` for work that notifies: a ``without_email()`` around the caller also covers
    the callback, which runs after that block has ended."""
    quiet = _quiet.get()

    def run() -> None:
        token = _quiet.set(quiet)
        try:
            callback()
        finally:
            _quiet.reset(token)

    transaction.on_commit(run)


def notify(user: User, *, subject: str, body: str = "", url: str = "", key: str) -> bool:
    """Record and e-mail a notification; False when this user already had one with this key."""
    if not user.is_active:
        return False
    if Notification.objects.filter(user=user, key=key).exists():
        return False
    try:
        with transaction.atomic():
            note = Notification.objects.create(
                user=user, key=key[:200], subject=subject[:200], body=body, url=url[:300]
            )
    except IntegrityError:
        return False  # another process told them first
    if user.email and not _quiet.get():
        link = f"\n\n{public_base_url()}{url}" if url else ""
        try:
            send_mail(subject, body + link, None, [user.email])
        except OSError as exc:  # the in-app notification stands; the mail can be re-sent by an administrator
            logger.warning("could not e-mail notification %s to %s: %s", note.pk, user.username, exc)
            return True
        Notification.objects.filter(pk=note.pk).update(emailed_at=timezone.now())
    return True


def unread(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user, read_at__isnull=True)


def mark_read(user: User, notification_id: int | None = None) -> int:
    """Mark one (or, without an id, every) notification of this user read; another user's are untouched."""
    notes = unread(user)
    if notification_id is not None:
        notes = notes.filter(pk=notification_id)
    return notes.update(read_at=timezone.now())
