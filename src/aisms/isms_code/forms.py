"""The form of the ISMS-as-code page: a zip of an export to check (dry run) or to apply.

The Apply form adds ``apply=1`` and ``checked`` (the sha256 of the file checked); the view reads them
from the request, so that a re-displayed check form never carries them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from aisms.isms_code.zip_exchange import size_problem


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Zip of an export",
        help_text=(
            "The zip from “Download YAML (zip)”, edited or not. "
            f"At most {settings.AISMS_MAX_UPLOAD_BYTES // 2**20} MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )
    merge = forms.BooleanField(
        label="Merge into the current data",
        required=False,
        initial=True,
        help_text="Create new records and update changed ones; nothing is deleted. "
        "Without it, the instance must be empty.",
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        too_large = size_problem(upload.size, settings.AISMS_MAX_UPLOAD_BYTES)
        if too_large:
            raise forms.ValidationError(f"The file is {too_large.message}.")
        return upload
