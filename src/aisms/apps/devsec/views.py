"""Secure coding pages: overview (policy, repositories, findings over time, findings, upload), the policy
editor with its versions, one repository, one scan, and the finding status change (htmx)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.devsec import forms, selectors, services
from aisms.apps.devsec.charts import ScanPoint, findings_over_time
from aisms.apps.devsec.models import (
    CONTROL_UID,
    SEVERITY_CHOICES,
    Finding,
    Repository,
    ScanRun,
    SecureCodingPolicy,
)
from aisms.apps.web.form_errors import add_service_errors
from aisms.domain.access import Action, Role, can, can_on_object
from aisms.domain.devsec.policy import PolicyError, default_policy_text, summarise
from aisms.domain.devsec.tracking import Status


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _chart(repository: Repository) -> str:
    points = [
        ScanPoint(
            label=s.scanned_at.strftime("%d %b"),
            detail=s.commit[:8],
            error=s.errors,
            warning=s.warnings,
            note=s.notes,
        )
        for s in selectors.trend(repository)
    ]
    return mark_safe(findings_over_time(points, title=f"Findings per scan of {repository.name}"))  # noqa: S308 - our SVG, text escaped


def _filters(request: HttpRequest) -> dict[str, str]:
    status = request.GET.get("status", "open")
    return {
        "status": status if status in {s.value for s in Status} else "",
        "severity": request.GET.get("severity", "")[:10],
        "tool": request.GET.get("tool", "")[:100],
        "q": request.GET.get("q", "")[:200].replace("\x00", ""),
    }


def _findings_context(request: HttpRequest, repository: Repository | None) -> dict[str, Any]:
    filters = _filters(request)
    rows = selectors.findings(repository=repository, **filters)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return {
        "page": page,
        "filters": filters,
        "statuses": [(s.value, s.label) for s in Status],
        "severities": SEVERITY_CHOICES,
        "tools": selectors.finding_tools(),
        "repository": repository,
        "can_triage": can(Role(_user(request).role), Action.EDIT),
    }


@login_required
def index(request: HttpRequest) -> HttpResponse:
    require(_user(request), Action.VIEW)
    context = _findings_context(request, None)
    if request.headers.get("HX-Request") and request.GET.get("partial") == "findings":
        return render(request, "devsec/_findings.html", context)
    state = selectors.policy_state()
    repos = list(selectors.repositories())
    latest = selectors.latest_scans(repos)
    context.update(
        {
            "state": state,
            "summary": summarise(state.parsed),
            "repositories": [(r, latest.get(r.pk), _chart(r)) for r in repos],
            "upload_form": forms.UploadForm(),
            "control_uid": CONTROL_UID,
            "scan_total": ScanRun.objects.count(),
        }
    )
    return render(request, "devsec/index.html", context)


@login_required
def policy(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, Action.VIEW)
    state = selectors.policy_state()
    initial = state.latest.yaml if state.latest else default_policy_text()
    form = forms.PolicyForm(request.POST or None, initial={"yaml": initial})
    problems: list[Any] = []
    role = Role(user.role)
    if request.GET.get("download") == "yaml":
        text = state.in_force.yaml if state.in_force else default_policy_text()
        response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="secure-coding-policy.yaml"'
        return response
    if request.method == "POST":
        if not can_on_object(role, Action.EDIT, is_owner=False):
            raise PermissionDenied("your role may not change the policy")
        if form.is_valid():
            try:
                version = services.save_policy(user, form.cleaned_data["yaml"], form.cleaned_data["note"])
            except PolicyError as exc:
                problems = exc.errors
            except (PermissionDenied, ValidationError) as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"Version {version.version} saved; it takes effect once approved.")
                return redirect("devsec:policy")
    context = {
        "form": form,
        "problems": problems,
        "state": state,
        "summary": summarise(state.parsed),
        "versions": selectors.policy_versions(),
        "can_edit": can_on_object(role, Action.EDIT, is_owner=False),
        "can_approve": can_on_object(role, Action.APPROVE, is_owner=False),
    }
    return render(request, "devsec/policy.html", context)


@login_required
@require_POST
def approve_policy(request: HttpRequest, version: int) -> HttpResponse:
    target = get_object_or_404(SecureCodingPolicy, version=version)
    try:
        services.approve_policy(_user(request), target)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, f"Version {target.version} approved: it is now the policy in force.")
    return redirect("devsec:policy")


@login_required
def repository(request: HttpRequest, pk: int) -> HttpResponse:
    require(_user(request), Action.VIEW)
    repo = get_object_or_404(Repository.objects.select_related("owner", "asset"), pk=pk)
    context = _findings_context(request, repo)
    if request.headers.get("HX-Request") and request.GET.get("partial") == "findings":
        return render(request, "devsec/_findings.html", context)
    context.update({"repo": repo, "chart": _chart(repo), "scans": selectors.scans(repo)[:50]})
    return render(request, "devsec/repository.html", context)


@login_required
def edit_repository(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    require(user, Action.EDIT)
    repo = get_object_or_404(Repository, pk=pk)
    initial = {
        "url": repo.url,
        "description": repo.description,
        "classification": repo.classification,
        "owner": repo.owner_id,
        "asset": repo.asset_id,
    }
    form = forms.RepositoryForm(request.POST or None, initial=initial)
    classes = selectors.policy_state().parsed.classifications
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        if values["classification"] and values["classification"] not in classes:
            form.add_error("classification", f"use one of the policy's classifications: {', '.join(classes)}")
        else:
            try:
                services.update_repository(user, repo, **values)
            except (PermissionDenied, ValidationError) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"{repo.name} saved.")
                return redirect("devsec:repository", pk=repo.pk)
    return render(request, "devsec/repository_form.html", {"form": form, "repo": repo, "classes": classes})


@login_required
def scan(request: HttpRequest, pk: int) -> HttpResponse:
    require(_user(request), Action.VIEW)
    run = get_object_or_404(ScanRun.objects.select_related("repository", "uploaded_by", "policy"), pk=pk)
    if request.GET.get("download") == "json":
        response = HttpResponse(json.dumps(run.result, indent=2), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="scan-{run.pk}.json"'
        return response
    result = run.result if isinstance(run.result, dict) else {}
    context = {
        "run": run,
        "tools": _records(result.get("tools"), ("id", "name", "approved", "files")),
        "mcp_servers": _records(
            result.get("mcp_servers"), ("name", "command", "url", "path", "env", "allowed")
        ),
        "sources": result.get("sources") or [],
        "stats": result.get("stats") or {},
        "findings": _records(
            result.get("findings"), ("severity", "rule_id", "tool", "path", "line", "message")
        ),
        "control_uid": CONTROL_UID,
    }
    return render(request, "devsec/scan.html", context)


def _records(value: Any, keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """Entries of an uploaded report as dicts with every key the template reads (reports come from
    outside, so keys may be missing)."""
    if not isinstance(value, list):
        return []
    return [{k: item.get(k) or "" for k in keys} for item in value[:200] if isinstance(item, dict)]


@login_required
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, Action.CREATE)
    form = forms.UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("devsec:index")
    file = form.cleaned_data["file"]
    if file.size > services.max_report_bytes():
        messages.error(request, f"{file.name}: larger than the {services.max_report_bytes()} byte limit")
        return redirect("devsec:index")
    try:
        uploaded, source = services.parse_upload(
            file.read(),
            file.name,
            repository_name=form.cleaned_data["repository"],
            commit=form.cleaned_data["commit"],
        )
        run = services.record_scan(user, uploaded, source=source)
    except services.ScanUploadError as exc:
        messages.error(request, str(exc))
        return redirect("devsec:index")
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("devsec:index")
    messages.success(
        request,
        f"Scan of {run.repository.name} recorded: {run.total} findings, {run.new_findings} new, "
        f"{run.fixed_findings} fixed.",
    )
    return redirect("devsec:repository", pk=run.repository_id)


@login_required
@require_POST
def finding_status(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    finding = get_object_or_404(Finding.objects.select_related("repository"), pk=pk)
    form = forms.FindingStatusForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            finding = services.set_finding_status(
                user, finding, Status(form.cleaned_data["status"]), form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            error = "; ".join(exc.messages)
        except PermissionDenied as exc:
            error = str(exc) or "your role does not allow this"
    else:
        error = "choose a status"
    if request.headers.get("HX-Request"):
        finding = Finding.objects.select_related("repository", "status_changed_by").get(pk=finding.pk)
        context = {
            "f": finding,
            "statuses": [(s.value, s.label) for s in Status],
            "can_triage": can(Role(user.role), Action.EDIT),
            "row_error": error,
            "show_repository": request.POST.get("show_repository") == "1",
        }
        return render(request, "devsec/_finding_row.html", context, status=200)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"Finding marked {Status(finding.status).label.lower()}.")
    return redirect(finding.get_absolute_url())
