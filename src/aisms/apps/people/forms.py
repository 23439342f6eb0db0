"""Forms of the people pages."""

from __future__ import annotations

from django import forms

from aisms.apps.people.models import EVIDENCE_CHOICES, Competence, JobRole, Person, TrainingModule
from aisms.catalogue.training_modules import CATEGORIES


class UploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file", help_text="UTF-8, comma or semicolon separated, header on row 1."
    )


class RoleForm(forms.Form):
    name = forms.CharField(max_length=200, label="Role name")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CompetenceForm(forms.Form):
    name = forms.CharField(max_length=200, label="Competence name")
    category = forms.ChoiceField(choices=[(c, c.replace("_", " ")) for c in CATEGORIES])
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RequirementForm(forms.Form):
    role = forms.ModelChoiceField(queryset=JobRole.objects.all())
    competence = forms.ModelChoiceField(queryset=Competence.objects.all())
    evidence = forms.ChoiceField(choices=EVIDENCE_CHOICES, label="Evidenced by")


class AssignmentForm(forms.Form):
    module = forms.ModelChoiceField(queryset=TrainingModule.objects.all())
    role = forms.ModelChoiceField(queryset=JobRole.objects.all())
    due_days = forms.IntegerField(
        min_value=0, max_value=3650, initial=30, label="Due within (days of starting)"
    )


class CompletionForm(forms.Form):
    person = forms.ModelChoiceField(queryset=Person.objects.filter(active=True))
    module = forms.ModelChoiceField(queryset=TrainingModule.objects.all())
    completed_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Completed on")
    score = forms.IntegerField(min_value=0, max_value=100, required=False)
    evidence = forms.CharField(max_length=2000, required=False, help_text="Certificate reference or link.")


class PersonForm(forms.Form):
    employee_id = forms.CharField(max_length=50, label="Employee id")
    name = forms.CharField(max_length=200)
    email = forms.EmailField(required=False, label="E-mail")
    department = forms.CharField(max_length=100, required=False)
    manager = forms.ModelChoiceField(queryset=Person.objects.filter(active=True), required=False)
    roles = forms.ModelMultipleChoiceField(
        queryset=JobRole.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    start_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Start date")


class ModuleForm(forms.Form):
    code = forms.SlugField(max_length=80, help_text="Stable identifier, used by LMS imports.")
    title = forms.CharField(max_length=200)
    objectives = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="One per line."
    )
    duration_minutes = forms.IntegerField(min_value=1, max_value=1440, initial=30, label="Duration (minutes)")
    recurrence_months = forms.IntegerField(
        min_value=1, max_value=120, required=False, label="Repeat every (months)", help_text="Empty: once."
    )
    competences = forms.ModelMultipleChoiceField(
        queryset=Competence.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )


class CompetenceRecordForm(forms.Form):
    competence = forms.ModelChoiceField(queryset=Competence.objects.all())
    kind = forms.ChoiceField(choices=[("qualification", "Qualification"), ("experience", "Experience")])
    description = forms.CharField(
        max_length=300, help_text="E.g. 'ISC2 CISSP' or 'three years assessing AI suppliers'."
    )
    obtained_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Obtained on / since")
    expires_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), required=False, help_text="Empty: does not expire."
    )
    reference = forms.CharField(max_length=500, required=False, help_text="Certificate number or link.")
