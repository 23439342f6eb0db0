"""Template filters for the SoA pages."""

from __future__ import annotations

from django import template
from django.urls import NoReverseMatch, reverse

from aisms.domain.soa import ImplementationStatus, theme_label

register = template.Library()


@register.filter
def risk_url(ref: str) -> str:
    """The risk's page (the risk register's detail view), by its reference."""
    try:
        return reverse("risks:detail", args=[ref])
    except NoReverseMatch:
        return f"/risks/{ref}/"


@register.filter
def blank(value: object) -> bool:
    """Nothing recorded: no value, an empty text or an empty list (False is a value)."""
    return value is None or value == "" or value == []


@register.filter
def value_text(value: object, field: str = "") -> str:
    """A compared value as text: lists joined, booleans as included/excluded, statuses and themes named."""
    if blank(value):
        return "—"
    if field == "status" and isinstance(value, str) and value in set(ImplementationStatus):
        return ImplementationStatus(value).label
    if field == "theme" and isinstance(value, str):
        return theme_label(value)
    if isinstance(value, bool):
        return "Included" if value else "Excluded"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)
