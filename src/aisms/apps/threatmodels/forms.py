"""Forms of the threat-model pages: import (upload or paste), YAML editor, structured editor, decisions,
organisation rule sets and the language-model assistant."""

from __future__ import annotations

from typing import Any

from django import forms

from aisms.apps.accounts.models import User
from aisms.apps.threatmodels.models import MitigationStatus, ThreatModelStatus
from aisms.domain.threatmodel.model import (
    COMPONENT_PROPERTY_HELP,
    FLOW_PROPERTY_HELP,
    KIND_INFO,
    ComponentKind,
)

KIND_CHOICES = [(k.value, KIND_INFO[k][0]) for k in ComponentKind]
COMPONENT_PROPERTY_CHOICES = [(p.value, f"{p.value}: {text}") for p, text in COMPONENT_PROPERTY_HELP.items()]
FLOW_PROPERTY_CHOICES = [(p.value, f"{p.value}: {text}") for p, text in FLOW_PROPERTY_HELP.items()]


class ImportForm(forms.Form):
    file = forms.FileField(required=False, help_text="A threat-model YAML file.")
    source = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false", "class": "code"}),
        help_text="…or paste the YAML here.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("file") and not (data.get("source") or "").strip():
            raise forms.ValidationError("upload a file or paste the YAML")
        return data


class SourceForm(forms.Form):
    source = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false", "class": "code"})
    )
    note = forms.CharField(required=False, max_length=300, help_text="What changed (kept with the version).")


class DetailsForm(forms.Form):
    status = forms.ChoiceField(choices=ThreatModelStatus.choices)
    owner = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("username"), required=False
    )


class ComponentForm(forms.Form):
    element_id = forms.SlugField(label="Id", max_length=80)
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=KIND_CHOICES)
    boundary = forms.ChoiceField(choices=[], required=False)
    asset = forms.CharField(required=False, max_length=200, help_text="Asset name or id in the inventory.")
    properties = forms.MultipleChoiceField(
        choices=COMPONENT_PROPERTY_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, boundaries: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["boundary"].choices = [("", "— none —"), *(boundaries or [])]  # type: ignore[attr-defined]


class FlowForm(forms.Form):
    element_id = forms.CharField(
        label="Id", max_length=80, required=False, help_text="Default: source-to-target."
    )
    source = forms.ChoiceField(choices=[])
    target = forms.ChoiceField(choices=[])
    label = forms.CharField(required=False, max_length=200)
    properties = forms.MultipleChoiceField(
        choices=FLOW_PROPERTY_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, components: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = components or []  # type: ignore[attr-defined]
        self.fields["target"].choices = components or []  # type: ignore[attr-defined]


class BoundaryForm(forms.Form):
    element_id = forms.SlugField(label="Id", max_length=80)
    name = forms.CharField(max_length=200)
    parent = forms.ChoiceField(choices=[], required=False)

    def __init__(self, *args: Any, boundaries: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [("", "— none —"), *(boundaries or [])]  # type: ignore[attr-defined]


class DecisionForm(forms.Form):
    relevant = forms.TypedChoiceField(
        choices=[("yes", "Relevant"), ("no", "Not relevant")], coerce=lambda v: v == "yes"
    )
    reason = forms.CharField(required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    mitigation_status = forms.ChoiceField(choices=MitigationStatus.choices, required=False)


class RuleSetForm(forms.Form):
    name = forms.CharField(max_length=200)
    file = forms.FileField(required=False)
    source = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false", "class": "code"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("file") and not (data.get("source") or "").strip():
            raise forms.ValidationError("upload a rules file or paste the YAML")
        return data


class DraftForm(forms.Form):
    description = forms.CharField(
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Describe the system in plain words: its parts, who uses it, what data flows where.",
    )
