"""Forms for deciding proposals and emerging-threat candidates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms


class AcceptProposalForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000, label="Note (optional)"
    )
    likelihood = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, choices=[])

    def __init__(self, *args: Any, likelihoods: Sequence[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["likelihood"]
        field.choices = [("", "As proposed"), *likelihoods]  # type: ignore[attr-defined]  # a ChoiceField


class RejectProposalForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, label="Why reject?")


class NameEmergingForm(forms.Form):
    name = forms.CharField(max_length=200)
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000)


class DismissForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
