"""Template filters for money and simulation results."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def money(value: float | None) -> str:
    """12345.6 -> '12,346' (whole units, thousands separated)."""
    if value is None:
        return "—"
    return f"{value:,.0f}"


@register.filter
def get_pct(percentiles: dict[int, float], level: int) -> float | None:
    return percentiles.get(int(level))


@register.filter
def sort_by_mean(rows: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """(risk, result) rows, highest mean annual loss first."""
    return sorted(rows, key=lambda row: -row[1].annual_loss.mean)
