"""The morning dashboard: one tile per area, each read with a few set-based queries.

Risk and training trends are rebuilt from the registers' history, so they show the past as it was.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from aisms.apps.controls.models import ControlImplementation
from aisms.apps.people import selectors as people_selectors
from aisms.apps.risks import selectors as risk_selectors
from aisms.apps.risks.models import ActionStatus, Risk, RiskStatus, TreatmentAction
from aisms.apps.risks.services import current_method
from aisms.apps.web.charts import share_trend
from aisms.apps.web.dashboard_charts import stacked_trend, status_strip
from aisms.domain import training_coverage as tc
from aisms.domain.soa import ImplementationStatus

TREND_MONTHS = 6


def svg(markup: str) -> SafeString:
    return mark_safe(markup)  # noqa: S308 - built by our chart functions, which escape every text


@dataclass
class Tile:
    key: str
    title: str
    href: str
    figures: list[tuple[str, Any, str]] = field(default_factory=list)  # (label, value, css class)
    charts: list[SafeString] = field(default_factory=list)
    items: list[tuple[str, str, str]] = field(default_factory=list)  # (text, href, css class)


def risk_levels_at(ends: list[dt.date]) -> dict[dt.date, Counter[str]]:
    """Open risks by current level at the end of each day, from the risk register's history."""
    history = Risk.history.model
    identified = dict(Risk.objects.values_list("pk", "created_at"))
    rows = history.objects.values("id", "history_date", "history_type", "current_level", "status").order_by(
        "history_date", "history_id"
    )
    versions: dict[int, list[tuple[dt.datetime, str, str, str]]] = {}
    for row in rows:
        stamp = row["history_date"]
        if row["id"] not in versions and row["id"] in identified:
            # A risk identified before it was entered in the register counts from when it was identified.
            stamp = min(stamp, identified[row["id"]])
        versions.setdefault(row["id"], []).append(
            (stamp, row["history_type"], row["current_level"], row["status"])
        )
    tz = timezone.get_current_timezone()
    out: dict[dt.date, Counter[str]] = {}
    for end_day in ends:
        end = dt.datetime.combine(end_day, dt.time.max, tzinfo=tz)
        counts: Counter[str] = Counter()
        for risk_versions in versions.values():
            latest = None
            for stamp, kind, level, status in risk_versions:
                if stamp > end:
                    break
                latest = None if kind == "-" else (level, status)
            if latest is not None and latest[1] != RiskStatus.CLOSED:
                counts[latest[0]] += 1
        out[end_day] = counts
    return out


def risk_tile(today: dt.date) -> Tile:
    method = current_method()
    risks = list(Risk.objects.exclude(status=RiskStatus.CLOSED))
    heat = risk_selectors.heat_map(risks, method, "current", "Open risks, current level")
    above = [r for r in risks if r.current_level and not _within(method, r.current_level)]
    ends = tc.month_ends(today, TREND_MONTHS)
    by_month = risk_levels_at(ends)
    levels = sorted(method.levels, key=lambda lv: -lv.rank)
    trend = stacked_trend(
        [e.strftime("%b") for e in ends],
        [(lv.name, lv.colour) for lv in levels],
        [[by_month[e].get(lv.key, 0) for lv in levels] for e in ends],
        title="Open risks by current level at month ends",
    )
    tile = Tile("risks", "Risk", "/risks/")
    tile.figures = [
        ("open risks", len(risks), ""),
        ("above appetite", len(above), "bad" if above else "good"),
        ("not re-assessed on the current method", sum(r.method_version != method.version for r in risks), ""),
    ]
    tile.charts = [svg(heat.svg().replace('href="?', 'href="/risks/?')), svg(trend)]
    return tile


def _within(method: Any, key: str) -> bool:
    try:
        return bool(method.level(key).within_appetite)
    except KeyError:
        return True


def treatment_tile(today: dt.date) -> Tile:
    actions = TreatmentAction.objects.exclude(status=ActionStatus.CANCELLED)
    counts = dict(actions.values_list("status").annotate(n=Count("id")))
    overdue = actions.filter(
        status__in=[ActionStatus.PLANNED, ActionStatus.IN_PROGRESS], due_date__lt=today
    ).select_related("risk")
    n_overdue = overdue.count()
    strip = status_strip(
        [
            ("done", counts.get(ActionStatus.DONE, 0), "#2e8540"),
            ("in progress", counts.get(ActionStatus.IN_PROGRESS, 0), "#2f6fb3"),
            ("planned", counts.get(ActionStatus.PLANNED, 0), "#9fb3c8"),
        ],
        title="Treatment actions by status",
    )
    tile = Tile("treatment", "Risk treatment", "/risks/treatment/")
    total = sum(counts.values())
    done = counts.get(ActionStatus.DONE, 0)
    tile.figures = [
        ("actions done", f"{done} of {total}", ""),
        ("overdue", n_overdue, "bad" if n_overdue else "good"),
    ]
    tile.charts = [svg(strip)]
    tile.items = [
        (f"{a.risk.ref}: {a.title} (due {a.due_date:%d %b})", a.risk.get_absolute_url(), "bad")
        for a in overdue.order_by("due_date")[:4]
    ]
    return tile


def controls_tile() -> Tile:
    rows = ControlImplementation.objects.filter(applicable=True)
    counts = dict(rows.values_list("implementation_status").annotate(n=Count("id")))
    excluded = ControlImplementation.objects.filter(applicable=False).count()
    strip = status_strip(
        [
            ("implemented", counts.get(ImplementationStatus.IMPLEMENTED.value, 0), "#2e8540"),
            ("partly", counts.get(ImplementationStatus.PARTIALLY_IMPLEMENTED.value, 0), "#8cb369"),
            ("planned", counts.get(ImplementationStatus.PLANNED.value, 0), "#f4a259"),
            ("not started", counts.get(ImplementationStatus.NOT_STARTED.value, 0), "#bc4b51"),
        ],
        title="Applicable Annex A controls by implementation status",
    )
    tile = Tile("controls", "Controls (SoA)", "/soa/")
    applicable = sum(counts.values())
    tile.figures = [
        ("applicable controls", applicable, ""),
        ("implemented", counts.get(ImplementationStatus.IMPLEMENTED.value, 0), ""),
        ("excluded", excluded, ""),
    ]
    tile.charts = [svg(strip)]
    return tile


def training_tile(today: dt.date) -> Tile:
    state = people_selectors.training_state()
    overall = tc.coverage(state, today)
    overdue = len(tc.overdue(state, today))
    trend = people_selectors.coverage_trend(state, today, TREND_MONTHS)
    tile = Tile("training", "Competence and training", "/people/gaps/")
    tile.figures = [
        ("training coverage", f"{overall.ratio:.0%}", ""),
        ("overdue assignments", overdue, "bad" if overdue else "good"),
        ("competence gaps", len(tc.competence_gaps(state, today)), ""),
    ]
    tile.charts = [
        svg(share_trend([(e.strftime("%b"), c.ratio) for e, c in trend], title="Training coverage"))
    ]
    return tile


def core_tiles(today: dt.date) -> list[Tile]:
    return [risk_tile(today), treatment_tile(today), controls_tile(), training_tile(today)]
