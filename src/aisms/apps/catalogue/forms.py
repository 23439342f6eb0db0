"""Forms for catalogue search, filters and the ATLAS upload."""

from __future__ import annotations

from django import forms
from django.conf import settings

from aisms.catalogue.schema import ATTRIBUTE_VOCABULARY, MATURITY, THEMES

CATALOGUE_CHOICES = [
    ("", "All catalogues"),
    ("iso27001", "ISO/IEC 27001:2022 clauses"),
    ("iso27002", "ISO/IEC 27002:2022 controls"),
    ("atlas", "MITRE ATLAS"),
    ("owasp-llm", "OWASP Top 10 for LLM Applications 2025"),
    ("owasp-ml", "OWASP Machine Learning Security Top 10"),
    ("iso42001", "ISO/IEC 42001:2023 Annex A"),
    ("nist-ai-rmf", "NIST AI RMF 1.0"),
    ("eu-ai-act", "EU AI Act risk tiers"),
]


def _label(value: str) -> str:
    return value.replace("_", " ").capitalize()


class SearchForm(forms.Form):
    q = forms.CharField(
        required=False, max_length=200, label="Search", widget=forms.TextInput(attrs={"type": "search"})
    )
    catalogue = forms.ChoiceField(required=False, choices=CATALOGUE_CHOICES, label="In")


class ControlFilterForm(forms.Form):
    theme = forms.ChoiceField(required=False, choices=[("", "Any theme")] + [(t, _label(t)) for t in THEMES])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for key, values in ATTRIBUTE_VOCABULARY.items():
            self.fields[key] = forms.ChoiceField(
                required=False, label=_label(key), choices=[("", "Any")] + [(v, _label(v)) for v in values]
            )


class TechniqueFilterForm(forms.Form):
    tactic = forms.ChoiceField(required=False)
    maturity = forms.ChoiceField(
        required=False, choices=[("", "Any maturity")] + [(m, _label(m)) for m in MATURITY]
    )

    def __init__(self, *args: object, tactics: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["tactic"].choices = [("", "Any tactic"), *tactics]  # type: ignore[attr-defined]


class AtlasUploadForm(forms.Form):
    file = forms.FileField(
        label="ATLAS distribution file",
        help_text=f"The upstream dist/ATLAS.yaml (at most {settings.AISMS_MAX_UPLOAD_BYTES // 2**20} MB).",
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > settings.AISMS_MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than the upload limit.")
        return upload
