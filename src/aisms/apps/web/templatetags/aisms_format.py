"""Template filters for showing identifiers and vocabularies as words."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from aisms.catalogue.model import SHORT_NAMES

register = template.Library()


@register.filter
def catalogue_name(key: str) -> str:
    """A catalogue key as a short name: 'owasp-llm' -> 'OWASP LLM Top 10'."""
    return SHORT_NAMES.get(key, key)


@register.filter
def words(value: object) -> str:
    """snake_case vocabulary values as words: 'governance_and_ecosystem' -> 'governance and ecosystem'."""
    if isinstance(value, str):
        return value.replace("_", " ")
    if isinstance(value, Iterable):
        return ", ".join(str(v).replace("_", " ") for v in value)
    return "" if value is None else str(value)


@register.filter
def get_item(mapping: object, key: object) -> object:
    """mapping[key] in a template, or None."""
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.filter
def split(value: str) -> list[str]:
    """'a b c' -> ['a', 'b', 'c'] (to loop over field names in a template)."""
    return value.split()


@register.filter
def field(form: object, name: str) -> object:
    """The bound field `name` of a form."""
    return form[name]  # type: ignore[index]
