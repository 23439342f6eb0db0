"""Reads for the posture pages and API: matches per asset, proposals, emerging threats, what changed."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from aisms.apps.accounts.models import User
from aisms.apps.accounts.services import require
from aisms.apps.assets.models import Asset
from aisms.apps.intel.models import IntelItem
from aisms.apps.posture.models import (
    AssetIntelMatch,
    EmergingStatus,
    EmergingThreat,
    Proposal,
    ProposalStatus,
)
from aisms.apps.risks.models import Risk
from aisms.domain.access import Action

RESCORE_PREFIX = "Accepted proposal #"


def matches(
    actor: User, *, asset_id: int | None = None, include_dismissed: bool = False
) -> QuerySet[AssetIntelMatch]:
    require(actor, Action.VIEW)
    rows = AssetIntelMatch.objects.select_related("asset", "component", "item", "vulnerability")
    if asset_id is not None:
        rows = rows.filter(asset_id=asset_id)
    if not include_dismissed:
        rows = rows.filter(dismissed=False)
    return rows.order_by("-first_matched_at", "-pk")


def asset_intel(actor: User, asset: Asset, *, limit: int = 50) -> list[AssetIntelMatch]:
    """The intel that concerns an asset: KEV first, then by EPSS, confidence and recency."""
    rows = list(matches(actor, asset_id=asset.pk)[:500])

    def order(m: AssetIntelMatch) -> tuple[Any, ...]:
        v = m.vulnerability
        return (
            not (v and v.in_kev),
            -(v.epss or 0.0) if v else 0.0,
            -m.confidence,
            -m.first_matched_at.timestamp(),
        )

    return sorted(rows, key=order)[:limit]


def proposals(
    actor: User,
    *,
    status: str | None = None,
    asset_id: int | None = None,
    risk_id: int | None = None,
    kind: str | None = None,
) -> QuerySet[Proposal]:
    require(actor, Action.VIEW)
    rows = Proposal.objects.select_related("asset", "risk", "risk__owner", "asset__owner", "decided_by")
    if status:
        rows = rows.filter(status=status)
    if asset_id is not None:
        rows = rows.filter(asset_id=asset_id)
    if risk_id is not None:
        rows = rows.filter(risk_id=risk_id)
    if kind:
        rows = rows.filter(kind=kind)
    return rows.order_by("-created_at", "-pk")


def proposal(actor: User, pk: int) -> Proposal:
    require(actor, Action.VIEW)
    return Proposal.objects.select_related("asset", "risk", "technique", "decided_by", "resulting_risk").get(
        pk=pk
    )


def emerging(actor: User, *, status: str | None = None) -> QuerySet[EmergingThreat]:
    require(actor, Action.VIEW)
    rows = EmergingThreat.objects.prefetch_related("items")
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-pk")


def emerging_one(actor: User, pk: int) -> EmergingThreat:
    require(actor, Action.VIEW)
    return EmergingThreat.objects.prefetch_related("items__source").get(pk=pk)


@dataclass
class Rescore:
    risk: Risk
    at: dt.datetime
    reason: str
    likelihood: int
    level: str
    by: str


def recently_rescored(actor: User, *, limit: int = 10) -> list[Rescore]:
    require(actor, Action.VIEW)
    records = (
        Risk.history.filter(history_change_reason__startswith=RESCORE_PREFIX)
        .select_related("history_user")
        .order_by("-history_date")[:limit]
    )
    risks = {r.pk: r for r in Risk.objects.filter(pk__in=[rec.id for rec in records])}
    return [
        Rescore(
            risk=risks[rec.id],
            at=rec.history_date,
            reason=rec.history_change_reason or "",
            likelihood=rec.current_likelihood,
            level=rec.current_level,
            by=rec.history_user.username if rec.history_user else "",
        )
        for rec in records
        if rec.id in risks
    ]


SERIES = ("intel", "matches", "opened", "accepted", "rejected", "rescored")
SERIES_LABELS = {
    "intel": "New intel items",
    "matches": "New matches",
    "opened": "Proposals opened",
    "accepted": "Proposals accepted",
    "rejected": "Proposals rejected",
    "rescored": "Risks re-scored",
}


@dataclass
class Week:
    start: dt.date
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SERIES, 0))


def _week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def what_changed(actor: User, *, weeks: int = 12, today: dt.date | None = None) -> list[Week]:
    """Per ISO week (Monday first), oldest first: new intel, matches, proposals and re-scored risks."""
    require(actor, Action.VIEW)
    weeks = max(1, min(weeks, 104))
    today = today or timezone.localdate()
    first = _week_start(today) - dt.timedelta(weeks=weeks - 1)
    since = dt.datetime.combine(first, dt.time.min, tzinfo=dt.UTC)
    rows = {first + dt.timedelta(weeks=i): Week(first + dt.timedelta(weeks=i)) for i in range(weeks)}
    per_day: dict[str, dict[dt.date, int]] = defaultdict(dict)

    def daily(name: str, queryset: QuerySet[Any], field_name: str) -> None:
        grouped = (
            queryset.filter(**{f"{field_name}__gte": since})
            .annotate(day=TruncDate(field_name))
            .values("day")
            .annotate(n=Count("pk"))
        )
        for row in grouped:
            per_day[name][row["day"]] = row["n"]

    daily("intel", IntelItem.objects.all(), "first_seen")
    daily("matches", AssetIntelMatch.objects.all(), "first_matched_at")
    daily("opened", Proposal.objects.all(), "created_at")
    daily("accepted", Proposal.objects.filter(status=ProposalStatus.ACCEPTED), "decided_at")
    daily("rejected", Proposal.objects.filter(status=ProposalStatus.REJECTED), "decided_at")
    daily("rescored", Risk.history.filter(history_change_reason__startswith=RESCORE_PREFIX), "history_date")
    for name, days in per_day.items():
        for day, n in days.items():
            if day is None:
                continue
            week = rows.get(_week_start(day))
            if week is not None:
                week.counts[name] += n
    return [rows[k] for k in sorted(rows)]


def open_counts(actor: User) -> dict[str, int]:
    require(actor, Action.VIEW)
    return {
        "open_proposals": Proposal.objects.filter(status=ProposalStatus.OPEN).count(),
        "candidates": EmergingThreat.objects.filter(status=EmergingStatus.CANDIDATE).count(),
        "matches": AssetIntelMatch.objects.filter(dismissed=False).count(),
    }
