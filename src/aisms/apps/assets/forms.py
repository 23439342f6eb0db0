"""Forms for the inventory filters, an asset (with its AI fieldset), a software component and the import."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from aisms.apps.accounts.models import User
from aisms.apps.assets import selectors
from aisms.apps.assets.models import CIA_CHOICES, CLASSIFICATION_CHOICES, Asset
from aisms.domain.asset_table import AI_FIELDS
from aisms.domain.assets import AI_KINDS, AssetKind

KIND_GROUPS = [
    ("Information and IT", [(k.value, k.label) for k in AssetKind if k not in AI_KINDS]),
    ("AI assets", [(k.value, k.label) for k in AssetKind if k in AI_KINDS]),
]

FIELDSETS: list[tuple[str, str, tuple[str, ...]]] = [
    ("Asset", "", ("name", "kind", "description", "owner", "classification")),
    (
        "Security needs",
        "How much harm losing each property would do: low, medium, high or very high.",
        ("confidentiality", "integrity", "availability"),
    ),
    ("Where it lives", "", ("hosting", "supplier", "in_scope")),
    (
        "AI asset",
        "For AI systems, models, data sets, ML pipelines, vector stores, agents and third-party AI services. "
        "Leave empty for other assets.",
        AI_FIELDS,
    ),
    ("Dependencies", "", ("depends_on",)),
]


class OwnerChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]  # not subscriptable at run time
    def label_from_instance(self, obj: Any) -> str:
        full = obj.get_full_name()
        return f"{full} ({obj.username})" if full else obj.username


class AssetChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({AssetKind(obj.kind).label})"


def _tri_state(label: str, help_text: str) -> forms.NullBooleanField:
    return forms.NullBooleanField(label=label, help_text=help_text, required=False)


class AssetForm(forms.Form):
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=KIND_GROUPS)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    owner = OwnerChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("username"),
        required=False,
        empty_label="Nobody yet",
        help_text="Who is accountable for the asset (ISO/IEC 27001 control 5.9).",
    )
    classification = forms.ChoiceField(choices=CLASSIFICATION_CHOICES, initial="internal")
    confidentiality = forms.ChoiceField(choices=CIA_CHOICES, initial="medium")
    integrity = forms.ChoiceField(choices=CIA_CHOICES, initial="medium")
    availability = forms.ChoiceField(choices=CIA_CHOICES, initial="medium")
    hosting = forms.CharField(
        max_length=200,
        required=False,
        label="Location or hosting",
        help_text="e.g. 'AWS eu-west-1', 'Azure North Europe', 'Dublin office'.",
    )
    supplier = forms.CharField(
        max_length=200, required=False, help_text="The third party that provides it, if any."
    )
    in_scope = forms.BooleanField(required=False, initial=True, label="In the ISMS scope")
    ai_purpose = forms.CharField(
        required=False,
        label="Purpose",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What the AI does, for whom, and what decisions it informs.",
    )
    model_type = forms.CharField(
        max_length=200,
        required=False,
        label="Model type",
        help_text="e.g. 'LLM (hosted API)', 'gradient-boosted trees', 'embedding model', 'speech-to-text'.",
    )
    data_sources = forms.CharField(
        required=False,
        label="Data sources",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Training, fine-tuning, retrieval and input data, and where each comes from.",
    )
    deployment = forms.CharField(
        max_length=200,
        required=False,
        help_text="How and where it runs, e.g. 'SaaS', 'Kubernetes in eu-west-1', 'developer laptops'.",
    )
    learns_from_user_data = _tri_state(
        "Learns from user data", "Trained or fine-tuned on data that users or customers supply."
    )
    processes_personal_data = _tri_state(
        "Processes personal data", "Personal data in training or in use (GDPR)."
    )
    reads_untrusted_content = _tri_state(
        "Reads untrusted content",
        "Takes in text or files from outside the organisation (patients, web pages, e-mails, uploads): "
        "exposed to prompt injection.",
    )
    can_act = _tri_state("Can act", "Takes actions on its own: sends mail, runs code, calls tools, pays.")
    publicly_exposed = _tri_state("Publicly exposed", "Reachable by the public or by customers.")
    eu_ai_act_tier = forms.ChoiceField(
        required=False,
        label="EU AI Act risk tier",
        help_text="The tier under Regulation (EU) 2024/1689, from the reference catalogue.",
    )
    depends_on = AssetChoiceField(
        queryset=Asset.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Depends on",
        help_text="The assets this one needs to work: systems that host it, data it reads, services "
        "it calls.",
    )

    def __init__(self, *args: Any, asset: Asset | None = None, **kwargs: Any) -> None:
        if asset is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **{
                    name: getattr(asset, name)
                    for name in self.base_fields
                    if name not in ("owner", "depends_on")
                },
                "owner": asset.owner_id,
                "depends_on": list(asset.depends_on.values_list("pk", flat=True)),
            }
        super().__init__(*args, **kwargs)
        tiers = selectors.eu_ai_act_tiers()
        self.fields["eu_ai_act_tier"].choices = [("", "Not assessed"), *tiers.items()]  # type: ignore[attr-defined]
        candidates = Asset.objects.filter(archived=False)
        if asset is not None:
            candidates = (candidates | asset.depends_on.all()).exclude(pk=asset.pk)
        self.fields["depends_on"].queryset = candidates.distinct().order_by("name")  # type: ignore[attr-defined]

    def fieldsets(self) -> list[dict[str, Any]]:
        return [
            {
                "legend": legend,
                "help": help_text,
                "fields": [self[name] for name in names],
                "ai": legend == "AI asset",
            }
            for legend, help_text, names in FIELDSETS
        ]

    def values(self) -> tuple[dict[str, Any], list[Asset]]:
        """The cleaned fields for the service, and the chosen dependencies."""
        data = dict(self.cleaned_data)
        depends_on = list(data.pop("depends_on"))
        return data, depends_on


class ComponentForm(forms.Form):
    vendor = forms.CharField(max_length=200)
    product = forms.CharField(max_length=200)
    version = forms.CharField(max_length=100, required=False)
    cpe = forms.CharField(
        max_length=500,
        required=False,
        label="CPE 2.3 name",
        help_text="Where known, e.g. cpe:2.3:a:nginx:nginx:1.24.0:*:*:*:*:*:*:* (NVD's CPE dictionary).",
    )


OWNER_ANY = ""
IN_SCOPE_CHOICES = [("", "In or out of scope"), ("yes", "In scope"), ("no", "Out of scope")]
STATUS_CHOICES = [("active", "Active"), ("archived", "Archived"), ("all", "Active and archived")]


class AssetFilterForm(forms.Form):
    q = forms.CharField(
        required=False, max_length=200, label="Search", widget=forms.TextInput(attrs={"type": "search"})
    )
    kind = forms.ChoiceField(
        required=False, choices=[("", "All kinds"), ("ai", "AI assets only"), *KIND_GROUPS]
    )
    owner = forms.ChoiceField(required=False)
    classification = forms.ChoiceField(
        required=False, choices=[("", "Any classification"), *CLASSIFICATION_CHOICES]
    )
    in_scope = forms.ChoiceField(required=False, choices=IN_SCOPE_CHOICES, label="Scope")
    status = forms.ChoiceField(required=False, choices=STATUS_CHOICES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owners = User.objects.filter(owned_assets__isnull=False).distinct().order_by("username")
        self.fields["owner"].choices = [  # type: ignore[attr-defined]
            (OWNER_ANY, "Anyone"),
            (selectors.NO_OWNER, "Nobody"),
            *((u.username, u.get_full_name() or u.username) for u in owners),
        ]

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for selectors.filter_assets (no filter when the form is invalid)."""
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        status = data.get("status") or "active"
        return {
            "q": data.get("q") or "",
            "kind": data.get("kind") or None,
            "owner": data.get("owner") or None,
            "classification": data.get("classification") or None,
            "in_scope": {"yes": True, "no": False}.get(data.get("in_scope") or ""),
            "archived": {"active": False, "archived": True}.get(status),
        }


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV or XLSX file",
        help_text=(
            "One asset per row, with the column names in row 1 (the export's format). "
            f"At most {settings.AISMS_MAX_UPLOAD_BYTES // 2**20} MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > settings.AISMS_MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than the upload limit.")
        return upload
