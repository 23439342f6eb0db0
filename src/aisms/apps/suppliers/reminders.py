"""Review reminders: the supplier's owner (or, without one, the ISMS managers) is notified when a review is
coming due or overdue, once per supplier and due date, however often the daily job runs."""

from __future__ import annotations

from datetime import date

from aisms.apps.accounts.models import User
from aisms.apps.accounts.notifications import notify
from aisms.apps.suppliers.models import Supplier
from aisms.apps.suppliers.services import intervals
from aisms.domain.access import Role
from aisms.domain.suppliers.schedule import ReviewState, reminder_key, review_state


def _recipients(supplier: Supplier) -> list[User]:
    if supplier.owner is not None and supplier.owner.is_active:
        return [supplier.owner]
    return list(User.objects.filter(role=Role.ISMS_MANAGER.value, is_active=True))


def send_review_reminders(today: date) -> dict[str, int]:
    """Notify about each supplier whose review is due soon or overdue; the counts of suppliers reminded now
    and of suppliers already reminded for that due date."""
    schedule = intervals()
    sent = skipped = 0
    for supplier in (
        Supplier.objects.select_related("owner").exclude(status="ended").exclude(next_review_due=None)
    ):
        due = supplier.next_review_due
        if due is None:
            continue
        state = review_state(due, today, schedule)
        if state is ReviewState.SCHEDULED:
            continue
        overdue = state is ReviewState.OVERDUE
        subject = f"Supplier review {'overdue' if overdue else 'due'}: {supplier.name}"
        body = (
            f"The security review of {supplier.name} ({supplier.get_tier_display()}) "
            f"{'was' if overdue else 'is'} due on {due:%d %B %Y}. "
            "Send it a questionnaire or record the review."
        )
        key = reminder_key(supplier.pk, due)
        delivered = [
            notify(person, subject=subject, body=body, url=supplier.get_absolute_url(), key=key)
            for person in _recipients(supplier)
        ]
        if any(delivered):
            sent += 1
        else:
            skipped += 1
    return {"sent": sent, "skipped": skipped}
