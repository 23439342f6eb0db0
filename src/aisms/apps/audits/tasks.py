"""Background jobs of the audits app."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from aisms.apps.audits.reminders import send_due_reminders
from aisms.apps.jobs.runner import JobContext, job_task


@job_task("audits.due_reminders")
def due_reminders(ctx: JobContext, *, today: str | None = None) -> dict[str, Any]:
    """Notify owners of corrective actions and decisions due soon or overdue, and leads of audits soon."""
    day = date.fromisoformat(today) if today else timezone.localdate()
    run = send_due_reminders(day)
    ctx.log(
        f"{run.considered} items due or overdue; {run.sent} notifications sent, "
        f"{run.already_sent} sent before"
    )
    return {"considered": run.considered, "sent": run.sent, "already_sent": run.already_sent}
