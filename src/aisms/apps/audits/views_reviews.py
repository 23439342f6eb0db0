"""Management review pages: the list, creating a review (its pack is generated), the printable pack with
charts, minutes, decisions and the held/closed steps."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from aisms.apps.accounts.services import require
from aisms.apps.audits import charts, forms, selectors, services
from aisms.apps.audits.models import ManagementReview, ReviewDecision, ReviewStatus
from aisms.apps.audits.views import _may, _refused, _user
from aisms.domain.access import Action
from aisms.domain.audits.review_pack import PackSection


@login_required
def reviews(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, Action.VIEW)
    return render(
        request,
        "audits/reviews.html",
        {"reviews": selectors.reviews(), "can_create": _may(user, Action.CREATE)},
    )


@login_required
def create_review(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, Action.CREATE)
    today = timezone.localdate()
    form = forms.ReviewForm(
        request.POST or None, initial={"date": today, "title": f"Management review {today.year}"}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            review = services.create_review(
                user,
                title=data["title"],
                date=data["date"],
                attendees=data["attendees"],
                feedback=[line.strip() for line in data["feedback"].splitlines() if line.strip()],
            )
        except (ValidationError, PermissionDenied) as exc:
            _refused(request, exc)
        else:
            messages.success(request, "Review created; its input pack was generated from the registers.")
            return redirect(review)
    return render(
        request,
        "audits/form.html",
        {"form": form, "title": "New management review", "button": "Create and generate pack"},
    )


def _charts(section: PackSection) -> list[str]:
    return [mark_safe(charts.series_chart(s)) for s in section.charts]  # noqa: S308  # our own SVG, labels escaped


@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    require(user, Action.VIEW)
    found = selectors.review_detail(get_object_or_404(ManagementReview, pk=pk).pk)
    pack = selectors.management_review_pack(found)
    sections = [
        (section, _charts(section), [(sub, _charts(sub)) for sub in section.subsections])
        for section in pack.sections
    ]
    open_review = found.status != ReviewStatus.CLOSED
    context = {
        "review": found,
        "pack": pack,
        "sections": sections,
        "decisions": list(found.decisions.all()),
        "minutes_form": forms.MinutesForm(initial={"attendees": found.attendees, "minutes": found.minutes}),
        "decision_form": forms.DecisionForm(),
        "status_form_choices": forms.DecisionStatusForm().fields["status"].choices,  # type: ignore[attr-defined]
        "can_edit": open_review and _may(user, Action.EDIT, found.created_by_id),
        "can_decide": open_review and _may(user, Action.CREATE),
        "can_approve": _may(user, Action.APPROVE, found.created_by_id),
        "can_follow_up": _may(user, Action.EDIT),
    }
    return render(request, "audits/review.html", context)


@login_required
@require_POST
def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(ManagementReview, pk=pk)
    form = forms.MinutesForm(request.POST)
    form.is_valid()
    try:
        services.update_review(_user(request), found, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        messages.success(request, "Minutes saved.")
    return redirect(found.get_absolute_url() + "#minutes")


@login_required
@require_POST
def refresh_pack(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(ManagementReview, pk=pk)
    try:
        services.refresh_review_pack(_user(request), found)
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        messages.success(request, "Pack regenerated from the registers as they are now.")
    return redirect(found)


@login_required
@require_POST
def add_decision(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(ManagementReview, pk=pk)
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "A decision needs its text and kind.")
        return redirect(found)
    try:
        services.add_decision(_user(request), found, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        messages.success(request, "Decision recorded.")
    return redirect(found.get_absolute_url() + "#decisions")


@login_required
@require_POST
def update_decision(request: HttpRequest, pk: int) -> HttpResponse:
    decision = get_object_or_404(ReviewDecision.objects.select_related("review"), pk=pk)
    form = forms.DecisionStatusForm(request.POST)
    if form.is_valid():
        try:
            services.update_decision(_user(request), decision, status=form.cleaned_data["status"])
        except (ValidationError, PermissionDenied) as exc:
            _refused(request, exc)
        else:
            messages.success(request, "Decision updated.")
    return redirect(decision.review.get_absolute_url() + "#decisions")


@login_required
@require_POST
def transition(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(ManagementReview, pk=pk)
    target = request.POST.get("status", "")[:20]
    try:
        services.transition_review(_user(request), found, target)
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        messages.success(request, f"Review {target}.")
    return redirect(found)
