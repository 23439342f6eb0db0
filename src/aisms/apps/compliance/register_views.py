"""Register pages: evidence (with expiry timeline, revisions, review, download), documents (versions,
approval, review), the policy and objectives (progress charts), and the regulatory register with exposure."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form as DjangoForm
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.compliance import charts, forms, registers, regulation_services, selectors, services, storage
from aisms.apps.compliance.models import (
    DocumentVersion,
    EvidenceItem,
    EvidenceRevision,
    Objective,
    Obligation,
    Regulation,
    VersionStatus,
)
from aisms.apps.context.models import PestelCategory, PestelIssue
from aisms.apps.risks.models import Risk
from aisms.apps.web.form_errors import add_service_errors
from aisms.domain.access import Action, Role, can_on_object
from aisms.domain.compliance.evidence_files import CONTENT_TYPES, extension_of


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]  # login_required/auth: an authenticated aisms User


def _split(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split(",") if p.strip()]


def _upload(form: DjangoForm, field: str = "file") -> services.Upload | None:
    file = form.cleaned_data.get(field)
    if not file:
        return None
    if file.size > storage.max_evidence_bytes():
        raise ValidationError({field: f"larger than the {storage.max_evidence_bytes()} byte limit"})
    return services.Upload(file.name, file.read())


# ------------------------------------------------------------------ evidence


@login_required
def evidence_register(request: HttpRequest) -> HttpResponse:
    require(_user(request), Action.VIEW)
    today = timezone.localdate()
    state = request.GET.get("state", "")
    state = state if state in registers.STATES else ""
    owner = request.GET.get("owner", "")[:150]
    rows = registers.evidence_list(today, state=state, owner=owner, q=request.GET.get("q", "")[:200])
    items = [(e, registers.state_of(e, today).value) for e in rows]
    timeline = charts.expiry_timeline(
        [(e.title, e.expires_on, e.get_absolute_url()) for e, _ in items], today
    )
    context = {
        "items": items,
        "state": state,
        "owner": owner,
        "owners": User.objects.filter(evidence__isnull=False).distinct().order_by("username"),
        "timeline": mark_safe(timeline),  # noqa: S308 - our own escaped SVG
        "today": today,
    }
    return render(request, "compliance/evidence_register.html", context)


@login_required
def evidence_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, Action.CREATE)
    form = forms.EvidenceForm(
        request.POST or None, request.FILES or None, initial={"evidence_date": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.create_evidence(
                user,
                title=data["title"],
                evidence_date=data["evidence_date"],
                upload=_upload(form),
                url=data["url"] or "",
                description=data["description"],
                owner=data["owner"],
                expires_on=data["expires_on"],
                review_due=data["review_due"],
                entry_uids=_split(data["links"]),
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Evidence “{item.title}” added.")
            return redirect(item.get_absolute_url())
    return render(
        request,
        "compliance/form.html",
        {"form": form, "title": "Add evidence", "button": "Add evidence", "multipart": True},
    )


def _may_edit(user: User, item: EvidenceItem) -> bool:
    return can_on_object(Role(user.role), Action.EDIT, is_owner=user.pk in services.evidence_owner_ids(item))


@login_required
def evidence_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    require(user, Action.VIEW)
    item = get_object_or_404(EvidenceItem.objects.select_related("owner", "reviewed_by", "created_by"), pk=pk)
    revision_form = forms.RevisionForm()
    review_form = forms.ReviewForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "revision":
                revision_form = forms.RevisionForm(request.POST, request.FILES)
                if revision_form.is_valid():
                    data = revision_form.cleaned_data
                    services.add_revision(
                        user,
                        item,
                        upload=_upload(revision_form),
                        url=data["url"] or "",
                        note=data["note"],
                        evidence_date=data["evidence_date"],
                        expires_on=data["expires_on"],
                    )
                    messages.success(request, "New revision added; the earlier ones are kept.")
                    return redirect(item.get_absolute_url())
            elif action == "review":
                review_form = forms.ReviewForm(request.POST)
                if review_form.is_valid():
                    services.review_evidence(user, item, next_review=review_form.cleaned_data["next_review"])
                    messages.success(request, "Review recorded.")
                    return redirect(item.get_absolute_url())
            elif action == "links":
                refs = _split(request.POST.get("risks"))
                risks = list(Risk.objects.filter(ref__in=refs))
                if len(risks) != len(set(refs)):
                    raise ValidationError({"risks": "unknown risk reference"})
                services.set_evidence_links(
                    user, item, entry_uids=_split(request.POST.get("links")), risks=risks
                )
                messages.success(request, "Links saved.")
                return redirect(item.get_absolute_url())
            elif action == "delete":
                services.delete_evidence(user, item)
                messages.success(request, f"Evidence “{item.title}” removed.")
                return redirect("compliance:evidence-register")
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(revision_form if action == "revision" else review_form, exc)
            if action in ("links", "delete"):
                messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
    context = {
        "item": item,
        "state": registers.state_of(item, timezone.localdate()).value,
        "revisions": item.revisions.select_related("created_by"),
        "entries": item.entries.order_by("source__key", "position"),
        "revision_form": revision_form,
        "review_form": review_form,
        "may_edit": _may_edit(user, item),
        "links_text": ", ".join(e.uid for e in item.entries.all()),
        "risks": item.risks.order_by("ref"),
        "actions": item.treatment_actions.select_related("risk"),
        "risks_text": ", ".join(r.ref for r in item.risks.order_by("ref")),
    }
    return render(request, "compliance/evidence_detail.html", context)


def _file(stored_path: str, file_name: str) -> FileResponse:
    try:
        path = storage.resolve(stored_path)
    except FileNotFoundError:
        raise Http404("no file stored") from None
    response = FileResponse(
        open(path, "rb"),  # noqa: SIM115 - FileResponse closes it
        as_attachment=True,
        filename=file_name,
        content_type=CONTENT_TYPES.get(extension_of(file_name), "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def evidence_file(request: HttpRequest, pk: int, number: int) -> FileResponse:
    """Files are served only to logged-in users with the view permission, always as attachments."""
    require(_user(request), Action.VIEW)
    revision = get_object_or_404(EvidenceRevision, evidence_id=pk, number=number)
    return _file(revision.stored_path, revision.file_name)


# ------------------------------------------------------------------ documents


@login_required
def documents(request: HttpRequest) -> HttpResponse:
    require(_user(request), Action.VIEW)
    today = timezone.localdate()
    rows = []
    for document in registers.documents(doc_type=request.GET.get("type", "")[:20]):
        current = registers.in_force(document)
        rows.append(
            (
                document,
                current,
                registers.latest_version(document),
                bool(current and current.next_review and current.next_review < today),
            )
        )
    return render(request, "compliance/documents.html", {"rows": rows, "today": today})


@login_required
def document_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, Action.CREATE)
    form = forms.DocumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        links, text = data.pop("links"), data.pop("text")
        try:
            document = services.create_document(user, entry_uids=_split(links), text=text, **data)
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{document.ref} added as a draft.")
            return redirect(document.get_absolute_url())
    return render(
        request, "compliance/form.html", {"form": form, "title": "Add a document", "button": "Add document"}
    )


@login_required
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    require(user, Action.VIEW)
    document = get_object_or_404(registers.documents(include_retired=True), pk=pk)
    version_form, approve_form, review_form = (
        forms.VersionForm(),
        forms.ApproveForm(),
        forms.DocumentReviewForm(),
    )
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "version":
                version_form = forms.VersionForm(request.POST, request.FILES)
                if version_form.is_valid():
                    data = version_form.cleaned_data
                    services.add_version(
                        user,
                        document,
                        text=data["text"],
                        upload=_upload(version_form),
                        change_summary=data["change_summary"],
                    )
                    messages.success(request, "Draft version added.")
                    return redirect(document.get_absolute_url())
            elif action == "approve":
                approve_form = forms.ApproveForm(request.POST)
                version = get_object_or_404(
                    DocumentVersion, document=document, number=int(request.POST.get("number", "0") or 0)
                )
                if approve_form.is_valid():
                    services.approve_version(
                        user, version, next_review=approve_form.cleaned_data["next_review"]
                    )
                    messages.success(request, f"Version {version.number} approved.")
                    return redirect(document.get_absolute_url())
            elif action == "review":
                review_form = forms.DocumentReviewForm(request.POST)
                if review_form.is_valid():
                    services.review_document(
                        user, document, next_review=review_form.cleaned_data["next_review"]
                    )
                    messages.success(request, "Review recorded.")
                    return redirect(document.get_absolute_url())
        except (ValidationError, PermissionDenied) as exc:
            target = {"version": version_form, "approve": approve_form}.get(action or "", review_form)
            add_service_errors(target, exc)
    context = {
        "document": document,
        "versions": list(document.versions.all()),
        "in_force": registers.in_force(document),
        "version_form": version_form,
        "approve_form": approve_form,
        "review_form": review_form,
        "entries": document.entries.order_by("source__key", "position"),
        "draft": VersionStatus.DRAFT,
        "today": timezone.localdate(),
    }
    return render(request, "compliance/document.html", context)


@login_required
def document_file(request: HttpRequest, pk: int, number: int) -> FileResponse:
    require(_user(request), Action.VIEW)
    version = get_object_or_404(DocumentVersion, document_id=pk, number=number)
    return _file(version.stored_path, version.file_name)


# ------------------------------------------------------------------ policy and objectives


@login_required
def objectives(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, Action.VIEW)
    today = timezone.localdate()
    form = forms.ObjectiveForm()
    measurement_form = forms.MeasurementForm(initial={"measured_on": today})
    if request.method == "POST":
        try:
            if request.POST.get("action") == "measure":
                measurement_form = forms.MeasurementForm(request.POST)
                objective = get_object_or_404(Objective, pk=int(request.POST.get("objective", "0") or 0))
                if measurement_form.is_valid():
                    services.add_measurement(user, objective, **measurement_form.cleaned_data)
                    messages.success(request, f"Measurement recorded for “{objective.title}”.")
                    return redirect("compliance:objectives")
            else:
                form = forms.ObjectiveForm(request.POST)
                if form.is_valid():
                    objective = services.create_objective(user, **form.cleaned_data)
                    messages.success(request, f"Objective “{objective.title}” added.")
                    return redirect("compliance:objectives")
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(measurement_form if request.POST.get("action") == "measure" else form, exc)
    views = registers.objectives(today)
    cards = [
        (
            v,
            mark_safe(  # noqa: S308 - our own escaped SVG
                charts.objective_chart(
                    [(m.on, m.value) for m in v.series],
                    baseline=float(v.objective.baseline),
                    target=float(v.objective.target),
                    due=v.objective.due,
                    title=f"Progress of {v.objective.title}",
                    unit=v.objective.unit,
                )
            ),
        )
        for v in views
    ]
    policy = registers.isms_policy()
    context = {
        "cards": cards,
        "policy": policy,
        "policy_version": registers.in_force(policy) if policy else None,
        "form": form,
        "measurement_form": measurement_form,
        "today": today,
    }
    return render(request, "compliance/objectives.html", context)


# ------------------------------------------------------------------ regulations


@login_required
def regulations(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, Action.VIEW)
    today = timezone.localdate()
    rows = selectors.exposure_rows(today)
    chart = charts.exposure_bars(
        [(r.regulation.short_name, r.exposure.max_penalty_eur, r.exposure.expected_eur) for r in rows]
    )
    present = set(Regulation.objects.values_list("key", flat=True))
    in_register = set(Regulation.objects.exclude(pestel_issue=None).values_list("pestel_issue_id", flat=True))
    context = {
        "rows": rows,
        "chart": mark_safe(chart),  # noqa: S308 - our own escaped SVG
        "suggestions": [s for s in regulation_services.suggestions() if s.key not in present],
        "legal_issues": PestelIssue.objects.filter(category=PestelCategory.LEGAL).exclude(pk__in=in_register),
        "turnover": rows[0].turnover_eur if rows else None,
        "form": forms.RegulationForm(),
    }
    return render(request, "compliance/regulations.html", context)


@login_required
@require_POST
def regulation_add(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    try:
        if request.POST.get("suggestion"):
            regulation = regulation_services.adopt_suggestion(user, request.POST["suggestion"][:40])
        elif request.POST.get("pestel_issue"):
            issue = get_object_or_404(PestelIssue, pk=int(request.POST["pestel_issue"] or 0))
            regulation = regulation_services.from_pestel_issue(user, issue)
        else:
            form = forms.RegulationForm(request.POST)
            if not form.is_valid():
                messages.error(request, "; ".join(f"{k}: {v[0]}" for k, v in form.errors.items()))
                return redirect("compliance:regulations")
            regulation = regulation_services.create_regulation(user, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("compliance:regulations")
    messages.success(request, f"{regulation.short_name} added to the regulatory register.")
    return redirect(regulation.get_absolute_url())


@login_required
def regulation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    require(user, Action.VIEW)
    regulation = get_object_or_404(registers.regulations(), pk=pk)
    form = forms.ObligationForm()
    if request.method == "POST":
        try:
            if request.POST.get("action") == "delete-obligation":
                obligation = get_object_or_404(
                    Obligation, pk=int(request.POST.get("obligation", "0") or 0), regulation=regulation
                )
                regulation_services.delete_obligation(user, obligation)
                messages.success(request, "Obligation removed.")
                return redirect(regulation.get_absolute_url())
            form = forms.ObligationForm(request.POST)
            if form.is_valid():
                refs = _split(form.cleaned_data["risks"])
                risks = list(Risk.objects.filter(ref__in=refs))
                if len(risks) != len(set(refs)):
                    raise ValidationError({"risks": "unknown risk reference"})
                regulation_services.add_obligation(
                    user,
                    regulation,
                    text=form.cleaned_data["text"],
                    control_uids=_split(form.cleaned_data["controls"]),
                    risks=risks,
                )
                messages.success(request, "Obligation added.")
                return redirect(regulation.get_absolute_url())
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(form, exc)
    today = timezone.localdate()
    row = next((r for r in selectors.exposure_rows(today) if r.regulation.pk == regulation.pk), None)
    statuses = {r.uid: r for r in selectors.control_statuses(today)}
    results = list(row.exposure.obligations) if row else []
    obligations = [
        (o, [(c, statuses.get(c.uid)) for c in o.controls.all()], results[i] if i < len(results) else None)
        for i, o in enumerate(regulation.obligations.all())
    ]
    context = {"regulation": regulation, "row": row, "form": form, "obligations": obligations}
    return render(request, "compliance/regulation.html", context)
