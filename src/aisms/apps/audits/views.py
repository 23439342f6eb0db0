"""Audit pages: overview, programmes with their coverage matrix, audits with the checklist (htmx result
buttons) and findings, the nonconformity register and one nonconformity's corrective-action workflow."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.audits import charts, forms, selectors, services
from aisms.apps.audits.models import (
    Audit,
    AuditProgramme,
    AuditStatus,
    ChecklistItem,
    ChecklistResult,
    CorrectiveAction,
    Finding,
    NcSeverity,
    NcSource,
    NcStatus,
    Nonconformity,
)
from aisms.apps.audits.permissions import may_do_audit_work, on_team
from aisms.apps.web.form_errors import add_service_errors
from aisms.domain.access import Action, Role, can, can_on_object
from aisms.domain.audits import due as dued


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _refused(request: HttpRequest, exc: ValidationError | PermissionDenied) -> None:
    if isinstance(exc, PermissionDenied):
        messages.error(request, str(exc) or "your role does not allow this")
        return
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
    for problems in errors.values():
        for problem in problems:
            messages.error(request, problem)


def _may(user: User, action: Action, owner_id: int | None = None) -> bool:
    return can_on_object(Role(user.role), action, is_owner=owner_id == user.pk)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, Action.VIEW)
    today = timezone.localdate()
    due = dued.reminders(selectors.due_items(), today)
    owners = User.objects.in_bulk({r.owner_id for r in due})
    context = {
        "programmes": AuditProgramme.objects.select_related("owner"),
        "upcoming": selectors.audits().exclude(status=AuditStatus.CLOSED).order_by("planned_start")[:10],
        "open_ncs": Nonconformity.objects.exclude(status=NcStatus.CLOSED).count(),
        "due": [(r, owners.get(r.owner_id)) for r in due],
        "ageing_svg": mark_safe(charts.ageing_chart(selectors.nc_ageing(today))),  # noqa: S308  # our own SVG, labels escaped
        "can_plan": can(Role(user.role), Action.CREATE),
        "can_audit": may_do_audit_work(user, Action.CREATE),
    }
    return render(request, "audits/index.html", context)


# --- programmes ------------------------------------------------------------------------------------------


def _programme_values(form: forms.ProgrammeForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data["high_risk_uids"] = list(data["high_risk_uids"])
    return data


@login_required
def create_programme(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, Action.CREATE)
    form = forms.ProgrammeForm(
        request.POST or None, initial={"start_year": timezone.localdate().year, "owner": user}
    )
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.create_programme(user, **_programme_values(form))
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Audit programme created.")
            return redirect(programme)
    return render(
        request, "audits/form.html", {"form": form, "title": "New audit programme", "button": "Create"}
    )


@login_required
def edit_programme(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    programme = get_object_or_404(AuditProgramme, pk=pk)
    require(user, Action.EDIT)
    initial = {f: getattr(programme, f) for f in services.PROGRAMME_FIELDS}
    form = forms.ProgrammeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_programme(user, programme, **_programme_values(form))
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Audit programme saved.")
            return redirect(programme)
    return render(request, "audits/form.html", {"form": form, "title": f"Edit {programme}", "button": "Save"})


@login_required
def programme(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    require(user, Action.VIEW)
    prog = get_object_or_404(AuditProgramme.objects.select_related("owner"), pk=pk)
    cov = selectors.programme_coverage(prog)
    context = {
        "programme": prog,
        "coverage": cov,
        "matrix_svg": mark_safe(charts.coverage_matrix(cov)),  # noqa: S308  # our own SVG, labels escaped
        "legend_svg": mark_safe(charts.coverage_legend()),  # noqa: S308  # our own SVG
        "audits": selectors.audits(programme=prog.pk).order_by("planned_start"),
        "plan": selectors.remaining_plan(cov, timezone.localdate().year),
        "can_edit": _may(user, Action.EDIT, prog.owner_id),
        "can_audit": may_do_audit_work(user, Action.CREATE),
    }
    return render(request, "audits/programme.html", context)


# --- audits ----------------------------------------------------------------------------------------------


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, Action.VIEW)
    status = request.GET.get("status", "")[:20]
    q = request.GET.get("q", "")[:200]
    context = {
        "audits": selectors.audits(status=status, q=q),
        "status": status,
        "q": q,
        "statuses": AuditStatus.choices,
        "can_audit": may_do_audit_work(user, Action.CREATE),
    }
    return render(request, "audits/audits.html", context)


def _audit_values(form: forms.AuditForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data["clause_uids"] = list(data["clause_uids"])
    data["control_uids"] = list(data["control_uids"])
    data["auditors"] = list(data["auditors"])
    return data


@login_required
def create_audit(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not may_do_audit_work(user, Action.CREATE):
        raise PermissionDenied("your role may not plan audits")
    initial: dict[str, Any] = {"lead_auditor": user, "programme": request.GET.get("programme")}
    form = forms.AuditForm(request.POST or None, initial=initial)
    del form.fields["report_summary"]
    if request.method == "POST" and form.is_valid():
        try:
            audit = services.create_audit(user, **_audit_values(form))
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, f"{audit.ref} planned with {audit.checklist.count()} checklist questions."
            )
            return redirect(audit)
    return render(
        request, "audits/form.html", {"form": form, "title": "Plan an audit", "button": "Plan audit"}
    )


@login_required
def edit_audit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    audit = get_object_or_404(Audit, pk=pk)
    if not may_do_audit_work(user, Action.EDIT, is_team=on_team(user, audit)):
        raise PermissionDenied("your role may not edit this audit")
    initial = {f: getattr(audit, f) for f in (*services.AUDIT_FIELDS, "clause_uids", "control_uids")}
    initial["auditors"] = list(audit.auditors.all())
    form = forms.AuditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_audit(user, audit, **_audit_values(form))
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Audit saved.")
            return redirect(audit)
    return render(request, "audits/form.html", {"form": form, "title": f"Edit {audit.ref}", "button": "Save"})


RESULT_BUTTONS = [
    (ChecklistResult.CONFORMING, "Conforming", "ok"),
    (ChecklistResult.MINOR_NC, "Minor NC", "warn"),
    (ChecklistResult.MAJOR_NC, "Major NC", "bad"),
    (ChecklistResult.OBSERVATION, "Observation", ""),
    (ChecklistResult.OFI, "OFI", ""),
]


@login_required
def audit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    require(user, Action.VIEW)
    found = get_object_or_404(Audit, pk=pk)
    detail = selectors.audit_detail(found.pk)
    counts = selectors.result_counts(detail)
    checked = sum(v for k, v in counts.items() if k != ChecklistResult.NOT_CHECKED)
    context = {
        "audit": detail,
        "counts": counts,
        "checked": checked,
        "total": sum(counts.values()),
        "buttons": RESULT_BUTTONS,
        "can_audit": may_do_audit_work(user, Action.EDIT, is_team=on_team(user, detail)),
        "can_raise": may_do_audit_work(user, Action.CREATE),
        "running": detail.status == AuditStatus.IN_PROGRESS,
        "finding_form": forms.FindingForm(),
        "next_status": {
            AuditStatus.PLANNED: ("in-progress", "Start the audit"),
            AuditStatus.IN_PROGRESS: ("reported", "Issue the report"),
            AuditStatus.REPORTED: ("closed", "Close the audit"),
        }.get(AuditStatus(detail.status)),
    }
    return render(request, "audits/audit.html", context)


@login_required
@require_POST
def transition_audit(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Audit, pk=pk)
    try:
        services.transition_audit(_user(request), found, request.POST.get("status", "")[:20])
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        messages.success(request, f"{found.ref} is now {request.POST.get('status')}.")
    return redirect(found)


@login_required
@require_POST
def record_result(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: record one checklist result and answer with the re-rendered row."""
    user = _user(request)
    item = get_object_or_404(ChecklistItem.objects.select_related("audit"), pk=pk)
    error = ""
    try:
        item, _ = services.record_result(
            user,
            item,
            result=request.POST.get("result", "")[:20],
            notes=request.POST.get("notes") if "notes" in request.POST else None,
        )
    except (ValidationError, PermissionDenied) as exc:
        error = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    if not request.headers.get("HX-Request"):
        if error:
            messages.error(request, error)
        return redirect(item.audit.get_absolute_url() + f"#item-{item.pk}")
    item = (
        ChecklistItem.objects.select_related("audit", "checked_by")
        .prefetch_related("findings")
        .get(pk=item.pk)
    )
    context = {
        "item": item,
        "buttons": RESULT_BUTTONS,
        "can_audit": may_do_audit_work(user, Action.EDIT, is_team=on_team(user, item.audit)),
        "can_raise": may_do_audit_work(user, Action.CREATE),
        "running": item.audit.status == AuditStatus.IN_PROGRESS,
        "error": error,
    }
    return render(request, "audits/_checklist_row.html", context)


@login_required
@require_POST
def add_finding(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Audit, pk=pk)
    form = forms.FindingForm(request.POST)
    if not form.is_valid():
        messages.error(request, "A finding needs a kind and a text.")
        return redirect(found)
    try:
        services.add_finding(_user(request), found, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        messages.success(request, "Finding recorded.")
    return redirect(found.get_absolute_url() + "#findings")


@login_required
@require_POST
def raise_from_finding(request: HttpRequest, pk: int) -> HttpResponse:
    finding = get_object_or_404(Finding.objects.select_related("audit"), pk=pk)
    try:
        nc = services.raise_from_finding(_user(request), finding)
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
        return redirect(finding.audit.get_absolute_url() + "#findings")
    messages.success(request, f"{nc.ref} raised. Give it an owner, a root cause and corrective actions.")
    return redirect(nc)


# --- nonconformities ---------------------------------------------------------------------------------------


@login_required
def nc_register(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, Action.VIEW)
    today = timezone.localdate()
    filters = selectors.NcFilter(
        status=request.GET.get("status", "not-closed")[:20],
        severity=request.GET.get("severity", "")[:20],
        source=request.GET.get("source", "")[:20],
        overdue=request.GET.get("overdue") == "1",
        q=request.GET.get("q", "")[:200],
    )
    context = {
        "ncs": selectors.nonconformities(filters, today),
        "filters": filters,
        "statuses": [("not-closed", "Not closed"), *NcStatus.choices, ("", "All")],
        "severities": NcSeverity.choices,
        "sources": NcSource.choices,
        "ageing_svg": mark_safe(charts.ageing_chart(selectors.nc_ageing(today))),  # noqa: S308  # our own SVG
        "can_raise": may_do_audit_work(user, Action.CREATE),
    }
    return render(request, "audits/ncs.html", context)


@login_required
def create_nc(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not may_do_audit_work(user, Action.CREATE):
        raise PermissionDenied("your role may not raise nonconformities")
    form = forms.NcForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            nc = services.raise_nonconformity(user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{nc.ref} raised.")
            return redirect(nc)
    return render(
        request, "audits/form.html", {"form": form, "title": "Raise a nonconformity", "button": "Raise"}
    )


@login_required
def nc(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    require(user, Action.VIEW)
    found = selectors.nc_detail(get_object_or_404(Nonconformity, pk=pk).pk)
    today = timezone.localdate()
    actions = [
        (
            a,
            dued.due_state(a.due_date, done=a.done_at is not None, today=today).value,
            _may(user, Action.EDIT, a.owner_id),
        )
        for a in found.actions.all()
    ]
    closed = found.status == NcStatus.CLOSED
    context = {
        "nc": found,
        "actions": actions,
        "reviews": list(found.reviews.all()),
        "close_problems": selectors.close_problems(found),
        "all_done": bool(actions) and all(a.done_at for a, _, _ in actions),
        "steps": NcStatus.choices,
        "can_edit": not closed and _may(user, Action.EDIT, found.owner_id),
        "can_add_action": not closed and _may(user, Action.CREATE),
        "can_approve": _may(user, Action.APPROVE, found.owner_id),
        "action_form": forms.ActionForm(initial={"owner": found.owner}),
        "review_form": forms.EffectivenessForm(),
        "complete_form": forms.CompleteForm(),
    }
    return render(request, "audits/nc.html", context)


@login_required
def edit_nc(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    found = get_object_or_404(Nonconformity, pk=pk)
    require(user, Action.EDIT)
    fields = ("description", "severity", "clause_uid", "control_uid", "owner", "due_date")
    initial = {f: getattr(found, f) for f in (*fields, "root_cause", "root_cause_category", "containment")}
    form = forms.NcEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_nonconformity(user, found, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{found.ref} saved.")
            return redirect(found)
    return render(
        request,
        "audits/form.html",
        {"form": form, "title": f"{found.ref}: cause and details", "button": "Save"},
    )


@login_required
@require_POST
def add_action(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Nonconformity, pk=pk)
    form = forms.ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "A corrective action needs a description.")
        return redirect(found)
    try:
        services.add_corrective_action(_user(request), found, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        messages.success(request, "Corrective action added.")
    return redirect(found.get_absolute_url() + "#actions")


@login_required
@require_POST
def complete_action(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(CorrectiveAction.objects.select_related("nonconformity"), pk=pk)
    form = forms.CompleteForm(request.POST)
    form.is_valid()
    try:
        services.complete_corrective_action(
            _user(request),
            action,
            evidence_note=form.cleaned_data.get("evidence_note") or None,
            done=request.POST.get("done", "1") == "1",
        )
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        messages.success(request, "Corrective action updated.")
    return redirect(action.nonconformity.get_absolute_url() + "#actions")


@login_required
@require_POST
def effectiveness(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Nonconformity, pk=pk)
    form = forms.EffectivenessForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say whether the actions were effective.")
        return redirect(found)
    try:
        services.record_effectiveness_review(
            _user(request), found, effective=form.cleaned_data["effective"], notes=form.cleaned_data["notes"]
        )
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        if form.cleaned_data["effective"]:
            messages.success(request, "Effectiveness review recorded: the nonconformity can be closed.")
        else:
            messages.warning(
                request, "Not effective: the nonconformity is open again and needs a new action."
            )
    return redirect(found.get_absolute_url() + "#review")


@login_required
@require_POST
def transition_nc(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Nonconformity, pk=pk)
    target = request.POST.get("status", "")[:20]
    try:
        services.transition_nonconformity(_user(request), found, target)
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        messages.success(request, f"{found.ref} is now {target}.")
    return redirect(found)
