"""Due and overdue training reminders by e-mail: never twice for the same person, module and due date,
so the command is safe to run on a schedule."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction

from aisms.apps.people import selectors
from aisms.apps.people.models import Person, ReminderSent, TrainingModule
from aisms.domain import training_coverage as tc


def _message(person: Person, module: TrainingModule, obligation: tc.Obligation) -> tuple[str, str]:
    overdue = obligation.status is tc.Status.OVERDUE
    subject = f"{'Overdue' if overdue else 'Due'} training: {module.title}"
    body = (
        f"Hello {person.name},\n\n"
        f"The training module '{module.title}' ({module.duration_minutes} minutes) "
        f"{'was' if overdue else 'is'} due on {obligation.due:%d %B %Y}.\n"
        "Please complete it in the learning platform; your completion is recorded from there.\n\n"
        "-- the information security team"
    )
    return subject, body


def send_reminders(today: date) -> int:
    """Send a reminder for each due-soon or overdue module not yet reminded for that due date; the count."""
    state = selectors.training_state()
    due = [
        o
        for o in tc.obligations(state, today)
        if o.status in (tc.Status.OVERDUE, tc.Status.DUE_SOON) and o.due is not None
    ]
    if not due:
        return 0
    already = set(ReminderSent.objects.values_list("person_id", "module_id", "due_date"))
    people = Person.objects.in_bulk({o.person_id for o in due})
    modules = TrainingModule.objects.in_bulk({o.module_id for o in due})
    sent = 0
    sender = getattr(settings, "DEFAULT_FROM_EMAIL", "aisms@localhost")
    for o in due:
        person = people[o.person_id]
        if o.due is None or (o.person_id, o.module_id, o.due) in already or not person.email:
            continue
        subject, body = _message(person, modules[o.module_id], o)
        try:
            with transaction.atomic():  # a failed send records nothing, so the next run tries again
                ReminderSent.objects.create(
                    person=person, module_id=o.module_id, due_date=o.due, status=o.status
                )
                send_mail(subject, body, sender, [person.email])
        except IntegrityError:  # another run got there first
            continue
        sent += 1
    return sent
