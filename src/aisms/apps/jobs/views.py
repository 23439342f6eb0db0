"""Job pages: the list of recent jobs and schedules, one job's status and log (polled while it runs)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from aisms.apps.accounts.models import User
from aisms.apps.jobs import selectors
from aisms.apps.jobs.models import Job


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    jobs = selectors.jobs_for(user)
    status = request.GET.get("status", "")
    if status:
        jobs = jobs.filter(status=status)
    page = Paginator(jobs, 50).get_page(request.GET.get("page"))
    context = {"page": page, "schedules": selectors.schedules_for(user), "status": status}
    return render(request, "jobs/index.html", context)


def _job(request: HttpRequest, pk: int) -> Job:
    try:
        return selectors.job_for(_user(request), pk)
    except Job.DoesNotExist:
        raise Http404("no such job") from None


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    return render(request, "jobs/detail.html", {"job": job})


@login_required
def status(request: HttpRequest, pk: int) -> HttpResponse:
    """The status fragment alone, for htmx polling."""
    job = _job(request, pk)
    return render(request, "jobs/_job_status.html", {"job": job, "show_log": request.GET.get("log") == "1"})
