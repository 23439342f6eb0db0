from __future__ import annotations

from typing import Any

from django import forms

from aisms.apps.intel.models import IntelSource

FORMAT_CHOICES = [
    ("", "Detect from the file"),
    ("stix", "STIX 2.1 bundle (JSON)"),
    ("misp", "MISP event (JSON)"),
    ("kev", "CISA KEV catalogue (JSON)"),
    ("nvd", "NVD CVE API 2.0 (JSON)"),
    ("epss", "FIRST EPSS scores (CSV)"),
    ("text", "Report (plain text or Markdown)"),
]


class SourceForm(forms.ModelForm):  # type: ignore[type-arg]  # django-stubs generic
    url = forms.URLField(max_length=1000, required=False, assume_scheme="https")

    class Meta:
        model = IntelSource
        fields = [
            "name",
            "kind",
            "description",
            "url",
            "collection",
            "enabled",
            "schedule_hours",
            "default_tlp",
            "default_confidence",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class UploadForm(forms.Form):
    file = forms.FileField(help_text="A feed file: STIX bundle, MISP event, KEV, NVD, EPSS or a report.")
    format = forms.ChoiceField(choices=FORMAT_CHOICES, required=False)
    source = forms.ModelChoiceField(
        queryset=IntelSource.objects.all(), required=False, help_text="Count it as a pull of this source."
    )


class ReportForm(forms.Form):
    title = forms.CharField(max_length=500, required=False, help_text="Empty: the first heading or line.")
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 12}), max_length=5 * 1024 * 1024)
    source = forms.ModelChoiceField(queryset=IntelSource.objects.filter(kind="text"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].help_text = "Paste the report. CVE, ATLAS and ATT&CK ids in it are picked out."
