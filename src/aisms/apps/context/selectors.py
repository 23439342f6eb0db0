"""Reads for the context of the organisation: the PESTEL board, reviews due, parties, scope versions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from aisms.apps.context.models import InterestedParty, PartyRequirement, PestelCategory, PestelIssue
from aisms.apps.risks.models import Risk


def issues() -> QuerySet[PestelIssue]:
    return PestelIssue.objects.select_related("owner", "reviewed_by").prefetch_related(
        Prefetch("risks", queryset=Risk.objects.only("pk", "ref", "title"))
    )


@dataclass
class BoardColumn:
    category: str
    label: str
    issues: list[PestelIssue]


def board(today: dt.date) -> list[BoardColumn]:
    """Six columns, one per PESTEL category; each issue knows whether its review is overdue."""
    columns = {value: BoardColumn(value, str(label), []) for value, label in PestelCategory.choices}
    for issue in issues():
        issue.overdue = bool(issue.review_date and issue.review_date < today)  # type: ignore[attr-defined]
        columns[issue.category].issues.append(issue)
    return list(columns.values())


def due_for_review(today: dt.date, within_days: int = 30) -> QuerySet[PestelIssue]:
    """Issues never given a review date or due within ``within_days`` (overdue first)."""
    horizon = today + dt.timedelta(days=within_days)
    return (
        issues()
        .filter(Q(review_date__isnull=True) | Q(review_date__lte=horizon))
        .order_by("review_date", "title")
    )


def parties() -> QuerySet[InterestedParty]:
    return (
        InterestedParty.objects.select_related("owner")
        .prefetch_related(Prefetch("requirements", queryset=PartyRequirement.objects.order_by("pk")))
        .annotate(
            requirement_count=Count("requirements"),
            addressed_count=Count("requirements", filter=Q(requirements__addressed=True)),
        )
    )
