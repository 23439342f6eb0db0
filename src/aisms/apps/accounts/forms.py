"""Forms for logging in, API tokens and user management."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm

from aisms.apps.accounts import login_throttle
from aisms.config.client_address import client_address
from aisms.domain.access import ROLE_LABELS, Role


class ThrottledLoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": "Too many failed attempts. Wait 15 minutes and try again.",
    }

    def clean(self) -> dict[str, Any]:
        username = self.data.get("username", "")
        address = client_address(self.request) if self.request else ""
        if login_throttle.is_locked(username, address):
            raise forms.ValidationError(self.error_messages["locked"], code="locked")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            login_throttle.record_failure(username, address)
            raise
        login_throttle.clear(username, address)
        return cleaned


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What the token is for, e.g. 'CI pipeline'.")
    days = forms.IntegerField(
        min_value=1,
        max_value=settings.AISMS_TOKEN_MAX_DAYS,
        initial=settings.AISMS_TOKEN_DEFAULT_DAYS,
        label="Valid for (days)",
    )


ROLE_CHOICES = [(r.value, ROLE_LABELS[r]) for r in Role]


class UserCreateForm(forms.Form):
    username = forms.CharField(max_length=150)
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField(required=False)
    role = forms.ChoiceField(choices=ROLE_CHOICES)


class UserUpdateForm(forms.Form):
    role = forms.ChoiceField(choices=ROLE_CHOICES)
    is_active = forms.BooleanField(required=False, label="Active (may log in)")
