"""The organisation profile page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from aisms.apps.accounts.services import require
from aisms.apps.context import services
from aisms.apps.context.forms import OrganisationForm
from aisms.domain.access import Action, Role, can


@login_required
@require_http_methods(["GET", "POST"])
def organisation(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.VIEW)  # type: ignore[arg-type]
    current = services.current_organisation()
    may_edit = can(Role(request.user.role), Action.MANAGE_ORGANISATION)  # type: ignore[union-attr]
    form = OrganisationForm(request.POST or None, instance=current) if may_edit else None
    if request.method == "POST":
        require(request.user, Action.MANAGE_ORGANISATION)  # type: ignore[arg-type]
        if form is not None and form.is_valid():
            try:
                services.update_organisation(request.user, **form.cleaned_data)  # type: ignore[arg-type]
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, "Organisation profile saved.")
                return redirect("context:organisation")
    return render(request, "context/organisation.html", {"organisation": current, "form": form})
