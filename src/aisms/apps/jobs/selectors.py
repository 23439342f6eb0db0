"""Reads of jobs and schedules; anyone who may view registers may view jobs."""

from __future__ import annotations

from django.db.models import QuerySet

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.jobs.models import Job, Schedule
from aisms.domain.access import Action


def jobs_for(user: User) -> QuerySet[Job]:
    require(user, Action.VIEW)
    return Job.objects.select_related("created_by")


def job_for(user: User, job_id: int) -> Job:
    return jobs_for(user).get(pk=job_id)


def schedules_for(user: User) -> QuerySet[Schedule]:
    require(user, Action.VIEW)
    return Schedule.objects.select_related("last_job")
