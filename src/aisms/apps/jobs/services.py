"""Start jobs now or on a schedule."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from aisms.apps.accounts.models import User
from aisms.apps.jobs.models import Job, Schedule
from aisms.apps.jobs.runner import default_schedules, execute, is_registered, run_job


def _runs_inline() -> bool:
    return bool(settings.AISMS_TASKS_BACKEND == "immediate")


def submit(
    name: str,
    *,
    title: str,
    user: User | None = None,
    schedule: Schedule | None = None,
    **kwargs: Any,
) -> Job:
    """Create a job and queue it (after the current transaction commits); returns the job.

    With the immediate backend (tests) the job runs at once, inside this call.
    """
    if not is_registered(name):
        raise ValueError(f"no job task is registered as {name!r}")
    try:
        json.dumps(kwargs)
    except TypeError as exc:
        raise ValueError(f"job arguments must be JSON values: {exc}") from None
    actor = user if user is not None and user.is_authenticated else None
    job = Job.objects.create(name=name, title=title[:200], kwargs=kwargs, created_by=actor, schedule=schedule)
    if _runs_inline():
        execute(job)
        job.refresh_from_db()
    else:
        transaction.on_commit(lambda: run_job.enqueue(job.pk))
    return job


def ensure_schedule(
    key: str,
    task_name: str,
    *,
    every: timedelta,
    kwargs: Mapping[str, Any] | None = None,
    enabled: bool = True,
    title: str = "",
    now: datetime | None = None,
) -> Schedule:
    """Create or update the schedule with this key; its next run moves only when the interval changes."""
    if every < timedelta(minutes=1):
        raise ValueError("a schedule runs at most once a minute")
    now = now or timezone.now()
    seconds = int(every.total_seconds())
    schedule, created = Schedule.objects.get_or_create(
        key=key,
        defaults={
            "task_name": task_name,
            "kwargs": dict(kwargs or {}),
            "every_seconds": seconds,
            "enabled": enabled,
            "title": title,
            "next_run_at": now + every,
        },
    )
    if not created:
        if schedule.every_seconds != seconds:
            schedule.next_run_at = (schedule.last_run_at or now) + every
        schedule.task_name = task_name
        schedule.kwargs = dict(kwargs or {})
        schedule.every_seconds = seconds
        schedule.enabled = enabled
        schedule.title = title or schedule.title
        schedule.save()
    return schedule


def remove_schedule(key: str) -> None:
    Schedule.objects.filter(key=key).delete()


def run_due_schedules(now: datetime | None = None) -> list[Job]:
    """Submit a job for every enabled schedule that is due; safe to call from several processes."""
    now = now or timezone.now()
    jobs = []
    for schedule in Schedule.objects.filter(enabled=True, next_run_at__lte=now).order_by("next_run_at"):
        following = now + timedelta(seconds=schedule.every_seconds)
        # Claim this run: only the process that moves next_run_at on submits the job.
        claimed = Schedule.objects.filter(pk=schedule.pk, next_run_at=schedule.next_run_at).update(
            next_run_at=following, last_run_at=now
        )
        if not claimed:
            continue
        if not is_registered(schedule.task_name):
            continue
        job = submit(
            schedule.task_name,
            title=schedule.title or schedule.key,
            schedule=schedule,
            **schedule.kwargs,
        )
        Schedule.objects.filter(pk=schedule.pk).update(last_job=job)
        jobs.append(job)
    return jobs


def install_default_schedules() -> list[Schedule]:
    """Create the schedules that job tasks declare with `every=`; existing ones keep their state."""
    installed = []
    for default in default_schedules():
        schedule = Schedule.objects.filter(key=default.key).first()
        if schedule is None:
            schedule = ensure_schedule(
                default.key, default.task_name, every=default.every, title=default.title
            )
        installed.append(schedule)
    return installed
