"""Readable schedule intervals."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def jobs_interval(seconds: int) -> str:
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{seconds} s"
