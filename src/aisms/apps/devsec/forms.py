"""Forms for secure coding: the policy editor, scan uploads and a finding's status."""

from __future__ import annotations

from typing import Any

from django import forms

from aisms.apps.accounts.models import User
from aisms.apps.assets.models import Asset
from aisms.domain.devsec.tracking import STATUS_LABELS, Status


class PolicyForm(forms.Form):
    yaml = forms.CharField(
        label="Policy (YAML)",
        widget=forms.Textarea(attrs={"rows": 28, "spellcheck": "false", "class": "code-editor"}),
        max_length=200_000,
    )
    note = forms.CharField(label="What changed", max_length=500, required=False)


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Scan result",
        help_text="The JSON of `aisms scan --format json`, or a SARIF 2.1.0 log (bandit, semgrep, ...).",
    )
    repository = forms.CharField(
        label="Repository",
        max_length=200,
        required=False,
        help_text="Needed for a SARIF log; for an aisms report it overrides the name in the file.",
    )
    commit = forms.CharField(label="Commit", max_length=64, required=False)


class FindingStatusForm(forms.Form):
    status = forms.ChoiceField(choices=[(s.value, STATUS_LABELS[s]) for s in Status])
    reason = forms.CharField(max_length=2000, required=False)


class RepositoryForm(forms.Form):
    url = forms.CharField(label="URL", max_length=500, required=False)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    classification = forms.CharField(
        max_length=40, required=False, help_text="One of the policy's data classifications."
    )
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    asset = forms.ModelChoiceField(queryset=Asset.objects.none(), required=False, label="Asset")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(is_active=True).order_by("username")  # type: ignore[attr-defined]
        self.fields["asset"].queryset = Asset.objects.order_by("name")  # type: ignore[attr-defined]
