"""Run queued jobs and due schedules: in threads beside the web server, or as a process of its own.

One machine: `aisms serve` starts both threads. More machines: run `aisms worker` where the jobs should
run, and `aisms serve --no-worker` for the web workers.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid

from django.db import close_old_connections
from django.db.utils import DatabaseError

from aisms.apps.jobs.services import run_due_schedules

logger = logging.getLogger(__name__)

SCHEDULER_INTERVAL_S = 30.0


def _task_worker(interval_s: float) -> object:
    # The database backend's own worker loop, from the django-tasks-db package.
    from django_tasks_db.management.commands.db_worker import Worker

    return Worker(
        queue_names=["default"],
        interval=interval_s,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=f"aisms-{uuid.uuid4().hex[:12]}",
        excluded_queue_names=[],
    )


def scheduler_loop(stop: threading.Event, interval_s: float = SCHEDULER_INTERVAL_S) -> None:
    while not stop.is_set():
        close_old_connections()
        try:
            for job in run_due_schedules():
                logger.info("schedule started job %s (%s)", job.pk, job.name)
        except DatabaseError as exc:  # a locked or restarting database: try again next round
            logger.warning("scheduler could not run due schedules: %s", exc)
        stop.wait(interval_s)


def start_background(*, interval_s: float = 1.0) -> threading.Event:
    """Start the job worker and the scheduler as daemon threads; the returned event stops the scheduler."""
    stop = threading.Event()
    worker = _task_worker(interval_s)
    threading.Thread(target=worker.run, name="aisms-job-worker", daemon=True).start()  # type: ignore[attr-defined]  # Worker from django-tasks-db
    threading.Thread(target=scheduler_loop, args=(stop,), name="aisms-scheduler", daemon=True).start()
    return stop


def run_forever(*, interval_s: float = 1.0) -> None:
    """The `aisms worker` process: jobs and schedules until interrupted."""
    stop = start_background(interval_s=interval_s)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        stop.set()
