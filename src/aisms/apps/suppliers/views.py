"""Supplier pages: the register with filters, the overview charts, one supplier with its sections, sending
a questionnaire, reviewing an assessment (score, findings, raise as risk), templates and evidence files."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.suppliers import assessments, forms, selectors, services
from aisms.apps.suppliers.charts import expiry_timeline, share_bar, tier_score_scatter
from aisms.apps.suppliers.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    ContractClause,
    Finding,
    QuestionnaireTemplate,
    Supplier,
)
from aisms.apps.suppliers.portal import answer_label
from aisms.apps.web.charts import horizontal_bars, percent_bars
from aisms.apps.web.form_errors import add_service_errors
from aisms.config.public_url import public_base_url
from aisms.domain.access import Action
from aisms.domain.suppliers.clauses import CLAUSES
from aisms.domain.suppliers.questionnaire import visible_questions
from aisms.domain.suppliers.schedule import Tier, review_state
from aisms.domain.suppliers.scoring import rating_band


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]  # views are login_required


@login_required
def index(request: HttpRequest) -> HttpResponse:
    require(_user(request), Action.VIEW)
    today = timezone.localdate()
    q = request.GET.get("q", "")[:200]
    tier = request.GET.get("tier", "")
    ai = request.GET.get("ai", "")
    review = request.GET.get("review", "")
    status = request.GET.get("status", "")
    rows = list(
        selectors.suppliers(
            q=q,
            tier=int(tier) if tier in {"1", "2", "3"} else None,
            uses_ai={"yes": True, "no": False}.get(ai),
            review=review,
            status=status if status in {"onboarding", "active", "exiting", "ended"} else "",
            today=today,
        )
    )
    scores = selectors.latest_scores([s.pk for s in rows])
    schedule = services.intervals()
    table = [
        {
            "supplier": s,
            "score": scores[s.pk].score if s.pk in scores else None,
            "band": rating_band(scores[s.pk].score if s.pk in scores else None),
            "review": review_state(s.next_review_due, today, schedule).value if s.next_review_due else "",
        }
        for s in rows
    ]
    context = {
        "rows": table,
        "q": q,
        "tier": tier,
        "ai": ai,
        "review": review,
        "status": status,
        "tiers": [(t.value, t.label) for t in Tier],
    }
    return render(request, "suppliers/index.html", context)


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    require(_user(request), Action.VIEW)
    today = timezone.localdate()
    data = selectors.overview(today)
    policy = services.review_policy()
    context = {
        "data": data,
        "today": today,
        "policy": policy,
        "policy_form": forms.ReviewPolicyForm(
            initial={
                "tier1_months": policy.tier1_months,
                "tier2_months": policy.tier2_months,
                "tier3_months": policy.tier3_months,
                "reminder_days": policy.reminder_days,
            }
        ),
        "scatter": mark_safe(  # noqa: S308 - our own SVG, every label escaped
            tier_score_scatter(data.tier_scores, title="Criticality tier against latest questionnaire score")
        ),
        "ai_share": mark_safe(  # noqa: S308 - our own SVG, every label escaped
            share_bar(
                [
                    ("Trains on our data", data.ai_training, "#cf222e"),
                    ("Uses AI on our data", data.ai_using - data.ai_training, "#bf8700"),
                    ("No AI on our data (or not known)", data.total - data.ai_using, "#9aa5b1"),
                ],
                title="Suppliers that use AI on our data",
            )
        ),
        "overdue_chart": mark_safe(  # noqa: S308 - our own SVG, every label escaped
            horizontal_bars(
                [(s.name, (today - s.next_review_due).days) for s in data.overdue if s.next_review_due],
                title="Days overdue for review",
            )
        ),
        "expiry_chart": mark_safe(  # noqa: S308 - our own SVG, every label escaped
            expiry_timeline(
                [
                    (f"{c.supplier.name}: {c}", c.expires_on)
                    for c in [*data.expired, *data.expiring]
                    if c.expires_on is not None
                ],
                today=today,
                horizon_days=selectors.EXPIRY_HORIZON_DAYS,
                title="Certificates expired or expiring within 90 days",
            )
        ),
        "gaps_chart": mark_safe(  # noqa: S308 - our own SVG, every label escaped
            horizontal_bars(
                [(name, gaps) for name, gaps, _ai in data.clause_gaps], title="Contract clause gaps"
            )
        ),
    }
    return render(request, "suppliers/overview.html", context)


@login_required
@require_POST
def review_policy(request: HttpRequest) -> HttpResponse:
    form = forms.ReviewPolicyForm(request.POST)
    if form.is_valid():
        try:
            services.update_review_policy(_user(request), **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Review schedule saved; next review dates recomputed.")
    else:
        messages.error(request, "Enter whole numbers of months (1-120) and days (0-120).")
    return redirect("suppliers:overview")


@login_required
def create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, Action.CREATE)
    form = forms.SupplierForm(request.POST or None, initial={"tier": 3, "onboarded_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        values, assets = form.values()
        try:
            supplier = services.create_supplier(user, assets=assets, **values)
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{supplier.name} added.")
            return redirect(supplier)
    return render(request, "suppliers/form.html", {"form": form, "title": "Add a supplier", "button": "Add"})


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    require(user, Action.EDIT)
    supplier = get_object_or_404(Supplier, pk=pk)
    form = forms.SupplierForm(request.POST or None, instance=supplier)
    if request.method == "POST" and form.is_valid():
        values, assets = form.values()
        try:
            services.update_supplier(user, Supplier.objects.get(pk=pk), assets=assets, **values)
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Saved.")
            return redirect("suppliers:detail", pk=pk)
    title = f"Edit {supplier.name}"
    return render(request, "suppliers/form.html", {"form": form, "title": title, "button": "Save"})


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(_user(request), Action.VIEW)
    try:
        supplier = selectors.supplier_detail(pk)
    except Supplier.DoesNotExist as exc:
        raise Http404 from exc
    today = timezone.localdate()
    checklist = selectors.clause_checklist(supplier)
    recorded = {c.key: c for c in supplier.clauses.all()}
    gaps = {g.key: g for g in checklist.gaps}
    clauses = [
        {
            "spec": spec,
            "row": recorded.get(spec.key),
            "expected": spec.key in checklist.expected,
            "gap": gaps.get(spec.key),
        }
        for spec in CLAUSES
    ]
    schedule = services.intervals()
    context = {
        "supplier": supplier,
        "today": today,
        "checklist": checklist,
        "clauses": clauses,
        "clause_statuses": ContractClause._meta.get_field("status").choices,
        "review": review_state(supplier.next_review_due, today, schedule).value
        if supplier.next_review_due
        else "",
        "child_forms": {kind: form_class(prefix=kind) for kind, form_class in forms.CHILD_FORMS.items()},
    }
    return render(request, "suppliers/detail.html", context)


@login_required
@require_POST
def add_child(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    if kind not in forms.CHILD_FORMS:
        raise Http404
    supplier = get_object_or_404(Supplier, pk=pk)
    form = forms.CHILD_FORMS[kind](request.POST, prefix=kind)
    if form.is_valid():
        try:
            services.add_child(_user(request), supplier, kind, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, "Added.")
    else:
        messages.error(request, "; ".join(f"{k}: {v[0]}" for k, v in form.errors.items()))
    return redirect(f"{supplier.get_absolute_url()}#{kind}")


@login_required
@require_POST
def delete_child(request: HttpRequest, pk: int, kind: str, child: int) -> HttpResponse:
    if kind not in services.CHILDREN:
        raise Http404
    model = services.CHILDREN[kind][0]
    obj = get_object_or_404(model, pk=child, supplier_id=pk)
    services.delete_child(_user(request), obj)
    messages.success(request, "Removed.")
    return redirect(f"/suppliers/{pk}/#{kind}")


@login_required
@require_POST
def set_clause(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    supplier = get_object_or_404(Supplier, pk=pk)
    form = forms.ClauseForm(request.POST)
    if form.is_valid():
        try:
            services.set_clause(_user(request), supplier, key, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            messages.success(request, "Clause recorded.")
    else:
        messages.error(request, "Choose a status; hours must be a whole number.")
    return redirect(f"{supplier.get_absolute_url()}#clauses")


@login_required
@require_POST
def mark_reviewed(request: HttpRequest, pk: int) -> HttpResponse:
    supplier = get_object_or_404(Supplier, pk=pk)
    services.mark_reviewed(_user(request), supplier, timezone.localdate())
    messages.success(request, "Review recorded; the next review date moved on.")
    return redirect(supplier)


@login_required
@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    supplier = get_object_or_404(Supplier, pk=pk)
    services.delete_supplier(_user(request), supplier)
    messages.success(request, f"{supplier.name} deleted (its history is kept).")
    return redirect("suppliers:index")


# ------------------------------------------------------------------ assessments


@login_required
def send(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    require(user, Action.CREATE)
    supplier = get_object_or_404(Supplier, pk=pk)
    form = forms.SendForm(
        request.POST or None,
        initial={"contact_name": supplier.contact_name, "contact_email": supplier.contact_email},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sent = assessments.send_assessment(
                user,
                supplier,
                data["template_version"],
                contact_name=data["contact_name"],
                contact_email=data["contact_email"],
                due_date=data["due_date"],
                link_days=data["link_days"],
                base_url=public_base_url(),
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(form, exc)
        else:
            # The link is shown once, in this response; only its hash is stored.
            return render(
                request,
                "suppliers/sent.html",
                {"assessment": sent.assessment, "link": public_base_url() + sent.path},
            )
    no_templates = not QuestionnaireTemplate.objects.exists()
    return render(
        request, "suppliers/send.html", {"form": form, "supplier": supplier, "no_templates": no_templates}
    )


@login_required
@require_POST
def reissue(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_object_or_404(Assessment, pk=pk)
    try:
        sent = assessments.reissue_link(_user(request), assessment, base_url=public_base_url())
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect(assessment)
    return render(
        request,
        "suppliers/sent.html",
        {"assessment": sent.assessment, "link": public_base_url() + sent.path},
    )


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_object_or_404(Assessment, pk=pk)
    try:
        assessments.cancel_assessment(_user(request), assessment)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, "Assessment cancelled; its link no longer works.")
    return redirect(assessment)


@login_required
def assessment(request: HttpRequest, pk: int) -> HttpResponse:
    require(_user(request), Action.VIEW)
    found = get_object_or_404(
        Assessment.objects.select_related("supplier", "template_version__template", "scored_by"), pk=pk
    )
    template = assessments.template_of(found.template_version)
    answers = assessments.stored_answers(found)
    files = {a.question_id: a for a in found.answers.exclude(file="")}
    result = assessments.compute_score(found)
    shown = {q.id for q in visible_questions(template, answers)}
    sections = [
        {
            "section": section,
            "score": next((s for s in result.sections if s.section == section.id), None),
            "rows": [
                {
                    "q": q,
                    "label": answer_label(q.id, template, answers.get(q.id)),
                    "file": files.get(q.id),
                }
                for q in template.questions
                if q.section == section.id and q.id in shown
            ],
        }
        for section in template.sections
    ]
    section_chart = percent_bars(
        [(s.title, s.score / 100) for s in result.sections if s.score is not None], title="Score by section"
    )
    context = {
        "assessment": found,
        "template": template,
        "sections": sections,
        "result": result,
        "band": rating_band(result.score),
        "section_chart": mark_safe(section_chart),  # noqa: S308 - our own SVG, every label escaped
        "score_form": forms.ScoreForm(
            initial={"rating": found.rating or None, "comments": found.reviewer_comments}
        ),
        "finding_form": forms.FindingForm(),
        "findings": found.findings.select_related("risk"),
        "can_score": found.status in {AssessmentStatus.SUBMITTED, AssessmentStatus.SCORED},
        "open": found.status in {AssessmentStatus.SENT, AssessmentStatus.DRAFT},
        "expired": found.expires_at is not None and found.expires_at <= timezone.now(),
    }
    return render(request, "suppliers/assessment.html", context)


@login_required
@require_POST
def score(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Assessment, pk=pk)
    form = forms.ScoreForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose an overall rating.")
        return redirect(found)
    try:
        assessments.score_assessment(
            _user(request), found, rating=form.cleaned_data["rating"], comments=form.cleaned_data["comments"]
        )
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, "Assessment scored; the supplier's next review date moved on.")
    return redirect(found)


@login_required
@require_POST
def add_finding(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Assessment.objects.select_related("supplier"), pk=pk)
    form = forms.FindingForm(request.POST)
    if not form.is_valid():
        messages.error(request, "A finding needs a title and a severity.")
        return redirect(found)
    try:
        assessments.raise_finding(_user(request), found.supplier, assessment=found, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, "Finding raised.")
    return redirect(f"{found.get_absolute_url()}#findings")


@login_required
@require_POST
def raise_risk(request: HttpRequest, pk: int) -> HttpResponse:
    finding = get_object_or_404(Finding.objects.select_related("supplier"), pk=pk)
    try:
        risk = assessments.raise_as_risk(_user(request), finding)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect(finding.assessment or finding.supplier)
    messages.success(
        request, f"Risk {risk.ref} created in the risk register, linked to the supplier's assets."
    )
    return redirect(risk)


@login_required
@require_POST
def finding_status(request: HttpRequest, pk: int) -> HttpResponse:
    finding = get_object_or_404(Finding, pk=pk)
    status = request.POST.get("status", "")
    if status not in {"open", "resolved", "accepted"}:
        raise Http404
    assessments.update_finding(_user(request), finding, status=status)
    messages.success(request, "Finding updated.")
    return redirect(finding)


@login_required
def evidence(request: HttpRequest, pk: int) -> FileResponse:
    """An uploaded evidence file, for logged-in users who may view registers; always as a download."""
    assessments.require_evidence_access(_user(request))
    answer = get_object_or_404(Answer, pk=pk)
    if not answer.file:
        raise Http404
    response = FileResponse(
        answer.file.open("rb"), as_attachment=True, filename=answer.file_name or "evidence"
    )
    response["Content-Type"] = answer.content_type or "application/octet-stream"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ------------------------------------------------------------------ templates


@login_required
def templates(request: HttpRequest) -> HttpResponse:
    require(_user(request), Action.VIEW)
    rows = QuestionnaireTemplate.objects.prefetch_related("versions").order_by("title")
    return render(request, "suppliers/templates.html", {"templates": rows})


@login_required
@require_POST
def adopt_starter(request: HttpRequest) -> HttpResponse:
    added = assessments.adopt_starter_templates(_user(request))
    messages.success(
        request, f"{len(added)} starter questionnaire(s) added." if added else "Already adopted."
    )
    return redirect("suppliers:templates")


@login_required
def template(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    require(user, Action.VIEW)
    found = get_object_or_404(QuestionnaireTemplate, pk=pk)
    versions = list(found.versions.all())
    wanted = request.GET.get("version", "")
    version = next((v for v in versions if str(v.version) == wanted), versions[0] if versions else None)
    form = forms.TemplateVersionForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        require(user, Action.MANAGE_ORGANISATION)
        if form.is_valid():
            try:
                added = assessments.add_template_version(user, found, form.text(), form.cleaned_data["notes"])
            except (ValidationError, PermissionDenied) as exc:
                add_service_errors(form, exc)
                status = 400
            else:
                messages.success(request, f"Version {added.version} saved; earlier assessments keep theirs.")
                return redirect(added)
        else:
            status = 400
    elif version is not None:
        import yaml

        form.initial["definition"] = yaml.safe_dump(version.definition, sort_keys=False, allow_unicode=True)
    parsed = assessments.template_of(version) if version else None
    context: dict[str, Any] = {
        "template": found,
        "versions": versions,
        "version": version,
        "parsed": parsed,
        "form": form,
        "used": version.assessments.count() if version else 0,
    }
    return render(request, "suppliers/template.html", context, status=status)
