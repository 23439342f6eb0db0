"""Pages of the optional language-model assistant: draft a model from a description, and propose extra
threats for a model; both show proposals that a person must accept."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.threatmodels import assistant, forms
from aisms.apps.threatmodels.models import ThreatModel
from aisms.domain.access import Action


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
def draft(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, Action.CREATE)
    form = forms.DraftForm(request.POST or None)
    result = None
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            result = assistant.draft(user, form.cleaned_data["description"])
        except assistant.AssistantUnavailableError as exc:
            error = str(exc)
    context = {
        "form": form,
        "result": result,
        "error": error,
        "enabled": assistant.enabled(),
        "import_form": forms.ImportForm(initial={"source": result.source}) if result else None,
    }
    return render(request, "threatmodels/draft.html", context)


@login_required
def propose(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    tm = get_object_or_404(ThreatModel, pk=pk)
    accepted: list[object] = []
    dropped: list[tuple[str, str]] = []
    error = ""
    if request.method == "POST" and request.POST.get("accept"):
        try:
            raw = json.loads(request.POST["accept"])
            version = assistant.accept(user, tm, raw if isinstance(raw, dict) else {})
        except (ValueError, ValidationError, PermissionDenied) as exc:
            messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, f"Proposal accepted; analysed as version {version.number}.")
        return redirect("threatmodels:assistant", pk=pk)
    if request.method == "POST":
        try:
            proposals, dropped = assistant.propose(user, tm)
            accepted = [(p, json.dumps(p.to_dict())) for p in proposals]
        except assistant.AssistantUnavailableError as exc:
            error = str(exc)
    context = {
        "tm": tm,
        "enabled": assistant.enabled(),
        "proposals": accepted,
        "dropped": dropped,
        "error": error,
        "asked": request.method == "POST",
        "accepted_list": tm.accepted_proposals,
    }
    return render(request, "threatmodels/assistant.html", context)
