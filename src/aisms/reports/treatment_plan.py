"""The risk treatment plan (clauses 6.1.3 e, 8.3): actions per risk, controls, owners, due dates, status."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch

from aisms.apps.catalogue.models import CatalogueEntry
from aisms.apps.risks.models import ActionStatus, Risk, Treatment, TreatmentAction
from aisms.reports.document import Report, ReportSection, ReportTable
from aisms.reports.organisation import organisation_name, person
from aisms.reports.risk_register import method_labels


def build(now: dt.datetime) -> Report:
    levels, _, _, method = method_labels()
    today = now.date()
    actions_qs = TreatmentAction.objects.select_related("owner").prefetch_related(
        Prefetch("controls", queryset=CatalogueEntry.objects.order_by("position", "uid"))
    )
    risks = list(
        Risk.objects.select_related("owner")
        .prefetch_related(Prefetch("actions", queryset=actions_qs.order_by("due_date", "pk")))
        .order_by("ref")
    )
    statuses = dict(ActionStatus.choices)
    treatments = dict(Treatment.choices)
    rows = []
    overdue = 0
    total = 0
    for risk in risks:
        for action in risk.actions.all():
            total += 1
            late = (
                action.due_date is not None
                and action.due_date < today
                and action.status in {ActionStatus.PLANNED, ActionStatus.IN_PROGRESS}
            )
            overdue += late
            rows.append(
                (
                    risk.ref,
                    risk.title,
                    f"{levels.get(risk.current_level, risk.current_level)} -> "
                    f"{levels.get(risk.target_level, risk.target_level)}",
                    treatments.get(risk.treatment, risk.treatment or "not decided"),
                    action.title,
                    ", ".join(c.ref or c.uid for c in action.controls.all()),
                    person(action.owner) or person(risk.owner),
                    action.due_date.isoformat() if action.due_date else "",
                    statuses.get(action.status, action.status) + (" (overdue)" if late else ""),
                )
            )
    untreated = [
        (r.ref, r.title, person(r.owner), levels.get(r.current_level, r.current_level))
        for r in risks
        if r.treatment in {"", Treatment.MITIGATE} and not r.actions.all()
    ]
    done = sum(1 for row in rows if row[-1].startswith(statuses[ActionStatus.DONE]))
    return Report(
        title="Risk treatment plan",
        organisation=organisation_name(),
        generated_at=now,
        facts=(
            ("Risk method", method),
            (
                "Actions",
                f"{total} actions on {len({r[0] for r in rows})} risks: {done} done, {overdue} overdue",
            ),
        ),
        sections=(
            ReportSection(
                "Treatment actions",
                "Each action, the risk it treats (current -> target level), the controls it implements.",
                (
                    ReportTable(
                        "Treatment actions",
                        (
                            "Risk",
                            "Risk title",
                            "Current -> target",
                            "Treatment",
                            "Action",
                            "Controls",
                            "Owner",
                            "Due",
                            "Status",
                        ),
                        (12, 40, 26, 20, 50, 22, 22, 16, 20),
                        tuple(rows),
                    ),
                ),
            ),
            ReportSection(
                "Risks to mitigate without an action",
                "Risks whose treatment is to mitigate (or not decided) but have no treatment action yet.",
                (
                    ReportTable(
                        "Without actions",
                        ("Risk", "Title", "Owner", "Current level"),
                        (12, 60, 25, 20),
                        tuple(untreated),
                    ),
                ),
            ),
        ),
    )
