"""`aisms worker` and `aisms jobs ...`: run background jobs and schedules outside the web server."""

from __future__ import annotations

import argparse
import json
import os
import sys


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aisms.config.settings")
    import django

    django.setup()


def cmd_worker(args: argparse.Namespace) -> int:
    _setup_django()
    from django.conf import settings

    from aisms.apps.jobs.worker import run_forever

    if settings.AISMS_TASKS_BACKEND != "database":
        print("error: the worker needs AISMS_TASKS_BACKEND=database", file=sys.stderr)
        return 2
    print("aisms worker: running queued jobs and due schedules (Ctrl+C stops it)", flush=True)
    run_forever()
    return 0


def cmd_jobs(args: argparse.Namespace) -> int:
    _setup_django()
    from aisms.apps.jobs.models import Job, Schedule
    from aisms.apps.jobs.runner import execute
    from aisms.apps.jobs.services import run_due_schedules

    if args.jobs_command == "run-due":
        jobs = run_due_schedules()
        # From cron there may be no worker: run what was queued here and now.
        for job in jobs:
            if job.status == Job.Status.QUEUED:
                execute(job)
        rows = [{"id": j.pk, "name": j.name, "status": Job.objects.get(pk=j.pk).status} for j in jobs]
        if args.json:
            print(json.dumps(rows, indent=2))
        else:
            print(f"{len(rows)} due schedule{'s' if len(rows) != 1 else ''} run")
            for row in rows:
                print(f"  job {row['id']:<6} {row['name']:<32} {row['status']}")
        return 0 if all(r["status"] == Job.Status.SUCCEEDED for r in rows) else 1
    if args.jobs_command == "list":
        jobs = list(Job.objects.all()[: args.limit])
        if args.json:
            out = [
                {"id": j.pk, "name": j.name, "title": j.title, "status": j.status, "error": j.error}
                for j in jobs
            ]
            print(json.dumps(out, indent=2))
        else:
            for j in jobs:
                print(f"{j.pk:<6} {j.status:<10} {j.name:<32} {j.title}")
        return 0
    if args.jobs_command == "schedules":
        for s in Schedule.objects.all():
            state = "on " if s.enabled else "off"
            print(f"{state} {s.key:<40} every {s.every_seconds:>7} s  next {s.next_run_at:%Y-%m-%d %H:%M}")
        return 0
    return 2


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]  # argparse's private generic
    p = sub.add_parser("worker", help="run background jobs and schedules (beside `aisms serve --no-worker`)")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("jobs", help="background jobs and their schedules")
    jsub = p.add_subparsers(dest="jobs_command", required=True)
    j = jsub.add_parser("run-due", help="start every due schedule once and wait for it (for cron)")
    j.add_argument("--json", action="store_true")
    j = jsub.add_parser("list", help="recent jobs")
    j.add_argument("--limit", type=int, default=30)
    j.add_argument("--json", action="store_true")
    jsub.add_parser("schedules", help="the schedules and their next run")
    p.set_defaults(func=cmd_jobs)
