from __future__ import annotations

from typing import Any

from django import forms

from aisms.apps.accounts.models import User
from aisms.apps.context.models import (
    IssueOrigin,
    Organisation,
    PartyKind,
    PestelCategory,
    Trend,
)
from aisms.apps.risks.models import Risk


class OrganisationForm(forms.ModelForm):  # type: ignore[type-arg]  # not subscriptable at run time
    class Meta:
        model = Organisation
        fields = ["name", "sector", "country", "headcount", "annual_turnover_eur", "description", "ai_use"]
        labels = {"ai_use": "How the organisation uses AI"}


class RiskChoices(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.ref} {obj.title}"


def _text(rows: int = 3) -> forms.CharField:
    return forms.CharField(widget=forms.Textarea(attrs={"rows": rows}), required=False)


class IssueForm(forms.Form):
    title = forms.CharField(max_length=200)
    category = forms.ChoiceField(choices=PestelCategory.choices)
    origin = forms.ChoiceField(choices=IssueOrigin.choices, label="Internal or external")
    trend = forms.ChoiceField(choices=Trend.choices)
    description = _text()
    effect = _text()
    effect.label = "Effect on the ISMS and its objectives"
    opportunities = _text(2)
    risks = RiskChoices(
        queryset=Risk.objects.order_by("ref"), required=False, help_text="Risks this issue raises."
    )
    owner = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("username"), required=False
    )
    review_date = forms.DateField(
        required=False, label="Next review", widget=forms.DateInput(attrs={"type": "date"})
    )


class ReviewForm(forms.Form):
    next_review = forms.DateField(
        required=False,
        help_text="Leave empty for six months from today.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    notes = forms.CharField(max_length=2000, required=False)


class PartyForm(forms.Form):
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=PartyKind.choices)
    description = _text()
    owner = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("username"), required=False
    )


class RequirementForm(forms.Form):
    requirement = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    addressed = forms.BooleanField(required=False, label="Addressed by the ISMS")
    how_addressed = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="How the ISMS addresses it"
    )


ITEMS_HELP = "One per line: item | reason."


def items_to_text(rows: list[dict[str, str]]) -> str:
    return "\n".join(f"{r['item']} | {r['reason']}" if r.get("reason") else r["item"] for r in rows)


def text_to_items(text: str) -> list[dict[str, str]]:
    rows = []
    for line in text.splitlines():
        item, _, reason = line.partition("|")
        if item.strip():
            rows.append({"item": item.strip(), "reason": reason.strip()})
    return rows


class ScopeForm(forms.Form):
    statement = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    in_scope = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}), required=False, label="In scope", help_text=ITEMS_HELP
    )
    out_of_scope = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, label="Out of scope", help_text=ITEMS_HELP
    )
    interfaces = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        label="Interfaces",
        help_text="Where the ISMS meets systems, organisations or people outside it; one per line.",
    )
    dependencies = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        label="Dependencies",
        help_text="What the ISMS relies on that others provide or control; one per line.",
    )


class ApproveForm(forms.Form):
    notes = forms.CharField(max_length=2000, required=False, label="What changed")
