"""Forms of the audits pages; the services validate again and have the last word."""

from __future__ import annotations

from typing import Any

from django import forms

from aisms.apps.accounts.models import User
from aisms.apps.audits import selectors
from aisms.apps.audits.models import (
    AuditProgramme,
    DecisionKind,
    DecisionStatus,
    FindingKind,
    NcSeverity,
    NcSource,
    RootCauseCategory,
)


def _users() -> Any:
    return User.objects.filter(is_active=True).order_by("username")


class UserField(forms.ModelChoiceField):  # type: ignore[type-arg]  # not subscriptable at run time
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.username)


class UsersField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.username)


class DateInput(forms.DateInput):
    input_type = "date"


class ProgrammeForm(forms.Form):
    title = forms.CharField(max_length=200)
    start_year = forms.IntegerField(min_value=2000, max_value=2100)
    cycle_years = forms.IntegerField(
        min_value=1, max_value=10, initial=3, help_text="Years in which everything is audited."
    )
    objectives = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    high_risk_uids = forms.MultipleChoiceField(
        required=False,
        label="Higher-risk areas (audited every year)",
        help_text="Controls called for by risks above appetite count as higher-risk anyway.",
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    owner = UserField(queryset=None, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _users()  # type: ignore[attr-defined]
        self.fields["high_risk_uids"].choices = selectors.clause_choices() + selectors.control_choices()  # type: ignore[attr-defined]


class AuditForm(forms.Form):
    title = forms.CharField(max_length=300)
    programme = forms.ModelChoiceField(queryset=AuditProgramme.objects.all(), required=False)
    scope = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text="What is audited, in words."
    )
    clause_uids = forms.MultipleChoiceField(
        required=False, label="Clauses in scope", widget=forms.SelectMultiple(attrs={"size": 8})
    )
    control_uids = forms.MultipleChoiceField(
        required=False, label="Annex A controls in scope", widget=forms.SelectMultiple(attrs={"size": 8})
    )
    criteria = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="e.g. ISO/IEC 27001:2022, the security policy, the AI acceptable-use policy.",
    )
    lead_auditor = UserField(queryset=None, required=False)
    auditors = UsersField(queryset=None, required=False, widget=forms.SelectMultiple(attrs={"size": 4}))
    planned_start = forms.DateField(required=False, widget=DateInput)
    planned_end = forms.DateField(required=False, widget=DateInput)
    report_summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_auditor"].queryset = _users()  # type: ignore[attr-defined]
        self.fields["auditors"].queryset = _users()  # type: ignore[attr-defined]
        self.fields["clause_uids"].choices = selectors.clause_choices()  # type: ignore[attr-defined]
        self.fields["control_uids"].choices = selectors.control_choices()  # type: ignore[attr-defined]


class FindingForm(forms.Form):
    kind = forms.ChoiceField(choices=FindingKind.choices)
    severity = forms.ChoiceField(
        choices=[("", "-"), *NcSeverity.choices[:2]], required=False, help_text="For a nonconformity."
    )
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


class NcForm(forms.Form):
    source = forms.ChoiceField(choices=[c for c in NcSource.choices if c[0] != NcSource.AUDIT])
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    severity = forms.ChoiceField(choices=NcSeverity.choices, initial=NcSeverity.MINOR)
    clause_uid = forms.ChoiceField(required=False, label="Clause")
    control_uid = forms.ChoiceField(required=False, label="Control")
    owner = UserField(queryset=None, required=False)
    due_date = forms.DateField(required=False, widget=DateInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _users()  # type: ignore[attr-defined]
        self.fields["clause_uid"].choices = [("", "-"), *selectors.clause_choices()]  # type: ignore[attr-defined]
        self.fields["control_uid"].choices = [("", "-"), *selectors.control_choices()]  # type: ignore[attr-defined]


class NcEditForm(NcForm):
    root_cause = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        label="Root cause",
        help_text="Ask 'why?' until you reach a cause you can act on (five whys), one answer per line.",
    )
    root_cause_category = forms.ChoiceField(choices=RootCauseCategory.choices, required=False)
    containment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Immediate correction (containment)"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["source"]


class ActionForm(forms.Form):
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Corrective action")
    owner = UserField(queryset=None, required=False)
    due_date = forms.DateField(required=False, widget=DateInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _users()  # type: ignore[attr-defined]


class CompleteForm(forms.Form):
    evidence_note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="What shows it is done"
    )


class EffectivenessForm(forms.Form):
    effective = forms.TypedChoiceField(
        choices=[("yes", "Effective: the cause is removed"), ("no", "Not effective: reopen")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text="What was checked."
    )


class ReviewForm(forms.Form):
    title = forms.CharField(max_length=200)
    date = forms.DateField(widget=DateInput)
    attendees = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text="One per line."
    )
    feedback = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Feedback from interested parties",
        help_text="One item per line (customer questionnaires, complaints, regulator letters).",
    )


class MinutesForm(forms.Form):
    attendees = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    minutes = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False)


class DecisionForm(forms.Form):
    decision = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    kind = forms.ChoiceField(choices=DecisionKind.choices)
    owner = UserField(queryset=None, required=False)
    due_date = forms.DateField(required=False, widget=DateInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _users()  # type: ignore[attr-defined]


class DecisionStatusForm(forms.Form):
    status = forms.ChoiceField(choices=DecisionStatus.choices)
