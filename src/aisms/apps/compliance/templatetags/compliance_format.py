"""Template filters of the compliance pages."""

from __future__ import annotations

from django import template

from aisms.domain.compliance.status import ComplianceStatus

register = template.Library()

_CHIP = {
    "compliant": "ok",
    "expiring": "warn",
    "current": "ok",
    "partial": "warn",
    "gap": "bad",
    "expired": "bad",
    "nonconforming": "bad",
    "pass": "ok",
    "warn": "warn",
    "fail": "bad",
    "approved": "ok",
    "draft": "warn",
}


@register.filter
def chip_class(value: object) -> str:
    """The chip colour class for a status, evidence state or check outcome."""
    key = value.value if isinstance(value, ComplianceStatus) else str(value or "")
    return _CHIP.get(key, "")


@register.filter
def eur(value: object) -> str:
    """EUR amounts for people: €35.0m, €820k."""
    if value is None or value == "":
        return "—"
    number = float(value)  # type: ignore[arg-type]  # template values: numbers or numeric strings
    if number >= 1e9:
        return f"€{number / 1e9:.2f}bn"
    if number >= 1e6:
        return f"€{number / 1e6:.1f}m"
    if number >= 1e3:
        return f"€{number / 1e3:.0f}k"
    return f"€{number:.0f}"


@register.filter
def percent(value: object) -> str:
    if value is None or value == "":
        return "—"
    return f"{float(value):.0%}"  # type: ignore[arg-type]  # template values: numbers or numeric strings
