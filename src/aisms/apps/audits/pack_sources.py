"""What the management review pack reads from the other registers, as plain review_pack inputs.

Optional registers (compliance objectives, suppliers) are read through small adapters that return nothing
when the app is not installed, so audits does not depend on them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.apps import apps
from django.utils import timezone

from aisms.apps.audits.models import Finding, FindingKind
from aisms.apps.context.models import PartyRequirement, PestelIssue
from aisms.apps.risks.models import ActionStatus, Risk, RiskStatus, TreatmentAction
from aisms.domain.audits.review_pack import (
    IssueChange,
    MeasureInput,
    ObjectiveInput,
    Opportunity,
    RequirementChange,
    RiskSummaryInput,
    TreatmentInput,
)


def _start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _name(user: Any) -> str:
    return (user.get_full_name() or user.username) if user else ""


def treatment_inputs() -> list[TreatmentInput]:
    return [
        TreatmentInput(a.risk.ref, a.title, _name(a.owner), a.due_date, a.status)
        for a in TreatmentAction.objects.select_related("risk", "owner").order_by("due_date", "pk")
    ]


def pestel_changes(since: dt.date | None) -> list[IssueChange]:
    """Issues new, changed or reviewed since the last review (every issue for a first review)."""
    rows = list(PestelIssue.objects.order_by("category", "title"))
    if since is None:
        return [IssueChange(i.title, i.get_category_display(), i.origin, i.trend, "new") for i in rows]
    start = _start(since)
    changed = set(
        PestelIssue.history.filter(history_date__gte=start, history_type="~").values_list("id", flat=True)
    )
    out = []
    for issue in rows:
        if issue.created_at >= start:
            change = "new"
        elif issue.reviewed_at and issue.reviewed_at >= start and issue.pk not in changed:
            change = "reviewed"
        elif issue.pk in changed:
            change = "changed"
        else:
            continue
        out.append(IssueChange(issue.title, issue.get_category_display(), issue.origin, issue.trend, change))
    return out


def party_changes(since: dt.date | None) -> list[RequirementChange]:
    rows = PartyRequirement.objects.select_related("party").order_by("party__name", "pk")
    if since is None:
        return [RequirementChange(r.party.name, r.requirement, r.addressed, "new") for r in rows]
    start = _start(since)
    changed = set(
        PartyRequirement.history.filter(history_date__gte=start, history_type="~").values_list(
            "id", flat=True
        )
    )
    out = []
    for r in rows:
        if r.created_at >= start:
            out.append(RequirementChange(r.party.name, r.requirement, r.addressed, "new"))
        elif r.pk in changed:
            out.append(RequirementChange(r.party.name, r.requirement, r.addressed, "changed"))
    return out


def unaddressed_requirements() -> list[RequirementChange]:
    return [
        RequirementChange(r.party.name, r.requirement, False, "")
        for r in PartyRequirement.objects.filter(addressed=False)
        .select_related("party")
        .order_by("party__name")
    ]


def objectives() -> list[ObjectiveInput] | None:
    """Information security objectives from the compliance app, when it is installed."""
    if not apps.is_installed("aisms.apps.compliance"):
        return None
    try:
        model = apps.get_model("compliance", "Objective")
    except LookupError:
        return None
    out = []
    for o in model.objects.all():
        target = f"{getattr(o, 'target', '')} {getattr(o, 'unit', '')}".strip()
        due = getattr(o, "due", None)
        if due:
            target += f" by {due.isoformat()}"
        out.append(ObjectiveInput(str(getattr(o, "title", o)), target, str(getattr(o, "status", ""))))
    return out


def measures(today: dt.date) -> list[MeasureInput]:
    """Monitoring and measurement results the registers already compute."""
    from aisms.apps.audits.models import CorrectiveAction
    from aisms.apps.controls.selectors import current_rows
    from aisms.apps.people import selectors as people
    from aisms.domain import training_coverage as tc
    from aisms.domain.soa import ImplementationStatus

    out = []
    state = people.training_state()
    training = tc.coverage(state, today)
    if training.required:
        out.append(
            MeasureInput("Training coverage", training.ratio, f"{training.covered} of {training.required}")
        )
    rows = [r for r in current_rows() if r.applicable]
    if rows:
        implemented = sum(1 for r in rows if r.status == ImplementationStatus.IMPLEMENTED)
        out.append(
            MeasureInput(
                "Applicable controls implemented", implemented / len(rows), f"{implemented} of {len(rows)}"
            )
        )
    done = list(CorrectiveAction.objects.filter(done_at__isnull=False, due_date__isnull=False))
    if done:
        on_time = sum(
            1
            for a in done
            if a.done_at is not None and a.due_date and timezone.localtime(a.done_at).date() <= a.due_date
        )
        out.append(
            MeasureInput("Corrective actions done on time", on_time / len(done), f"{on_time} of {len(done)}")
        )
    treatment = TreatmentAction.objects.exclude(status=ActionStatus.CANCELLED)
    total = treatment.count()
    if total:
        finished = treatment.filter(status=ActionStatus.DONE).count()
        out.append(MeasureInput("Risk treatment actions done", finished / total, f"{finished} of {total}"))
    return out


def supplier_feedback(since: dt.date | None, today: dt.date) -> list[str]:
    """Supplier reviews done in the period and reviews overdue, when the suppliers app is installed."""
    if not apps.is_installed("aisms.apps.suppliers"):
        return []
    try:
        model = apps.get_model("suppliers", "Supplier")
    except LookupError:
        return []
    out = []
    for s in model.objects.all().order_by("name"):
        last = getattr(s, "last_reviewed_on", None)
        due = getattr(s, "next_review_due", None)
        if last and (since is None or last >= since):
            out.append(f"Supplier {s.name}: reviewed on {last.isoformat()}")
        if due and due < today:
            out.append(f"Supplier {s.name}: review overdue since {due.isoformat()}")
    return out


def risk_summary(today: dt.date) -> RiskSummaryInput | None:
    from aisms.apps.risks.services import current_method

    risks = list(Risk.objects.exclude(status=RiskStatus.CLOSED).only("current_level", "status"))
    if not risks:
        return None
    method = current_method()
    counts = Counter(r.current_level for r in risks)
    levels = sorted(method.levels, key=lambda level: -level.rank)
    above = {level.key for level in method.levels if not level.within_appetite}
    actions = TreatmentAction.objects.exclude(status=ActionStatus.CANCELLED)
    open_actions = actions.filter(status__in=[ActionStatus.PLANNED, ActionStatus.IN_PROGRESS])
    return RiskSummaryInput(
        by_level=tuple((level.name, counts.get(level.key, 0)) for level in levels),
        above_appetite=sum(counts.get(key, 0) for key in above),
        total=len(risks),
        accepted=sum(1 for r in risks if r.status == RiskStatus.ACCEPTED),
        actions_open=open_actions.count(),
        actions_overdue=open_actions.filter(due_date__lt=today).count(),
        actions_done=actions.filter(status=ActionStatus.DONE).count(),
    )


def opportunities(since: dt.date | None) -> list[Opportunity]:
    """OFI findings of audits in the period and opportunities recorded on context issues."""
    findings = Finding.objects.filter(kind=FindingKind.OFI).select_related("audit")
    if since is not None:
        findings = findings.filter(created_at__gte=_start(since))
    out = [Opportunity(f"audit {f.audit.ref}", f.text) for f in findings.order_by("created_at", "pk")]
    for issue in PestelIssue.objects.exclude(opportunities="").order_by("category", "title"):
        out.append(Opportunity(f"context: {issue.title}", issue.opportunities))
    return out
