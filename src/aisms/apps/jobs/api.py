"""Jobs API: a job's status, progress, log and result, so scripts can follow background work."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from aisms.apps.accounts.models import User
from aisms.apps.jobs import selectors
from aisms.apps.jobs.models import Job
from aisms.config.api_pagination import BoundedPageNumberPagination

router = Router(tags=["jobs"])


class JobOut(Schema):
    id: int
    name: str
    title: str
    status: str
    progress_done: int
    progress_total: int | None
    percent: int | None
    result: Any
    error: str
    log: str
    created_by: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @staticmethod
    def resolve_created_by(job: Job) -> str | None:
        return job.created_by.username if job.created_by else None


class ScheduleOut(Schema):
    key: str
    title: str
    task_name: str
    every_seconds: int
    enabled: bool
    next_run_at: datetime
    last_run_at: datetime | None
    last_job_id: int | None


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@router.get("/", response=list[JobOut], summary="Recent jobs, newest first")
@paginate(BoundedPageNumberPagination)
def list_jobs(request: HttpRequest, status: str = "", name: str = "") -> Any:
    jobs = selectors.jobs_for(_user(request))
    if status:
        jobs = jobs.filter(status=status)
    if name:
        jobs = jobs.filter(name=name)
    return jobs


@router.get("/schedules", response=list[ScheduleOut], summary="Schedules that start jobs")
def list_schedules(request: HttpRequest) -> Any:
    return list(selectors.schedules_for(_user(request)))


@router.get("/{job_id}", response=JobOut, summary="One job")
def get_job(request: HttpRequest, job_id: int) -> Any:
    return selectors.job_for(_user(request), job_id)
