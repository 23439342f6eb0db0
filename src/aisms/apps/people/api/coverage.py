"""Gap and coverage endpoints: overdue and due-soon training, competences not evidenced, and training
coverage with its trend."""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from aisms.apps.accounts.services import require
from aisms.apps.people import selectors
from aisms.apps.people.api.routing import actor_of, router
from aisms.apps.people.api.schemas import CoverageReport, GapsOut
from aisms.domain import training_coverage as tc
from aisms.domain.access import Action


@router.get("/gaps", response=GapsOut, summary="Overdue and due-soon training, and competences not evidenced")
def get_gaps(request: HttpRequest) -> dict[str, Any]:
    require(actor_of(request), Action.VIEW)
    today = timezone.localdate()
    found = selectors.gaps(today)
    return {
        "today": today,
        "training": [
            {
                "person": g.person.employee_id,
                "name": g.person.name,
                "module": g.module.code,
                "due": g.obligation.due,
                "status": g.obligation.status.value,
            }
            for g in found.training
        ],
        "competences": [
            {
                "person": g.person.employee_id,
                "name": g.person.name,
                "competence": g.competence.name,
                "role": g.role.name,
                "evidence": g.evidence,
            }
            for g in found.competences
        ],
    }


@router.get(
    "/coverage", response=CoverageReport, summary="Training coverage: by module, department, over time"
)
def get_coverage(request: HttpRequest, months: int = 6) -> dict[str, Any]:
    months = min(max(months, 1), 36)
    require(actor_of(request), Action.VIEW)
    today = timezone.localdate()
    state = selectors.training_state()
    return {
        "today": today,
        "overall": tc.coverage(state, today).ratio,
        "modules": [
            {"module": m.code, "covered": c.covered, "required": c.required, "ratio": c.ratio}
            for m, c in selectors.module_coverage(today, state)
        ],
        "departments": {d: c.ratio for d, c in tc.coverage_by_department(state, None, today).items()},
        "trend": [
            {"month_end": end, "covered": c.covered, "required": c.required, "ratio": c.ratio}
            for end, c in selectors.coverage_trend(state, today, months)
        ],
    }
