"""Scheduled people work: the daily training reminders."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from aisms.apps.jobs.runner import JobContext, job_task
from aisms.apps.people.reminders import send_reminders


@job_task(
    "people.send_training_reminders",
    every=timedelta(days=1),
    title="Training reminders (due and overdue, once per due date)",
)
def send_training_reminders(ctx: JobContext) -> dict[str, int]:
    sent = send_reminders(timezone.localdate())
    ctx.log(f"{sent} training reminder{'s' if sent != 1 else ''} sent")
    return {"sent": sent}
