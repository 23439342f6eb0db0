"""The threat rules page: the shipped rules, and the organisation's own rule sets (upload, enable,
disable, delete), which need the catalogue-management permission."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.threatmodels import forms, selectors, services
from aisms.apps.threatmodels.models import OrgRuleSet
from aisms.apps.threatmodels.views import _read_upload
from aisms.apps.web.form_errors import add_service_errors
from aisms.catalogue.threatmodel_rules import builtin_rules_text
from aisms.domain.access import Action


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
def rules(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, Action.VIEW)
    form = forms.RuleSetForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        require(user, Action.MANAGE_CATALOGUE)
        if form.is_valid():
            upload = form.cleaned_data.get("file")
            try:
                source = (
                    _read_upload(upload, services.max_source_bytes())
                    if upload
                    else form.cleaned_data["source"]
                )
                rule_set = services.add_rule_set(user, name=form.cleaned_data["name"], source=source)
            except (ValidationError, PermissionDenied) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Rule set {rule_set.name} added with {rule_set.rule_count} rules.")
                return redirect("threatmodels:rules")
    context = {
        "form": form,
        "rule_sets": selectors.rule_sets(user),
        "builtin": services.engine().rules,
        "example": builtin_rules_text()
        .split("rules:\n", 1)[1]
        .split("\n  - id: stride-external-repudiation")[0],
    }
    return render(request, "threatmodels/rules.html", context)


@login_required
@require_POST
def rule_set_action(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    rule_set = get_object_or_404(OrgRuleSet, pk=pk)
    action = request.POST.get("action", "")
    if action == "delete":
        services.delete_rule_set(user, rule_set)
        messages.success(request, f"Rule set {rule_set.name} deleted.")
    elif action in ("enable", "disable"):
        services.update_rule_set(user, rule_set, enabled=action == "enable")
        messages.success(request, f"Rule set {rule_set.name} {action}d. Re-analyse models to apply it.")
    return redirect("threatmodels:rules")
