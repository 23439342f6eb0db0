"""The Reports page and the report downloads (any role that may view the ISMS)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from aisms.apps.accounts.services import require
from aisms.domain.access import Action
from aisms.reports.catalogue import BY_KEY, FORMATS, REPORTS, produce


@login_required
def index(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.VIEW)  # type: ignore[arg-type] # login_required: a User
    return render(request, "reports/index.html", {"reports": REPORTS, "formats": FORMATS})


@login_required
def download(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    require(request.user, Action.VIEW)  # type: ignore[arg-type] # login_required: a User
    if key not in BY_KEY or fmt not in FORMATS:
        raise Http404("no such report")
    content, content_type, filename = produce(key, fmt, timezone.now())
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
