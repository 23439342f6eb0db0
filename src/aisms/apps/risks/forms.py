"""Forms for risks, acceptance, treatment actions and the risk method."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q

from aisms.apps.accounts.models import User
from aisms.apps.assets.models import Asset
from aisms.apps.catalogue.models import CatalogueEntry
from aisms.apps.risks.models import ActionStatus, RiskStatus, Treatment
from aisms.domain.fair_inputs import FACTOR_LABELS
from aisms.domain.risk_method import RiskMethod

# AI threats a risk may name: ATLAS techniques, OWASP entries, and custom threats the organisation added
# (e.g. from an emerging-threat candidate).
AI_THREATS = (
    Q(source__key__in=["atlas"], kind="technique")
    | Q(source__key__in=["owasp-llm", "owasp-ml"])
    | Q(source__key="custom")
)


class CatalogueChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]  # not subscriptable at run time
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.ref} {obj.name}"


class ControlsField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.ref} {obj.name}"


def _users() -> Any:
    return User.objects.filter(is_active=True).order_by("username")


def _scale_choices(scale: Any) -> list[tuple[int, str]]:
    return [(level.value, f"{level.value} {level.name}") for level in scale]


class RiskForm(forms.Form):
    title = forms.CharField(max_length=300)
    assets = forms.ModelMultipleChoiceField(
        queryset=Asset.objects.filter(archived=False).order_by("name"), required=False
    )
    threat = CatalogueChoiceField(
        queryset=CatalogueEntry.objects.filter(AI_THREATS).order_by("source__key", "ref"),
        required=False,
        help_text="An AI threat from MITRE ATLAS or the OWASP lists; or leave it empty and describe a "
        "custom threat.",
    )
    custom_threat = forms.CharField(max_length=300, required=False)
    vulnerability = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    consequences = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, help_text="Who signs off this risk."
    )
    treatment = forms.ChoiceField(choices=[("", "Not decided"), *Treatment.choices], required=False)
    treatment_notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    review_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    status = forms.ChoiceField(
        choices=[c for c in RiskStatus.choices if c[0] != RiskStatus.ACCEPTED],
        required=False,
        help_text="Acceptance is recorded by the owner's sign-off on the risk's page.",
    )

    def __init__(self, *args: Any, method: RiskMethod, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _users()  # type: ignore[attr-defined]
        for stage, label in (
            ("inherent", "Inherent"),
            ("current", "Current"),
            ("target", "Target (residual)"),
        ):
            self.fields[f"{stage}_likelihood"] = forms.TypedChoiceField(
                label=f"{label} likelihood", choices=_scale_choices(method.likelihood), coerce=int
            )
            self.fields[f"{stage}_impact"] = forms.TypedChoiceField(
                label=f"{label} impact", choices=_scale_choices(method.impact), coerce=int
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("threat") and not (data.get("custom_threat") or "").strip():
            self.add_error("threat", "Choose a catalogue threat or describe a custom threat.")
        return data


class AcceptForm(forms.Form):
    justification = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Why the residual risk is acceptable.",
    )
    exception = forms.BooleanField(
        required=False,
        label="Accept as an explicit exception to the risk appetite (levels above appetite only)",
    )


class ActionForm(forms.Form):
    title = forms.CharField(max_length=300)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    due_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    status = forms.ChoiceField(choices=ActionStatus.choices, initial=ActionStatus.PLANNED)
    controls = ControlsField(
        queryset=CatalogueEntry.objects.filter(source__key="iso27002", kind="control").order_by("position"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text="The ISO/IEC 27002:2022 controls this action implements; they appear in the SoA.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _users()  # type: ignore[attr-defined]


class MethodForm(forms.Form):
    definition = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false"}),
        help_text="The method as YAML: likelihood and impact scales (3 to 7 levels), risk levels with "
        "appetite and who may accept them, and the matrix (rows = likelihood from 1 up, columns = impact).",
    )
    notes = forms.CharField(max_length=500, help_text="Why the method changes (kept with the version).")


class QuantificationForm(forms.Form):
    """FAIR inputs: for each factor a low, most likely and high value, PERT or lognormal (90% interval)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for factor, label in FACTOR_LABELS.items():
            required = factor == "primary_loss"
            self.fields[f"{factor}__low"] = forms.FloatField(
                label=f"{label}: low", required=required, min_value=0
            )
            self.fields[f"{factor}__most_likely"] = forms.FloatField(
                label="most likely", required=False, min_value=0
            )
            self.fields[f"{factor}__high"] = forms.FloatField(label="high", required=required, min_value=0)
            self.fields[f"{factor}__distribution"] = forms.ChoiceField(
                label="distribution",
                choices=[
                    ("pert", "PERT (low, most likely, high)"),
                    ("lognormal", "Lognormal (90% interval)"),
                ],
                initial="pert",
            )

    def factor_rows(self) -> list[tuple[str, list[Any]]]:
        return [
            (label, [self[f"{factor}__{part}"] for part in ("low", "most_likely", "high", "distribution")])
            for factor, label in FACTOR_LABELS.items()
        ]

    def factors(self) -> dict[str, dict[str, Any] | None]:
        """The cleaned inputs as {factor: {low, most_likely, high, distribution} or None when left empty}."""
        out: dict[str, dict[str, Any] | None] = {}
        for factor in FACTOR_LABELS:
            low = self.cleaned_data.get(f"{factor}__low")
            high = self.cleaned_data.get(f"{factor}__high")
            if low is None and high is None:
                out[factor] = None
                continue
            out[factor] = {
                "low": low,
                "most_likely": self.cleaned_data.get(f"{factor}__most_likely"),
                "high": high,
                "distribution": self.cleaned_data.get(f"{factor}__distribution") or "pert",
            }
        return out

    @staticmethod
    def initial_from(values: dict[str, dict[str, Any] | None]) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for factor, value in values.items():
            for part in ("low", "most_likely", "high", "distribution"):
                if value and part in value:
                    initial[f"{factor}__{part}"] = value[part]
        return initial
