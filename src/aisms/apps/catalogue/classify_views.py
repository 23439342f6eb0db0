"""Page: classify a piece of text to ATLAS techniques and OWASP entries; confirm or correct the result."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from aisms.apps.accounts.services import require
from aisms.apps.catalogue import technique_classifier as service
from aisms.domain.access import Action


class ClassifyForm(forms.Form):
    text = forms.CharField(
        label="Text to classify",
        max_length=20_000,
        widget=forms.Textarea(
            attrs={"rows": 6, "placeholder": "Paste a report paragraph, a CVE or MISP event description"}
        ),
    )


class FeedbackForm(forms.Form):
    text = forms.CharField(max_length=service.MAX_FEEDBACK_CHARS)
    technique = forms.CharField(max_length=80)
    correct = forms.BooleanField(required=False)


def _choices() -> list[tuple[str, str]]:
    names = service.training_data().names
    return sorted(names.items(), key=lambda item: item[0])


@login_required
@require_http_methods(["GET", "POST"])
def classify(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.VIEW)  # type: ignore[arg-type] # login_required guarantees a user
    form = ClassifyForm(request.POST or None)
    result = None
    rows = []
    if request.method == "POST" and form.is_valid():
        result = service.classify_text(form.cleaned_data["text"], k=5)
        rows = [
            {
                "uid": p.label,
                "name": p.name or p.label,
                "percent": round(100 * p.confidence, 1),
                "evidence": p.evidence,
                "example": p.example,
            }
            for p in result.ranked
        ]
    return render(
        request,
        "catalogue/classify.html",
        {
            "form": form,
            "result": result,
            "novelty_percent": round(100 * result.novelty) if result else 0,
            "rows": rows,
            "choices": _choices() if result else [],
        },
    )


@login_required
@require_http_methods(["POST"])
def feedback(request: HttpRequest) -> HttpResponse:
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The feedback was incomplete; nothing was recorded.")
        return redirect("catalogue:classify")
    try:
        example = service.record_feedback(
            request.user,  # type: ignore[arg-type] # login_required guarantees a user
            form.cleaned_data["text"],
            form.cleaned_data["technique"],
            correct=form.cleaned_data["correct"],
        )
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "Your role may not record feedback.")
        return redirect("catalogue:classify")
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect("catalogue:classify")
    verb = "Confirmed" if form.cleaned_data["correct"] else "Corrected to"
    messages.success(
        request, f"{verb} {example.technique.uid} {example.technique.name}: saved as a training example."
    )
    return redirect("catalogue:classify")


urlpatterns = [
    path("classify/", classify, name="classify"),
    path("classify/feedback/", feedback, name="classify-feedback"),
]
