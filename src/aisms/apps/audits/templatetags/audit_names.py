"""Template filters of the audits pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def display_name(user: Any) -> str:
    """A user's full name, else their user name; '-' for nobody."""
    if user is None:
        return "-"
    return str(user.get_full_name() or user.username)
