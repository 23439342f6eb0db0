"""Show a service's refusal on the form that asked for it: field errors on their fields, the rest on top."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError


def add_service_errors(form: Any, exc: ValidationError | PermissionDenied) -> None:
    if isinstance(exc, PermissionDenied):
        form.add_error(None, str(exc))
        return
    errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
    for field, problems in errors.items():
        form.add_error(field if field in form.fields else None, problems)
