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
