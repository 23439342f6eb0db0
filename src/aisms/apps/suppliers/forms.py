"""Forms of the supplier pages; the services validate again and check permissions."""

from __future__ import annotations

from typing import Any

from django import forms

from aisms.apps.accounts.models import User
from aisms.apps.assets.models import Asset
from aisms.apps.suppliers.assessments import LINK_DAYS_DEFAULT, LINK_DAYS_MAX
from aisms.apps.suppliers.models import (
    CLAUSE_STATUS_CHOICES,
    SEVERITY_CHOICES,
    Certification,
    DataShared,
    Rating,
    SubProcessor,
    Supplier,
    SupplierService,
    TemplateVersion,
)

DATE = forms.DateInput(attrs={"type": "date"})


class SupplierForm(forms.ModelForm):  # type: ignore[type-arg]  # generic only in the stubs
    website = forms.URLField(required=False, assume_scheme="https", max_length=200)
    model_providers_text = forms.CharField(
        label="Model providers it depends on",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One per line.",
    )

    class Meta:
        model = Supplier
        fields = [
            "name",
            "description",
            "website",
            "status",
            "tier",
            "owner",
            "contact_name",
            "contact_email",
            "contract_reference",
            "contract_start",
            "contract_end",
            "onboarded_on",
            "uses_ai_on_our_data",
            "trains_on_our_data",
            "processing_locations",
            "storage_locations",
            "model_change_notification",
            "ai_notes",
            "assets",
        ]
        widgets = {
            "contract_start": DATE,
            "contract_end": DATE,
            "onboarded_on": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
            "ai_notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(is_active=True).order_by("username")  # type: ignore[attr-defined]  # a ModelChoiceField
        self.fields["assets"].queryset = Asset.objects.filter(archived=False).order_by("name")  # type: ignore[attr-defined]  # a ModelChoiceField
        self.fields["assets"].required = False
        if self.instance.pk:
            self.fields["model_providers_text"].initial = "\n".join(self.instance.model_providers or [])

    def values(self) -> tuple[dict[str, Any], list[Asset]]:
        data = dict(self.cleaned_data)
        assets = list(data.pop("assets") or [])
        text = data.pop("model_providers_text") or ""
        data["model_providers"] = [line.strip() for line in text.splitlines() if line.strip()]
        return data, assets


class ServiceForm(forms.ModelForm):  # type: ignore[type-arg]  # generic only in the stubs
    class Meta:
        model = SupplierService
        fields = ["name", "kind", "description"]
        widgets = {"description": forms.TextInput()}


class DataForm(forms.ModelForm):  # type: ignore[type-arg]  # generic only in the stubs
    class Meta:
        model = DataShared
        fields = ["category", "classification", "personal_data", "special_category", "description"]
        widgets = {"description": forms.TextInput()}


class CertificationForm(forms.ModelForm):  # type: ignore[type-arg]  # generic only in the stubs
    class Meta:
        model = Certification
        fields = ["kind", "name", "scope", "issued_on", "expires_on", "evidence"]
        widgets = {"issued_on": DATE, "expires_on": DATE, "scope": forms.TextInput()}


class SubProcessorForm(forms.ModelForm):  # type: ignore[type-arg]  # generic only in the stubs
    class Meta:
        model = SubProcessor
        fields = ["name", "purpose", "location", "uses_ai"]


CHILD_FORMS: dict[str, type[forms.ModelForm]] = {  # type: ignore[type-arg]  # generic only in the stubs
    "services": ServiceForm,
    "data": DataForm,
    "certifications": CertificationForm,
    "subprocessors": SubProcessorForm,
}


class ClauseForm(forms.Form):
    status = forms.ChoiceField(choices=CLAUSE_STATUS_CHOICES)
    reference = forms.CharField(max_length=200, required=False)
    notification_hours = forms.IntegerField(min_value=0, max_value=10_000, required=False)


class SendForm(forms.Form):
    template_version = forms.ModelChoiceField(
        queryset=TemplateVersion.objects.select_related("template").order_by("template__title", "-version"),
        label="Questionnaire",
    )
    contact_name = forms.CharField(max_length=200)
    contact_email = forms.EmailField(label="Contact e-mail")
    due_date = forms.DateField(required=False, widget=DATE)
    link_days = forms.IntegerField(
        min_value=1, max_value=LINK_DAYS_MAX, initial=LINK_DAYS_DEFAULT, label="Link valid for (days)"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        latest: dict[int, TemplateVersion] = {}
        for version in self.fields["template_version"].queryset:  # type: ignore[attr-defined]  # a ModelChoiceField
            latest.setdefault(version.template_id, version)
        self.fields["template_version"].queryset = TemplateVersion.objects.filter(  # type: ignore[attr-defined]  # a ModelChoiceField
            pk__in=[v.pk for v in latest.values()]
        ).select_related("template")
        self.fields["template_version"].label_from_instance = lambda v: f"{v.template.title} (v{v.version})"  # type: ignore[attr-defined]  # a ModelChoiceField


class ScoreForm(forms.Form):
    rating = forms.ChoiceField(choices=Rating.choices, label="Overall rating")
    comments = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class FindingForm(forms.Form):
    title = forms.CharField(max_length=300)
    severity = forms.ChoiceField(choices=SEVERITY_CHOICES, initial="medium")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    question_id = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)


class TemplateVersionForm(forms.Form):
    definition = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false"}),
        required=False,
        help_text="The questionnaire as YAML or JSON.",
    )
    file = forms.FileField(required=False, help_text="Or upload a .yaml or .json file (up to 1 MB).")
    notes = forms.CharField(
        max_length=300, required=False, help_text="What changed (needed for a new version)."
    )

    def text(self) -> str:
        upload = self.cleaned_data.get("file")
        if upload is not None:
            if upload.size > 1024 * 1024:
                raise forms.ValidationError("the file is larger than 1 MB")
            try:
                return str(upload.read().decode("utf-8"))
            except UnicodeDecodeError as exc:
                raise forms.ValidationError("the file is not UTF-8 text") from exc
        return str(self.cleaned_data.get("definition") or "")


class ReviewPolicyForm(forms.Form):
    tier1_months = forms.IntegerField(min_value=1, max_value=120, label="Tier 1 every (months)")
    tier2_months = forms.IntegerField(min_value=1, max_value=120, label="Tier 2 every (months)")
    tier3_months = forms.IntegerField(min_value=1, max_value=120, label="Tier 3 every (months)")
    reminder_days = forms.IntegerField(min_value=0, max_value=120, label="Remind days ahead")
