"""Background jobs of the supplier register."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from aisms.apps.jobs.runner import JobContext, job_task
from aisms.apps.suppliers.reminders import send_review_reminders


@job_task("suppliers.send_review_reminders")
def review_reminders(ctx: JobContext) -> dict[str, Any]:
    """Daily: remind owners of supplier reviews due soon or overdue (idempotent per supplier and due date)."""
    result = send_review_reminders(timezone.localdate())
    ctx.log(f"{result['sent']} reminder(s) sent, {result['skipped']} already sent")
    return result
