"""Background jobs: submit, progress, failure, schedules, the database queue and its worker, pages, API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from aisms.apps.jobs.models import Job, Schedule
from aisms.apps.jobs.runner import JobContext, execute, is_registered, job_task
from aisms.apps.jobs.services import ensure_schedule, run_due_schedules, submit
from tests.factories import make_user, session_client, token_client

pytestmark = pytest.mark.django_db

CALLS: list[dict[str, Any]] = []


@job_task("tests.count")
def _count(ctx: JobContext, *, upto: int) -> dict[str, int]:
    for i in range(1, upto + 1):
        ctx.progress(i, upto)
    ctx.log(f"counted to {upto}")
    CALLS.append({"upto": upto})
    return {"counted": upto}


@job_task("tests.fail")
def _fail(ctx: JobContext) -> None:
    ctx.log("about to fail")
    raise RuntimeError("the feed answered 503")


def test_tests_run_jobs_immediately() -> None:
    assert settings.AISMS_TASKS_BACKEND == "immediate"


def test_a_submitted_job_runs_and_records_progress_log_and_result() -> None:
    user = make_user("isms_manager")
    job = submit("tests.count", title="Count", user=user, upto=5)
    assert job.status == Job.Status.SUCCEEDED
    assert (job.progress_done, job.progress_total, job.percent) == (5, 5, 100)
    assert job.result == {"counted": 5}
    assert "counted to 5" in job.log
    assert job.created_by == user
    assert job.started_at is not None
    assert job.finished_at is not None


def test_a_failing_job_is_marked_failed_with_its_error() -> None:
    job = submit("tests.fail", title="Fail")
    assert job.status == Job.Status.FAILED
    assert job.error == "the feed answered 503"
    assert "about to fail" in job.log
    assert "RuntimeError" in job.log


def test_unknown_names_and_non_json_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="no job task is registered"):
        submit("tests.nothing", title="x")
    with pytest.raises(ValueError, match="JSON"):
        submit("tests.count", title="x", upto=object())
    assert Job.objects.count() == 0


def test_a_finished_job_is_not_run_twice() -> None:
    CALLS.clear()
    job = submit("tests.count", title="Count", upto=2)
    execute(job)
    assert len(CALLS) == 1


def test_due_schedules_start_once_and_move_on() -> None:
    now = timezone.now()
    ensure_schedule("tests.every-hour", "tests.count", every=timedelta(hours=1), kwargs={"upto": 1}, now=now)
    assert run_due_schedules(now) == []  # first run is one interval away
    later = now + timedelta(hours=1, seconds=1)
    jobs = run_due_schedules(later)
    assert [j.status for j in jobs] == [Job.Status.SUCCEEDED]
    schedule = Schedule.objects.get(key="tests.every-hour")
    assert schedule.last_job == jobs[0]
    assert schedule.next_run_at == later + timedelta(hours=1)
    assert run_due_schedules(later) == []


def test_ensure_schedule_updates_in_place_and_paused_schedules_do_not_run() -> None:
    now = timezone.now()
    ensure_schedule("tests.s", "tests.count", every=timedelta(hours=1), kwargs={"upto": 1}, now=now)
    ensure_schedule(
        "tests.s", "tests.count", every=timedelta(hours=2), kwargs={"upto": 3}, enabled=False, now=now
    )
    schedule = Schedule.objects.get(key="tests.s")
    assert (schedule.every_seconds, schedule.kwargs, schedule.enabled) == (7200, {"upto": 3}, False)
    assert run_due_schedules(now + timedelta(days=1)) == []
    with pytest.raises(ValueError, match="once a minute"):
        ensure_schedule("tests.fast", "tests.count", every=timedelta(seconds=5))


@pytest.mark.django_db(transaction=True)
def test_the_database_queue_holds_a_job_until_a_worker_runs_it() -> None:
    from django_tasks_db.management.commands.db_worker import Worker

    backend = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with override_settings(AISMS_TASKS_BACKEND="database", TASKS=backend):
        job = submit("tests.count", title="Queued", upto=3)
        job.refresh_from_db()
        assert job.status == Job.Status.QUEUED
        Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="test-worker",
            excluded_queue_names=[],
        ).run()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.result == {"counted": 3}


def test_job_pages_and_api_show_status_to_any_role_and_need_login() -> None:
    job = submit("tests.count", title="Count things", upto=2)
    auditor = make_user("auditor")
    client = session_client(auditor)
    page = client.get(f"/jobs/{job.pk}/")
    assert page.status_code == 200
    assert b"Count things" in page.content
    assert b"counted to 2" in page.content
    assert client.get("/jobs/").status_code == 200
    fragment = client.get(f"/jobs/{job.pk}/status/")
    assert b"hx-trigger" not in fragment.content  # finished: no more polling
    api = token_client(auditor).get(f"/api/v1/jobs/{job.pk}")
    assert api.status_code == 200
    assert api.json()["result"] == {"counted": 2}
    assert session_client(auditor).get("/api/v1/jobs/?status=succeeded").json()["count"] == 1
    from django.test import Client

    assert Client().get(f"/jobs/{job.pk}/").status_code == 302
    assert Client().get(f"/api/v1/jobs/{job.pk}").status_code == 401


def test_a_running_job_fragment_polls() -> None:
    job = Job.objects.create(name="tests.count", title="Still going", status=Job.Status.RUNNING)
    fragment = session_client(make_user("auditor")).get(f"/jobs/{job.pk}/status/")
    assert b'hx-trigger="every 1s"' in fragment.content


def test_registered_names_include_the_test_tasks() -> None:
    assert is_registered("tests.count")
    assert not is_registered("tests.nothing")


def test_default_schedules_are_installed_once_and_keep_their_state() -> None:
    from aisms.apps.jobs.services import install_default_schedules

    installed = {s.key for s in install_default_schedules()}
    assert "people.send_training_reminders" in installed
    Schedule.objects.filter(key="people.send_training_reminders").update(enabled=False)
    install_default_schedules()
    assert not Schedule.objects.get(key="people.send_training_reminders").enabled


def test_the_daily_reminder_job_sends_reminders_through_the_queue() -> None:
    job = submit("people.send_training_reminders", title="Reminders")
    assert job.status == Job.Status.SUCCEEDED
    assert job.result == {"sent": 0}
