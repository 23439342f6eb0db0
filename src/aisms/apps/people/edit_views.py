"""Editing pages of the people area: a module, a competence, dropping a role's requirement, and a person's
qualifications and experience."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.people import forms, services
from aisms.apps.people.models import Competence, CompetenceRecord, Person, RoleCompetence, TrainingModule
from aisms.apps.web.form_errors import add_service_errors
from aisms.domain.access import Action


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
def edit_module(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    require(user, Action.EDIT)
    module = get_object_or_404(TrainingModule, pk=pk)
    initial = {
        "code": module.code,
        "title": module.title,
        "objectives": module.objectives,
        "duration_minutes": module.duration_minutes,
        "recurrence_months": module.recurrence_months,
        "competences": list(module.competences.all()),
    }
    form = forms.ModuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        competences = data.pop("competences")
        if TrainingModule.objects.filter(code=data["code"]).exclude(pk=module.pk).exists():
            form.add_error("code", "another module has this code")
        else:
            try:
                services.update_module(user, module, competences=competences, **data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Module {module.title} saved; its history keeps the old version.")
                return redirect("people:modules")
    context = {"form": form, "title": f"Edit module {module.title}", "button": "Save module"}
    return render(request, "people/form.html", context)


@login_required
def edit_competence(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    require(user, Action.EDIT)
    competence = get_object_or_404(Competence, pk=pk)
    initial = {
        "name": competence.name,
        "category": competence.category,
        "description": competence.description,
    }
    form = forms.CompetenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if Competence.objects.filter(name=form.cleaned_data["name"]).exclude(pk=competence.pk).exists():
            form.add_error("name", "another competence has this name")
        else:
            try:
                services.update_competence(user, competence, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Competence {competence.name} saved.")
                return redirect("people:roles")
    context = {"form": form, "title": f"Edit competence {competence.name}", "button": "Save competence"}
    return render(request, "people/form.html", context)


@login_required
@require_POST
def drop_requirement(request: HttpRequest, pk: int) -> HttpResponse:
    requirement = get_object_or_404(RoleCompetence.objects.select_related("role", "competence"), pk=pk)
    services.drop_requirement(_user(request), requirement)
    messages.success(request, f"{requirement.role.name} no longer requires {requirement.competence.name}.")
    return redirect("people:roles")


@login_required
def record_competence(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    require(user, Action.EDIT)
    person = get_object_or_404(Person, pk=pk)
    form = forms.CompetenceRecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_competence(user, person, data.pop("competence"), **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Recorded.")
            return redirect(person.get_absolute_url() + "#competence-records")
    context = {
        "form": form,
        "title": f"Record a qualification or experience of {person.name}",
        "button": "Record",
    }
    return render(request, "people/form.html", context)


@login_required
@require_POST
def remove_competence_record(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(CompetenceRecord, pk=pk)
    services.remove_competence_record(_user(request), record)
    messages.success(request, "Record removed; its history is kept.")
    return redirect(record.person.get_absolute_url() + "#competence-records")
