"""Reads of the registers: evidence (with its state today), documents with the version in force,
objectives with their progress, regulations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Prefetch, Q, QuerySet

from aisms.apps.compliance.models import (
    Document,
    DocumentVersion,
    EvidenceItem,
    Objective,
    Regulation,
    VersionStatus,
)
from aisms.domain.compliance.objectives import Measurement, Progress, progress
from aisms.domain.compliance.status import DEFAULT_WARNING_DAYS, EvidenceState, evidence_state

STATES = ("current", "expiring", "expired")


def evidence_list(
    today: date,
    *,
    state: str = "",
    owner: str = "",
    uid: str = "",
    q: str = "",
    warning_days: int = DEFAULT_WARNING_DAYS,
) -> QuerySet[EvidenceItem]:
    rows = EvidenceItem.objects.select_related("owner").prefetch_related("entries")
    horizon = today + timedelta(days=warning_days)
    if state == "expired":
        rows = rows.filter(expires_on__lt=today)
    elif state == "expiring":
        rows = rows.filter(expires_on__gte=today, expires_on__lte=horizon)
    elif state == "current":
        rows = rows.filter(Q(expires_on__isnull=True) | Q(expires_on__gt=horizon))
    if owner:
        rows = rows.filter(owner__username=owner)
    if uid:
        rows = rows.filter(entries__uid=uid)
    for word in q.split():
        rows = rows.filter(Q(title__icontains=word) | Q(description__icontains=word))
    return rows.distinct()


def state_of(item: EvidenceItem, today: date) -> EvidenceState:
    return evidence_state(item.expires_on, today)


def documents(*, doc_type: str = "", include_retired: bool = False) -> QuerySet[Document]:
    rows = Document.objects.select_related("owner").prefetch_related(
        Prefetch(
            "versions", queryset=DocumentVersion.objects.select_related("approved_by").order_by("-number")
        )
    )
    if doc_type:
        rows = rows.filter(doc_type=doc_type)
    if not include_retired:
        rows = rows.filter(retired=False)
    return rows


def in_force(document: Document) -> DocumentVersion | None:
    return next((v for v in document.versions.all() if v.status == VersionStatus.APPROVED), None)


def latest_version(document: Document) -> DocumentVersion | None:
    return next(iter(document.versions.all()), None)


def isms_policy() -> Document | None:
    return documents().filter(is_isms_policy=True).first()


@dataclass(frozen=True)
class ObjectiveView:
    objective: Objective
    progress: Progress
    series: list[Measurement]


def objectives(today: date) -> list[ObjectiveView]:
    out = []
    for objective in Objective.objects.select_related("owner").prefetch_related("measurements"):
        series = [Measurement(m.measured_on, float(m.value)) for m in objective.measurements.all()]
        p = progress(float(objective.baseline), float(objective.target), series, objective.due, today)
        out.append(ObjectiveView(objective, p, series))
    return out


def regulations() -> QuerySet[Regulation]:
    return Regulation.objects.select_related("pestel_issue", "owner").prefetch_related(
        "obligations__controls", "obligations__risks"
    )
