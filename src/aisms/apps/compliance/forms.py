"""Forms of the compliance pages."""

from __future__ import annotations

from django import forms

from aisms.apps.accounts.models import User
from aisms.apps.compliance.models import CeilingRule, Direction, DocumentType

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _users() -> forms.ModelChoiceField[User]:
    return forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("username"), required=False, label="Owner"
    )


class EvidenceForm(forms.Form):
    title = forms.CharField(max_length=300)
    file = forms.FileField(
        required=False,
        label="Evidence file",
        help_text="PDF, PNG, JPG, TXT, MD, CSV, JSON, SARIF, XLSX, DOCX or ZIP (checked by content).",
    )
    url = forms.URLField(required=False, max_length=1000, label="or a link", assume_scheme="https")
    evidence_date = forms.DateField(widget=_DATE, label="Date of the evidence")
    expires_on = forms.DateField(widget=_DATE, required=False, label="Expires on")
    review_due = forms.DateField(widget=_DATE, required=False, label="Review due")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    links = forms.CharField(
        required=False,
        max_length=2000,
        label="Clauses and controls",
        help_text="Comma-separated, e.g. iso27002:2022:5.7, iso27001:2022:9.2",
    )
    owner = _users()

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if bool(data.get("file")) == bool(data.get("url")):
            raise forms.ValidationError("Give either a file or a link.")
        return data


class RevisionForm(forms.Form):
    file = forms.FileField(required=False, label="New file")
    url = forms.URLField(required=False, max_length=1000, label="or a new link", assume_scheme="https")
    evidence_date = forms.DateField(widget=_DATE, required=False, label="Date of the evidence")
    expires_on = forms.DateField(widget=_DATE, required=False, label="Expires on")
    note = forms.CharField(required=False, max_length=500, label="What changed")

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if bool(data.get("file")) == bool(data.get("url")):
            raise forms.ValidationError("Give either a file or a link.")
        return data


class ReviewForm(forms.Form):
    next_review = forms.DateField(widget=_DATE, required=False, label="Next review due")


class DocumentForm(forms.Form):
    ref = forms.CharField(max_length=30, label="Reference", help_text="e.g. POL-01")
    title = forms.CharField(max_length=300)
    doc_type = forms.ChoiceField(choices=DocumentType.choices, label="Type")
    is_isms_policy = forms.BooleanField(required=False, label="This is the information security policy (5.2)")
    review_interval_months = forms.IntegerField(
        min_value=1, max_value=60, initial=12, label="Review every (months)"
    )
    links = forms.CharField(
        required=False, max_length=2000, label="Clauses and controls", help_text="Comma-separated uids"
    )
    owner = _users()
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), label="Text of the first version")


class VersionForm(forms.Form):
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 8}))
    file = forms.FileField(required=False, label="or a file")
    change_summary = forms.CharField(required=False, max_length=500, label="What changed")


class ApproveForm(forms.Form):
    next_review = forms.DateField(
        widget=_DATE, required=False, label="Next review (default: the review interval)"
    )


class DocumentReviewForm(forms.Form):
    next_review = forms.DateField(widget=_DATE, label="Next review")


class ObjectiveForm(forms.Form):
    title = forms.CharField(max_length=300)
    measure = forms.CharField(max_length=300, help_text="What is measured, and how.")
    unit = forms.CharField(max_length=30, required=False)
    baseline = forms.DecimalField(max_digits=14, decimal_places=2, initial=0)
    target = forms.DecimalField(max_digits=14, decimal_places=2)
    direction = forms.ChoiceField(choices=Direction.choices)
    due = forms.DateField(widget=_DATE)
    owner = _users()
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class MeasurementForm(forms.Form):
    measured_on = forms.DateField(widget=_DATE, label="Measured on")
    value = forms.DecimalField(max_digits=14, decimal_places=2)
    note = forms.CharField(required=False, max_length=300)


class RegulationForm(forms.Form):
    name = forms.CharField(max_length=300)
    short_name = forms.CharField(max_length=60, label="Short name")
    jurisdiction = forms.CharField(max_length=200, required=False)
    source_url = forms.URLField(max_length=500, required=False, label="Source", assume_scheme="https")
    applicability = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Why it applies"
    )
    max_fixed_eur = forms.DecimalField(
        max_digits=16, decimal_places=2, required=False, min_value=0, label="Maximum fine (EUR)"
    )
    max_turnover_pct = forms.DecimalField(
        max_digits=6,
        decimal_places=3,
        required=False,
        min_value=0,
        max_value=100,
        label="or share of turnover (%)",
    )
    ceiling_rule = forms.ChoiceField(choices=CeilingRule.choices, label="Ceiling rule")
    penalty_basis = forms.CharField(required=False, max_length=500, label="Article that sets the ceiling")


class ObligationForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Obligation")
    controls = forms.CharField(
        required=False, max_length=2000, label="Controls", help_text="Comma-separated uids"
    )
    risks = forms.CharField(
        required=False, max_length=500, label="Risks", help_text="Comma-separated refs, e.g. R-001"
    )
