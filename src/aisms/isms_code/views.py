"""The ISMS-as-code page: the export as a zip for any role that may view, and for administrators (as in
the API: an import may create users) the check and the import of an uploaded zip.

Apply never trusts an earlier request: the user selects the file again, the whole import runs again with
every check (all or nothing), and a file other than the one checked is only checked, not applied.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.domain.access import Action, Role, can
from aisms.domain.isms_code.problems import ImportRefusedError
from aisms.isms_code.forms import ImportForm
from aisms.isms_code.importer import ImportResult
from aisms.isms_code.zip_exchange import FORMATS, UploadRefusedError, export_zip, import_zip


def _render(request: HttpRequest, name: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, name, context, status=status)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value] # login_required: a User


def _summary(name: str, result: ImportResult) -> str:
    if result.merge:
        created = sum(c.created for c in result.changes.values())
        updated = sum(c.updated for c in result.changes.values())
        unchanged = sum(c.unchanged for c in result.changes.values())
        text = f"{name} merged: {created} records created, {updated} updated, {unchanged} unchanged."
    else:
        text = f"{name} imported: {sum(result.records.values())} records created."
    if result.users_created:
        text += f" Users created inactive, without a password: {', '.join(result.users_created)}."
    return text


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, Action.VIEW)
    may_import = can(Role(user.role), Action.MANAGE_USERS)
    context: dict[str, Any] = {"formats": FORMATS, "may_import": may_import, "form": None}
    if request.method != "POST":
        if may_import:
            context["form"] = ImportForm()
        return _render(request, "isms_code/index.html", context)
    require(user, Action.MANAGE_USERS)
    form = ImportForm(request.POST, request.FILES)
    context["form"] = form
    if not form.is_valid():
        return _render(request, "isms_code/index.html", context, status=400)
    upload = form.cleaned_data["file"]
    data = upload.read()
    digest = hashlib.sha256(data).hexdigest()
    merge = form.cleaned_data["merge"]
    apply = request.POST.get("apply") == "1"
    if apply and request.POST.get("checked") != digest:
        apply = False
        context["not_the_checked_file"] = True
    context.update({"filename": upload.name, "merge": merge})
    try:
        result = import_zip(
            data,
            max_bytes=settings.AISMS_MAX_UPLOAD_BYTES,
            dry_run=not apply,
            merge=merge,
            source=upload.name,
        )
    except UploadRefusedError as refused:
        context.update({"refused": refused.problems, "upload_refused": refused.problems[0].message})
        return _render(request, "isms_code/index.html", context, status=400)
    except ImportRefusedError as refused:
        context["refused"] = refused.problems
        return _render(request, "isms_code/index.html", context, status=400)
    if apply:
        messages.success(request, _summary(upload.name, result))
        return redirect("isms_code:index")
    context.update(
        {
            "result": result,
            "digest": digest,
            "changes": sorted(result.changes.items()),
            "records": sorted(result.records.items()),
        }
    )
    return _render(request, "isms_code/index.html", context)


@login_required
@require_GET
def download(request: HttpRequest, fmt: str) -> HttpResponse:
    require(_user(request), Action.VIEW)
    if fmt not in FORMATS:
        raise Http404("no such format")
    content, filename = export_zip(fmt, timezone.now())
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
