"""Notifications: once per user and key, in the app and by e-mail; users see and clear only their own."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from aisms.apps.accounts.models import Notification
from aisms.apps.accounts.notifications import mark_read, notify, unread
from tests.factories import make_user, session_client

pytestmark = pytest.mark.django_db


def test_a_key_is_notified_once_in_app_and_by_mail() -> None:
    user = make_user("risk_owner", email="dana@example.org")
    assert notify(
        user, subject="Review due", body="Risk R-1 is due", url="/risks/1/", key="risk-review:1:2026-12-01"
    )
    assert not notify(
        user, subject="Review due", body="again", url="/risks/1/", key="risk-review:1:2026-12-01"
    )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["dana@example.org"]
    assert "/risks/1/" in mail.outbox[0].body
    note = Notification.objects.get(user=user)
    assert note.emailed_at is not None
    assert note.read_at is None


def test_users_without_mail_get_the_in_app_notification_and_inactive_users_nothing() -> None:
    quiet = make_user("contributor", email="")
    gone = make_user("contributor", email="gone@example.org", is_active=False)
    assert notify(quiet, subject="s", key="k")
    assert not notify(gone, subject="s", key="k")
    assert len(mail.outbox) == 0
    assert Notification.objects.filter(user=quiet, emailed_at__isnull=True).count() == 1


def test_the_page_lists_only_my_notifications_and_marking_read_touches_only_mine() -> None:
    me, other = make_user("contributor"), make_user("contributor")
    notify(me, subject="Mine to read", key="a")
    notify(other, subject="Not yours", key="a")
    client = session_client(me)
    page = client.get("/account/notifications/")
    assert b"Mine to read" in page.content
    assert b"Not yours" not in page.content
    theirs = Notification.objects.get(user=other)
    client.post("/account/notifications/read/", {"id": theirs.pk})
    assert unread(other).count() == 1
    assert b'aria-label="1 unread"' in client.get("/").content
    client.post("/account/notifications/read/", {})
    assert unread(me).count() == 0
    assert mark_read(me) == 0


def test_bulk_loads_record_notifications_without_sending_mail() -> None:
    from aisms.apps.accounts.notifications import without_email

    user = make_user("risk_owner", email="dana@example.org")
    with without_email():
        assert notify(user, subject="Proposal", key="p1")
    assert notify(user, subject="Later", key="p2")
    assert [m.subject for m in mail.outbox] == ["Later"]
    assert Notification.objects.filter(user=user, emailed_at__isnull=True).count() == 1


def test_work_deferred_until_commit_keeps_the_callers_without_email(
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django.db import transaction

    from aisms.apps.accounts.notifications import after_commit, without_email

    user = make_user("risk_owner", email="dana@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic(), without_email():
            after_commit(lambda: notify(user, subject="Bulk", key="b1"))
        with transaction.atomic():
            after_commit(lambda: notify(user, subject="Normal", key="b2"))
    assert [m.subject for m in mail.outbox] == ["Normal"]
    assert set(Notification.objects.filter(user=user).values_list("subject", flat=True)) == {"Bulk", "Normal"}


def test_loading_the_demo_mails_no_one(django_capture_on_commit_callbacks: Any, settings: Any) -> None:
    from aisms.demo import load_demo

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_capture_on_commit_callbacks(execute=True):
        load_demo()
    assert Notification.objects.exists()  # the demo's people have their in-app notifications
    assert mail.outbox == []
