"""Job tasks: register work under a stable name; one Django task runs any registered job by its id.

    @job_task("intel.pull_source")
    def pull_source(ctx: JobContext, *, source_id: int) -> dict: ...

The worker (or, in tests, the immediate backend) calls `run_job(job_id)`, which marks the job running,
hands the work a JobContext for progress and log lines, and records the result or the error. A job that
is already finished is not run again, so a retried task is harmless.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from django.db import close_old_connections
from django.utils import timezone
from django_tasks import task

from aisms.apps.jobs.models import Job

logger = logging.getLogger(__name__)

JobFunction = Callable[..., Any]
F = TypeVar("F", bound=JobFunction)

_REGISTRY: dict[str, JobFunction] = {}


@dataclass(frozen=True)
class DefaultSchedule:
    key: str
    task_name: str
    every: timedelta
    title: str


_DEFAULT_SCHEDULES: dict[str, DefaultSchedule] = {}
_FLUSH_EVERY_S = 0.5
_MAX_LOG_CHARS = 200_000


class JobContext:
    """Progress and log of one running job, written to its row at most twice a second."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self._lines: list[str] = []
        self._last_flush = 0.0

    @property
    def job_id(self) -> int:
        return self.job.pk

    def progress(self, done: int, total: int | None = None) -> None:
        self.job.progress_done = max(0, int(done))
        if total is not None:
            self.job.progress_total = max(0, int(total))
        self._maybe_flush()

    def log(self, message: str) -> None:
        stamp = timezone.now().strftime("%H:%M:%S")
        self._lines.append(f"{stamp} {message}")
        self._maybe_flush()

    def _maybe_flush(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_flush < _FLUSH_EVERY_S:
            return
        self._last_flush = now
        if self._lines:
            text = (self.job.log + "\n".join(self._lines) + "\n")[-_MAX_LOG_CHARS:]
            self.job.log = text
            self._lines = []
        Job.objects.filter(pk=self.job.pk).update(
            progress_done=self.job.progress_done,
            progress_total=self.job.progress_total,
            log=self.job.log,
        )

    def flush(self) -> None:
        self._maybe_flush(force=True)


def job_task(name: str, *, every: timedelta | None = None, title: str = "") -> Callable[[F], F]:
    """Register a function as the job named `name`; it takes a JobContext and JSON keyword arguments.

    With `every`, the job (taking no arguments) also gets a schedule of that interval, installed by
    `aisms init` and `aisms serve` (see services.install_default_schedules).
    """

    def register(function: F) -> F:
        existing = _REGISTRY.get(name)
        if existing is not None and existing.__qualname__ != function.__qualname__:
            raise ValueError(f"job name {name!r} is registered twice")
        _REGISTRY[name] = function
        if every is not None:
            _DEFAULT_SCHEDULES[name] = DefaultSchedule(name, name, every, title or name)
        return function

    return register


def default_schedules() -> list[DefaultSchedule]:
    return sorted(_DEFAULT_SCHEDULES.values(), key=lambda s: s.key)


def is_registered(name: str) -> bool:
    return name in _REGISTRY


def registered_names() -> list[str]:
    return sorted(_REGISTRY)


def execute(job: Job) -> Job:
    """Run a queued job in this thread and record how it ended."""
    function = _REGISTRY.get(job.name)
    claimed = Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=timezone.now()
    )
    job.refresh_from_db()
    if not claimed:
        return job  # already run (a retry, or a second worker): nothing to do
    context = JobContext(job)
    try:
        if function is None:
            raise LookupError(f"no job task is registered as {job.name!r}")
        result = function(context, **job.kwargs)
    except Exception as exc:  # the job records any failure; the worker keeps running
        logger.warning("job %s (%s) failed: %s", job.pk, job.name, exc)
        context.log("".join(traceback.format_exception_only(type(exc), exc)).strip())
        context.flush()
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED, error=str(exc) or type(exc).__name__, finished_at=timezone.now()
        )
    else:
        context.flush()
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.SUCCEEDED, result=result, finished_at=timezone.now()
        )
    job.refresh_from_db()
    return job


@task()
def run_job(job_id: int) -> str:
    """The one Django task: run the job with this id."""
    close_old_connections()
    job = Job.objects.get(pk=job_id)
    return execute(job).status
