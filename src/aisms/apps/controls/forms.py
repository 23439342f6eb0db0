"""Forms for the SoA: filters, one control's decision, approval and comparison."""

from __future__ import annotations

from typing import Any

from django import forms

from aisms.apps.accounts.models import User
from aisms.apps.controls.models import STATUS_CHOICES, ControlImplementation
from aisms.apps.controls.selectors import DRAFT, RowFilter
from aisms.domain.soa import THEMES, ImplementationStatus, theme_label

_YES_NO = [("", "Any"), ("yes", "Yes"), ("no", "No")]


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class RowFilterForm(forms.Form):
    q = forms.CharField(
        required=False, max_length=200, label="Search", widget=forms.TextInput(attrs={"type": "search"})
    )
    applicable = forms.ChoiceField(
        required=False, label="Applicability", choices=[("", "Any"), ("yes", "Included"), ("no", "Excluded")]
    )
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status")] + [(s.value, s.label) for s in ImplementationStatus]
    )
    theme = forms.ChoiceField(
        required=False, choices=[("", "Any theme")] + [(t, theme_label(t)) for t in THEMES]
    )
    called_for = forms.ChoiceField(required=False, label="Called for by a risk", choices=_YES_NO)
    problems = forms.BooleanField(required=False, label="Only rows with problems")

    def to_filter(self) -> RowFilter:
        data = self.cleaned_data if self.is_valid() else {}
        return RowFilter(
            applicable=_yes_no(data.get("applicable", "")),
            status=data.get("status", ""),
            theme=data.get("theme", ""),
            called_for=_yes_no(data.get("called_for", "")),
            q=data.get("q", ""),
            problems_only=bool(data.get("problems")),
        )


class OwnerChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_full_name()} ({obj.username})" if obj.get_full_name() else str(obj.username)


class RowForm(forms.ModelForm):  # type: ignore[type-arg]
    applicable = forms.TypedChoiceField(
        label="Applicability",
        choices=[("True", "Included: the control applies"), ("False", "Excluded: not applicable")],
        coerce=lambda value: value in (True, "True"),
        widget=forms.RadioSelect,
    )
    justification = forms.CharField(
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Why the control is included or excluded: the risks it treats, a legal, contractual or "
        "business requirement, or why it does not apply.",
    )
    implementation_status = forms.ChoiceField(
        label="Implementation status",
        choices=STATUS_CHOICES,
        help_text="An excluded control is shown as not applicable whatever is recorded here.",
    )
    owner = OwnerChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("username"),
        required=False,
        empty_label="Nobody",
    )
    notes = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="How it is implemented and where the evidence is.",
    )
    reason = forms.CharField(
        required=False, max_length=300, label="Reason for the change", help_text="Kept in the history."
    )

    class Meta:
        model = ControlImplementation
        fields = ["applicable", "justification", "implementation_status", "owner", "notes"]


class ApproveForm(forms.Form):
    notes = forms.CharField(
        required=False,
        max_length=5000,
        label="Approval notes",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What changed and why (kept with the version).",
    )


class CompareForm(forms.Form):
    a = forms.ChoiceField(label="From")
    b = forms.ChoiceField(label="To")

    def __init__(self, *args: Any, versions: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(v), f"Version {v}") for v in versions] + [(DRAFT, "Draft (as it stands)")]
        self.fields["a"].choices = choices  # type: ignore[attr-defined]
        self.fields["b"].choices = choices  # type: ignore[attr-defined]
