"""Context of the organisation pages: profile, overview and PESTEL board, templates, parties, scope."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.context import selectors, services
from aisms.apps.context.forms import (
    ApproveForm,
    IssueForm,
    OrganisationForm,
    PartyForm,
    RequirementForm,
    ReviewForm,
    ScopeForm,
    items_to_text,
    text_to_items,
)
from aisms.apps.context.models import InterestedParty, PartyRequirement, PestelIssue, ScopeVersion
from aisms.apps.web.form_errors import add_service_errors
from aisms.catalogue.pestel_templates import load_builtin_templates
from aisms.domain.access import Action, Role, can, can_on_object
from aisms.domain.scope_compare import SECTIONS, scope_lines


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


# ------------------------------------------------------------------ context: PESTEL, parties, scope


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, Action.VIEW)
    today = timezone.localdate()
    columns = selectors.board(today)
    context = {
        "columns": columns,
        "issue_count": sum(len(c.issues) for c in columns),
        "overdue_count": sum(1 for c in columns for i in c.issues if getattr(i, "overdue", False)),
        "due": list(selectors.due_for_review(today)),
        "party_count": InterestedParty.objects.count(),
        "latest_scope": ScopeVersion.objects.first(),
        "may_create": can(Role(user.role), Action.CREATE),
        "today": today,
    }
    return render(request, "context/index.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def templates(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, Action.VIEW)
    catalogue = load_builtin_templates()
    if request.method == "POST":
        try:
            issue = services.adopt_template(user, request.POST.get("template", ""), templates=catalogue)
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            messages.success(request, f"Adopted “{issue.title}”. Edit it to fit the organisation.")
            return redirect("context:issue-edit", issue_id=issue.pk)
    adopted = set(PestelIssue.objects.exclude(template_id="").values_list("template_id", flat=True))
    return render(
        request,
        "context/templates.html",
        {
            "catalogue": catalogue,
            "adopted": adopted,
            "may_create": can(Role(user.role), Action.CREATE),
        },
    )


@login_required
def issue(request: HttpRequest, issue_id: int) -> HttpResponse:
    user = _user(request)
    require(user, Action.VIEW)
    found = get_object_or_404(selectors.issues(), pk=issue_id)
    is_owner = user.pk in (found.owner_id, found.created_by_id)
    context = {
        "issue": found,
        "review_form": ReviewForm(),
        "may_edit": can_on_object(Role(user.role), Action.EDIT, is_owner=is_owner),
        "overdue": bool(found.review_date and found.review_date < timezone.localdate()),
    }
    return render(request, "context/issue.html", context)


_ISSUE_FIELDS = ("title", "category", "origin", "trend", "description", "effect", "opportunities", "owner")


@login_required
@require_http_methods(["GET", "POST"])
def issue_form(request: HttpRequest, issue_id: int | None = None) -> HttpResponse:
    user = _user(request)
    require(user, Action.EDIT if issue_id else Action.CREATE)
    found = get_object_or_404(PestelIssue, pk=issue_id) if issue_id else None
    initial: dict[str, Any] = {"owner": user.pk}
    if found is not None:
        initial = {name: getattr(found, name) for name in _ISSUE_FIELDS}
        initial["review_date"] = found.review_date
        initial["risks"] = list(found.risks.values_list("pk", flat=True))
    form = IssueForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {name: data[name] for name in _ISSUE_FIELDS}
        values["review_date"] = data["review_date"]
        try:
            if found is None:
                found = services.create_issue(user, risks=list(data["risks"]), **values)
            else:
                found = services.update_issue(user, found, risks=list(data["risks"]), **values)
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Saved “{found.title}”.")
            return redirect("context:issue", issue_id=found.pk)
    return render(request, "context/issue_form.html", {"form": form, "issue": found})


@login_required
@require_POST
def issue_review(request: HttpRequest, issue_id: int) -> HttpResponse:
    user = _user(request)
    found = get_object_or_404(PestelIssue, pk=issue_id)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.mark_reviewed(
                user, found, next_review=form.cleaned_data["next_review"], notes=form.cleaned_data["notes"]
            )
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            messages.success(request, f"“{found.title}” marked reviewed.")
    else:
        messages.error(request, "Enter a valid date for the next review.")
    return redirect("context:issue", issue_id=found.pk)


@login_required
def parties(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, Action.VIEW)
    return render(
        request,
        "context/parties.html",
        {"parties": selectors.parties(), "may_create": can(Role(user.role), Action.CREATE)},
    )


@login_required
@require_POST
def delete_requirement(request: HttpRequest, party_id: int, requirement_id: int) -> HttpResponse:
    row = get_object_or_404(
        PartyRequirement.objects.select_related("party"), pk=requirement_id, party_id=party_id
    )
    services.delete_requirement(_user(request), row)
    messages.success(request, "Requirement removed; its history is kept.")
    return redirect("context:party", party_id=party_id)


@login_required
@require_http_methods(["GET", "POST"])
def party(request: HttpRequest, party_id: int) -> HttpResponse:
    """One party; POST adds a requirement (or updates one when requirement_id is sent)."""
    user = _user(request)
    require(user, Action.VIEW)
    found = get_object_or_404(selectors.parties(), pk=party_id)
    requirement_id = request.POST.get("requirement_id", "")
    form = RequirementForm(
        request.POST or None, prefix=f"r{requirement_id}" if requirement_id.isdigit() else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            if requirement_id.isdigit():
                row = get_object_or_404(PartyRequirement, pk=int(requirement_id), party=found)
                services.update_requirement(user, row, **form.cleaned_data)
            else:
                services.add_requirement(user, found, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Requirement saved.")
            return redirect("context:party", party_id=found.pk)
    is_owner = user.pk in (found.owner_id, found.created_by_id)
    context = {
        "party": found,
        "form": form,
        "edit_forms": [
            (
                r,
                RequirementForm(
                    initial={
                        "requirement": r.requirement,
                        "addressed": r.addressed,
                        "how_addressed": r.how_addressed,
                    },
                    prefix=f"r{r.pk}",
                ),
            )
            for r in found.requirements.all()
        ],
        "may_edit": can_on_object(Role(user.role), Action.EDIT, is_owner=is_owner),
    }
    return render(request, "context/party.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def party_form(request: HttpRequest, party_id: int | None = None) -> HttpResponse:
    user = _user(request)
    require(user, Action.EDIT if party_id else Action.CREATE)
    found = get_object_or_404(InterestedParty, pk=party_id) if party_id else None
    initial: dict[str, Any] = {"owner": user.pk}
    if found is not None:
        initial = {name: getattr(found, name) for name in ("name", "kind", "description", "owner")}
    form = PartyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if found is None:
                found = services.create_party(user, **form.cleaned_data)
            else:
                found = services.update_party(user, found, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(form, exc)
        else:
            return redirect("context:party", party_id=found.pk)
    return render(request, "context/party_form.html", {"form": form, "party": found})


@login_required
@require_http_methods(["GET", "POST"])
def scope(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, Action.VIEW)
    draft = services.draft_scope()
    role = Role(user.role)
    may_edit = can(role, Action.EDIT)
    may_approve = can(role, Action.APPROVE) and can(role, Action.MANAGE_ORGANISATION)
    form = ScopeForm(
        request.POST or None,
        initial={
            "statement": draft.statement,
            "in_scope": items_to_text(draft.in_scope),
            "out_of_scope": items_to_text(draft.out_of_scope),
            "interfaces": draft.interfaces,
            "dependencies": draft.dependencies,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_scope(
                user,
                statement=data["statement"],
                in_scope=text_to_items(data["in_scope"]),
                out_of_scope=text_to_items(data["out_of_scope"]),
                interfaces=data["interfaces"],
                dependencies=data["dependencies"],
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Draft scope saved.")
            return redirect("context:scope")
    versions = list(ScopeVersion.objects.select_related("approved_by"))
    context = {
        "draft": draft,
        "form": form if may_edit else None,
        "approve_form": ApproveForm() if may_approve else None,
        "versions": versions,
        "changes": services.compare_versions(versions[0].version, None) if versions else None,
    }
    return render(request, "context/scope.html", context)


@login_required
@require_POST
def scope_approve(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = ApproveForm(request.POST)
    notes = form.cleaned_data["notes"] if form.is_valid() else ""
    try:
        version = services.approve_scope(user, notes=notes)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, f"Scope version {version.version} approved.")
    return redirect("context:scope")


@login_required
def scope_version(request: HttpRequest, version: int) -> HttpResponse:
    require(_user(request), Action.VIEW)
    found = get_object_or_404(ScopeVersion.objects.select_related("approved_by"), version=version)
    return render(
        request, "context/scope_version.html", {"version": found, "lines": scope_lines(found.snapshot)}
    )


@login_required
def scope_compare(request: HttpRequest) -> HttpResponse:
    require(_user(request), Action.VIEW)
    get = request.GET
    old = int(get["old"]) if get.get("old", "").isdigit() else None
    new = int(get["new"]) if get.get("new", "").isdigit() else None
    versions = list(ScopeVersion.objects.all())
    changes = None
    if old is not None:
        try:
            changes = services.compare_versions(old, new)
        except ScopeVersion.DoesNotExist as exc:
            raise Http404("no such scope version") from exc
    return render(
        request,
        "context/scope_compare.html",
        {"versions": versions, "old": old, "new": new, "changes": changes, "sections": dict(SECTIONS)},
    )
