"""Due and overdue reminders: corrective actions and review decisions due within 7 days or overdue (to
their owners), and planned audits starting within 14 days (to their lead auditors). Each notification has
a key per object, due date and state, so running this daily never tells anyone the same thing twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.urls import reverse

from aisms.apps.accounts.models import User
from aisms.apps.accounts.notifications import notify
from aisms.apps.audits import selectors
from aisms.apps.audits.models import Audit, CorrectiveAction, ReviewDecision
from aisms.domain.audits import due as dued


@dataclass(frozen=True)
class ReminderRun:
    considered: int
    sent: int
    already_sent: int


def _url(reminder: dued.Reminder) -> str:
    if reminder.kind == "corrective-action":
        action = CorrectiveAction.objects.filter(pk=reminder.object_id).first()
        return action.get_absolute_url() if action else reverse("audits:ncs")
    if reminder.kind == "decision":
        decision = ReviewDecision.objects.filter(pk=reminder.object_id).first()
        return decision.get_absolute_url() if decision else reverse("audits:reviews")
    audit = Audit.objects.filter(pk=reminder.object_id).first()
    return audit.get_absolute_url() if audit else reverse("audits:audits")


def _message(reminder: dued.Reminder) -> tuple[str, str]:
    what = {
        "corrective-action": "Corrective action",
        "decision": "Management review decision",
        "audit": "Audit",
    }[reminder.kind]
    if reminder.kind == "audit":
        return (
            f"Audit starting on {reminder.due:%d %B %Y}: {reminder.label}"[:200],
            f"You lead the audit {reminder.label}, planned to start on {reminder.due:%d %B %Y}. "
            "Check the scope, the checklist and the auditors, and tell the auditees.",
        )
    if reminder.state == dued.DueState.OVERDUE:
        return (
            f"Overdue: {what.lower()} due {reminder.due:%d %B %Y}"[:200],
            f"{what} '{reminder.label}' was due on {reminder.due:%d %B %Y} and is not done. "
            "Complete it, or agree a new due date and record it.",
        )
    return (
        f"Due soon: {what.lower()} due {reminder.due:%d %B %Y}"[:200],
        f"{what} '{reminder.label}' is due on {reminder.due:%d %B %Y}.",
    )


def send_due_reminders(today: date) -> ReminderRun:
    found = dued.reminders(selectors.due_items(), today) + dued.audits_starting(
        selectors.planned_audits(), today
    )
    users = User.objects.in_bulk({r.owner_id for r in found})
    sent = 0
    for reminder in found:
        user = users.get(reminder.owner_id)
        if user is None:
            continue
        subject, body = _message(reminder)
        if notify(user, subject=subject, body=body, url=_url(reminder), key=reminder.key):
            sent += 1
    return ReminderRun(considered=len(found), sent=sent, already_sent=len(found) - sent)
