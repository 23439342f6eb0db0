"""Reads: registers with filters, the catalogue as checklist input, programme coverage, NC ageing and
the management review pack (``build_pack`` from live data; ``management_review_pack`` from the snapshot
kept with a review)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from aisms.apps.audits.models import (
    Audit,
    AuditProgramme,
    AuditStatus,
    ChecklistItem,
    ChecklistResult,
    CorrectiveAction,
    DecisionStatus,
    Finding,
    FindingKind,
    ManagementReview,
    NcStatus,
    Nonconformity,
    ReviewDecision,
)
from aisms.apps.audits.pack_sources import (
    measures,
    objectives,
    opportunities,
    party_changes,
    pestel_changes,
    risk_summary,
    supplier_feedback,
    treatment_inputs,
    unaddressed_requirements,
)
from aisms.apps.catalogue.models import CatalogueEntry
from aisms.apps.context.services import current_organisation
from aisms.catalogue.audit_questions import load_questions
from aisms.domain.audits import due as dued
from aisms.domain.audits import nonconformity as ncd
from aisms.domain.audits.checklist import CatalogueItem, QuestionBank
from aisms.domain.audits.programme import (
    AuditableItem,
    ItemKind,
    PlannedScope,
    ProgrammeCoverage,
    ScheduledAudit,
    coverage,
    cycle_years,
    suggest_plan,
)
from aisms.domain.audits.review_pack import (
    AuditInput,
    DecisionInput,
    NcInput,
    PackInputs,
    ReviewPack,
    assemble_pack,
    pack_from_dict,
)


@lru_cache(maxsize=1)
def question_bank() -> QuestionBank:
    return load_questions()


def checklist_catalogue(scope: list[str]) -> list[CatalogueItem]:
    """ISO/IEC 27001 clauses and 27002 controls (only those under the scope are needed)."""
    rows = CatalogueEntry.objects.filter(
        Q(source__key="iso27001", kind="clause") | Q(source__key="iso27002", kind="control"), withdrawn=False
    )
    query = Q()
    for uid in scope:
        query |= Q(uid=uid) | Q(uid__startswith=uid + ".")
    if scope:
        rows = rows.filter(query)
    return [
        CatalogueItem(e.uid, e.ref, e.name, e.kind, e.position)
        for e in rows.only("uid", "ref", "name", "kind", "position")
    ]


def applicability() -> dict[str, bool]:
    """Control uid -> whether the SoA includes it (as it stands now)."""
    from aisms.apps.controls.selectors import current_rows

    return {row.control_uid: row.applicable for row in current_rows()}


def clause_choices() -> list[tuple[str, str]]:
    rows = CatalogueEntry.objects.filter(source__key="iso27001", kind="clause").order_by("position")
    return [(e.uid, f"{e.ref} {e.name}") for e in rows.only("uid", "ref", "name")]


def control_choices() -> list[tuple[str, str]]:
    rows = CatalogueEntry.objects.filter(source__key="iso27002", kind="control", withdrawn=False).order_by(
        "position"
    )
    return [(e.uid, f"{e.ref} {e.name}") for e in rows.only("uid", "ref", "name")]


# --- programmes and audits ------------------------------------------------------------------------------

THEME_GROUPS = {
    "organizational": "A.5 Org.",
    "people": "A.6 People",
    "physical": "A.7 Physical",
    "technological": "A.8 Tech.",
}


def auditable_items(programme: AuditProgramme) -> list[AuditableItem]:
    """Every leaf clause 4-10 and every control the SoA includes; high-risk: named by the programme or
    called for by a treatment action of a risk above appetite."""
    high = set(programme.high_risk_uids) | _controls_of_risks_above_appetite()
    clauses = list(CatalogueEntry.objects.filter(source__key="iso27001", kind="clause").order_by("position"))
    parents = {c.parent_id for c in clauses}
    items = [
        AuditableItem(
            c.uid,
            c.ref,
            c.name,
            ItemKind.CLAUSE,
            f"Clause {c.ref.split('.')[0]}",
            any(c.uid == h or c.uid.startswith(h + ".") for h in high),
        )
        for c in clauses
        if c.pk not in parents
    ]
    included = applicability()
    for c in CatalogueEntry.objects.filter(source__key="iso27002", kind="control", withdrawn=False).order_by(
        "position"
    ):
        if included.get(c.uid, True):
            theme = str(c.attributes.get("theme", ""))
            items.append(
                AuditableItem(
                    c.uid, c.ref, c.name, ItemKind.CONTROL, THEME_GROUPS.get(theme, theme), c.uid in high
                )
            )
    return items


def _controls_of_risks_above_appetite() -> set[str]:
    from aisms.apps.risks.models import Risk, RiskStatus, TreatmentAction
    from aisms.apps.risks.services import current_method

    above = {level.key for level in current_method().levels if not level.within_appetite}
    risks = Risk.objects.filter(current_level__in=above).exclude(status=RiskStatus.CLOSED)
    return set(
        TreatmentAction.objects.filter(risk__in=risks)
        .values_list("controls__uid", flat=True)
        .exclude(controls=None)
    )


def programme_coverage(programme: AuditProgramme) -> ProgrammeCoverage:
    years = cycle_years(programme.start_year, programme.cycle_years)
    audits = [
        ScheduledAudit(
            a.ref,
            (a.actual_start or a.planned_start or timezone.localdate()).year,
            frozenset([*a.clause_uids, *a.control_uids]),
        )
        for a in programme.audits.all()
    ]
    return coverage(auditable_items(programme), audits, years)


def remaining_plan(cov: ProgrammeCoverage, this_year: int) -> list[PlannedScope]:
    """A suggested spread of what is still uncovered over the years left in the cycle."""
    years = [y for y in cov.years if y >= this_year]
    missing = [c.item for c in cov.uncovered]
    return suggest_plan(missing, years) if years else []


def audits(*, status: str = "", programme: int | None = None, q: str = "") -> QuerySet[Audit]:
    rows = Audit.objects.select_related("lead_auditor", "programme").annotate(
        items=Count("checklist", distinct=True),
        checked=Count("checklist", filter=~Q(checklist__result=ChecklistResult.NOT_CHECKED), distinct=True),
        ncs=Count("findings", filter=Q(findings__kind=FindingKind.NONCONFORMITY), distinct=True),
    )
    if status:
        rows = rows.filter(status=status)
    if programme:
        rows = rows.filter(programme_id=programme)
    for word in q.split()[:6]:
        rows = rows.filter(Q(ref__icontains=word) | Q(title__icontains=word) | Q(scope__icontains=word))
    return rows


def audit_detail(pk: int) -> Audit:
    return (
        Audit.objects.select_related("lead_auditor", "programme")
        .prefetch_related(
            "auditors",
            Prefetch(
                "checklist",
                queryset=ChecklistItem.objects.select_related("checked_by").prefetch_related(
                    "findings__nonconformity"
                ),
            ),
            Prefetch("findings", queryset=Finding.objects.select_related("checklist_item", "nonconformity")),
        )
        .get(pk=pk)
    )


def result_counts(audit: Audit) -> dict[str, int]:
    counts = Counter(item.result for item in audit.checklist.all())
    return {value: counts.get(value, 0) for value in ChecklistResult.values}


# --- nonconformities ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NcFilter:
    status: str = ""  # a status, or "not-closed"
    severity: str = ""
    source: str = ""
    owner: int | None = None
    overdue: bool = False
    q: str = ""


def nonconformities(filters: NcFilter, today: dt.date) -> list[Nonconformity]:
    rows = Nonconformity.objects.select_related("owner", "raised_by", "finding__audit").prefetch_related(
        Prefetch("actions", queryset=CorrectiveAction.objects.select_related("owner"))
    )
    if filters.status == "not-closed":
        rows = rows.exclude(status=NcStatus.CLOSED)
    elif filters.status:
        rows = rows.filter(status=filters.status)
    if filters.severity:
        rows = rows.filter(severity=filters.severity)
    if filters.source:
        rows = rows.filter(source=filters.source)
    if filters.owner:
        rows = rows.filter(owner_id=filters.owner)
    for word in filters.q.split()[:6]:
        rows = rows.filter(
            Q(ref__icontains=word)
            | Q(description__icontains=word)
            | Q(clause_uid__icontains=word)
            | Q(control_uid__icontains=word)
        )
    result = list(rows)
    for nc in result:
        nc.overdue_actions = sum(  # type: ignore[attr-defined]  # annotation for the templates and API
            1
            for a in nc.actions.all()
            if dued.due_state(a.due_date, done=a.done_at is not None, today=today) == dued.DueState.OVERDUE
        )
        nc.is_overdue = nc.status != NcStatus.CLOSED and (  # type: ignore[attr-defined]
            nc.overdue_actions > 0 or (nc.due_date is not None and nc.due_date < today)  # type: ignore[attr-defined]
        )
    if filters.overdue:
        result = [nc for nc in result if nc.is_overdue]  # type: ignore[attr-defined]
    return result


def nc_detail(pk: int) -> Nonconformity:
    return (
        Nonconformity.objects.select_related("owner", "raised_by", "closed_by", "finding__audit")
        .prefetch_related(
            Prefetch("actions", queryset=CorrectiveAction.objects.select_related("owner")),
            "reviews__reviewed_by",
        )
        .get(pk=pk)
    )


def nc_ageing(today: dt.date) -> list[tuple[str, int]]:
    raised = [
        timezone.localtime(at).date()
        for at in Nonconformity.objects.exclude(status=NcStatus.CLOSED).values_list("raised_at", flat=True)
    ]
    return dued.ageing(raised, today)


def nc_facts(nc: Nonconformity) -> ncd.NcFacts:
    return ncd.NcFacts(
        status=ncd.NcState(nc.status),
        root_cause=nc.root_cause,
        actions=[ncd.ActionFacts(a.done_at) for a in nc.actions.all()],
        reviews=[ncd.ReviewFacts(r.reviewed_at, r.effective) for r in nc.reviews.all()],
    )


def close_problems(nc: Nonconformity) -> list[str]:
    """What still prevents closing (empty when it may close, or is not yet action-planned)."""
    return ncd.close_problems(nc_facts(nc)) if nc.status == ncd.NcState.ACTION_PLANNED else []


# --- due work -------------------------------------------------------------------------------------------


def due_items() -> list[dued.DueItem]:
    """Open corrective actions and review decisions with their owners and due dates."""
    items = [
        dued.DueItem(
            "corrective-action",
            a.pk,
            a.owner_id,
            a.due_date,
            False,
            f"{a.nonconformity.ref}: {a.description}",
        )
        for a in CorrectiveAction.objects.filter(done_at__isnull=True)
        .exclude(nonconformity__status=NcStatus.CLOSED)
        .select_related("nonconformity")
    ]
    items += [
        dued.DueItem("decision", d.pk, d.owner_id, d.due_date, False, d.decision)
        for d in ReviewDecision.objects.filter(status__in=[DecisionStatus.OPEN, DecisionStatus.IN_PROGRESS])
    ]
    return items


def planned_audits() -> list[dued.DueItem]:
    return [
        dued.DueItem("audit", a.pk, a.lead_auditor_id, a.planned_start, False, f"{a.ref} {a.title}")
        for a in Audit.objects.filter(status=AuditStatus.PLANNED)
    ]


# --- management review pack -----------------------------------------------------------------------------


def previous_review_date(on: dt.date, exclude_review: int | None) -> dt.date | None:
    rows = ManagementReview.objects.filter(date__lt=on)
    if exclude_review is not None:
        rows = rows.exclude(pk=exclude_review)
    latest = rows.order_by("-date").first()
    return latest.date if latest else None


def _decision_inputs(on: dt.date, exclude_review: int | None) -> list[DecisionInput]:
    rows = ReviewDecision.objects.filter(review__date__lt=on).select_related("review", "owner")
    if exclude_review is not None:
        rows = rows.exclude(review_id=exclude_review)
    return [
        DecisionInput(
            str(d.review),
            d.decision,
            (d.owner.get_full_name() or d.owner.username) if d.owner else "",
            d.due_date,
            d.status,
        )
        for d in rows.order_by("review__date", "pk")
    ]


def _nc_inputs(today: dt.date) -> list[NcInput]:
    out = []
    for nc in Nonconformity.objects.prefetch_related("actions"):
        actions = list(nc.actions.all())
        out.append(
            NcInput(
                nc.ref,
                nc.severity,
                nc.status,
                timezone.localtime(nc.raised_at).date(),
                timezone.localtime(nc.closed_at).date() if nc.closed_at else None,
                len(actions),
                sum(1 for a in actions if a.done_at),
                sum(1 for a in actions if not a.done_at and a.due_date and a.due_date < today),
                nc.root_cause_category,
            )
        )
    return out


def _audit_inputs(since: dt.date | None, until: dt.date) -> list[AuditInput]:
    rows = Audit.objects.filter(status__in=[AuditStatus.REPORTED, AuditStatus.CLOSED]).prefetch_related(
        "checklist"
    )
    out = []
    for audit in rows:
        end = audit.actual_end or audit.planned_end
        if since is not None and end is not None and end < since:
            continue
        if end is not None and end > until:
            continue
        counts = result_counts(audit)
        out.append(
            AuditInput(
                audit.ref,
                audit.title,
                audit.status,
                end,
                counts[ChecklistResult.CONFORMING],
                counts[ChecklistResult.MINOR_NC],
                counts[ChecklistResult.MAJOR_NC],
                counts[ChecklistResult.OBSERVATION],
                counts[ChecklistResult.OFI],
            )
        )
    return sorted(out, key=lambda a: (a.end or until, a.ref))


def pack_inputs(on: dt.date, *, feedback: list[str], exclude_review: int | None) -> PackInputs:
    since = previous_review_date(on, exclude_review)
    organisation = current_organisation()
    return PackInputs(
        organisation=organisation.name if organisation else "",
        period_start=since,
        today=on,
        decisions=_decision_inputs(on, exclude_review),
        treatment=treatment_inputs(),
        issues=pestel_changes(since),
        requirements=party_changes(since),
        nonconformities=_nc_inputs(on),
        audits=_audit_inputs(since, on),
        objectives=objectives(),
        measures=measures(on),
        feedback=feedback,
        unaddressed_requirements=unaddressed_requirements(),
        supplier_feedback=supplier_feedback(since, on),
        risks=risk_summary(on),
        opportunities=opportunities(since),
    )


def build_pack(on: dt.date, *, feedback: list[str], exclude_review: int | None) -> ReviewPack:
    """The pack from the registers as they are now, for a review held on the given date."""
    return assemble_pack(pack_inputs(on, feedback=feedback, exclude_review=exclude_review))


def management_review_pack(review: ManagementReview) -> ReviewPack:
    """The pack kept with the review when it was created (or last regenerated as a draft): reproducible."""
    return pack_from_dict(review.inputs)


def reviews() -> QuerySet[ManagementReview]:
    return ManagementReview.objects.annotate(decision_count=Count("decisions"))


def review_detail(pk: int) -> ManagementReview:
    return ManagementReview.objects.prefetch_related(
        Prefetch("decisions", queryset=ReviewDecision.objects.select_related("owner"))
    ).get(pk=pk)
