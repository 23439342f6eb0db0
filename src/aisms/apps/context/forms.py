from django import forms

from aisms.apps.context.models import Organisation


class OrganisationForm(forms.ModelForm):  # type: ignore[type-arg]  # not subscriptable at run time
    class Meta:
        model = Organisation
        fields = ["name", "sector", "country", "headcount", "annual_turnover_eur", "description", "ai_use"]
        labels = {"ai_use": "How the organisation uses AI"}
