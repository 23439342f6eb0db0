"""Reads: the supplier list with filters, one supplier's clause checklist, the overview metrics."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet

from aisms.apps.suppliers.models import (
    Assessment,
    AssessmentStatus,
    Certification,
    Finding,
    FindingStatus,
    Supplier,
)
from aisms.apps.suppliers.services import intervals
from aisms.domain.suppliers.clauses import ClauseChecklist, ClauseRow, ClauseStatus, evaluate_clauses
from aisms.domain.suppliers.schedule import ReviewIntervals, ReviewState, Tier, review_state

EXPIRY_HORIZON_DAYS = 90


def suppliers(
    *,
    q: str = "",
    tier: int | None = None,
    uses_ai: bool | None = None,
    review: str = "",
    status: str = "",
    today: date,
    schedule: ReviewIntervals | None = None,
) -> QuerySet[Supplier]:
    rows = Supplier.objects.select_related("owner").annotate(
        open_findings=Count("findings", filter=Q(findings__status=FindingStatus.OPEN), distinct=True)
    )
    if q:
        rows = rows.filter(
            Q(name__icontains=q) | Q(description__icontains=q) | Q(services__name__icontains=q)
        )
    if tier:
        rows = rows.filter(tier=tier)
    if uses_ai is not None:
        rows = rows.filter(uses_ai_on_our_data=uses_ai)
    if status:
        rows = rows.filter(status=status)
    schedule = schedule or intervals()
    if review == ReviewState.OVERDUE:
        rows = rows.filter(next_review_due__lt=today)
    elif review == ReviewState.DUE_SOON:
        rows = rows.filter(
            next_review_due__gte=today, next_review_due__lte=today + timedelta(days=schedule.reminder_days)
        )
    return rows.distinct().order_by("name")


def latest_scores(supplier_ids: list[int] | None = None) -> dict[int, Assessment]:
    """The most recent scored (or submitted) assessment per supplier."""
    rows = Assessment.objects.filter(
        status__in=[AssessmentStatus.SCORED, AssessmentStatus.SUBMITTED], score__isnull=False
    ).select_related("template_version__template")
    if supplier_ids is not None:
        rows = rows.filter(supplier_id__in=supplier_ids)
    out: dict[int, Assessment] = {}
    for assessment in rows.order_by("supplier_id", "-submitted_at"):
        out.setdefault(assessment.supplier_id, assessment)
    return out


def shares_data(supplier: Supplier) -> bool:
    return supplier.data_shared.exists()


def clause_checklist(supplier: Supplier) -> ClauseChecklist:
    rows = [ClauseRow(c.key, ClauseStatus(c.status), c.notification_hours) for c in supplier.clauses.all()]
    return evaluate_clauses(
        rows,
        tier=Tier(supplier.tier),
        uses_ai=bool(supplier.uses_ai_on_our_data),
        shares_data=shares_data(supplier),
    )


def supplier_detail(pk: int) -> Supplier:
    return (
        Supplier.objects.select_related("owner")
        .prefetch_related(
            "services",
            "data_shared",
            "certifications",
            "subprocessors",
            "clauses",
            "assets",
            Prefetch(
                "assessments",
                queryset=Assessment.objects.select_related("template_version__template").order_by(
                    "-created_at"
                ),
            ),
            Prefetch("findings", queryset=Finding.objects.select_related("risk", "assessment")),
        )
        .get(pk=pk)
    )


@dataclass
class Overview:
    total: int
    by_tier: dict[int, int]
    ai_using: int
    ai_training: int
    overdue: list[Supplier]
    due_soon: list[Supplier]
    tier_scores: list[tuple[str, int, float | None]]  # (name, tier, latest score)
    expiring: list[Certification]
    expired: list[Certification]
    open_findings: int
    findings_by_severity: dict[str, int]
    clause_gaps: list[tuple[str, int, int]] = field(default_factory=list)  # (name, gaps, AI gaps)
    pending_assessments: int = 0


def overview(today: date) -> Overview:
    schedule = intervals()
    rows = list(
        Supplier.objects.exclude(status="ended").prefetch_related("clauses", "data_shared").order_by("name")
    )
    scores = latest_scores([s.pk for s in rows])
    by_tier = {t.value: 0 for t in Tier}
    overdue, due_soon = [], []
    clause_gaps = []
    for supplier in rows:
        by_tier[supplier.tier] = by_tier.get(supplier.tier, 0) + 1
        if supplier.next_review_due is not None:
            state = review_state(supplier.next_review_due, today, schedule)
            if state is ReviewState.OVERDUE:
                overdue.append(supplier)
            elif state is ReviewState.DUE_SOON:
                due_soon.append(supplier)
        checklist = evaluate_clauses(
            [ClauseRow(c.key, ClauseStatus(c.status), c.notification_hours) for c in supplier.clauses.all()],
            tier=Tier(supplier.tier),
            uses_ai=bool(supplier.uses_ai_on_our_data),
            shares_data=bool(supplier.data_shared.all()),
        )
        if checklist.gaps:
            clause_gaps.append((supplier.name, len(checklist.gaps), len(checklist.ai_gaps)))
    certs = Certification.objects.select_related("supplier").filter(
        expires_on__isnull=False, supplier__in=rows
    )
    horizon = today + timedelta(days=EXPIRY_HORIZON_DAYS)
    severity = dict(
        Finding.objects.filter(status=FindingStatus.OPEN).values_list("severity").annotate(n=Count("pk"))
    )
    return Overview(
        total=len(rows),
        by_tier=by_tier,
        ai_using=sum(1 for s in rows if s.uses_ai_on_our_data),
        ai_training=sum(
            1 for s in rows if s.uses_ai_on_our_data and s.trains_on_our_data in {"opt_out", "always"}
        ),
        overdue=sorted(overdue, key=lambda s: s.next_review_due or today),
        due_soon=due_soon,
        tier_scores=[(s.name, s.tier, scores[s.pk].score if s.pk in scores else None) for s in rows],
        expiring=[c for c in certs if c.expires_on is not None and today <= c.expires_on <= horizon],
        expired=[c for c in certs if c.expires_on is not None and c.expires_on < today],
        open_findings=sum(severity.values()),
        findings_by_severity={k: severity.get(k, 0) for k in ("critical", "high", "medium", "low")},
        clause_gaps=sorted(clause_gaps, key=lambda row: (-row[1], row[0])),
        pending_assessments=Assessment.objects.filter(status=AssessmentStatus.SENT).count(),
    )
